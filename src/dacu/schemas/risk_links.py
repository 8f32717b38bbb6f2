"""What crosses the API's edge for identity links: an account's cluster, the identifiers
it shares (masked) and a page of the cluster's members."""

from datetime import datetime

from pydantic import BaseModel


class ClusterOut(BaseModel):
    id: str
    size: int
    first_seen: datetime
    age_s: int


class SharedOut(BaseModel):
    kind: str
    hash: str  # the first digits of the identifier's hash: never the identifier
    accounts: int
    times: int
    first_seen: datetime
    last_seen: datetime
    merges: bool


class LinksOut(BaseModel):
    customer_id: str
    cluster: ClusterOut
    shared: list[SharedOut]
    members: list[str]
    next_after: str | None
