"""Identity links for the risk desk (风控) and operators: an account's cluster (size,
age), the identifiers it shares — masked to their kind and a short hash — with how many
accounts share each, and the cluster's members page by page."""

from typing import Annotated

from fastapi import APIRouter, Path, Query

from dacu.domain.access import Role
from dacu.entrypoints.api.context import PlatformDep, PrincipalDep
from dacu.schemas.bounds import PRINTABLE
from dacu.schemas.risk_links import ClusterOut, LinksOut, SharedOut
from dacu.services.risk_links import LinkDesk, LinkView

router = APIRouter(prefix="/v1/risk", tags=["risk"])
READERS = (Role.RISK, Role.OPERATOR)


@router.get("/customers/{customer_id}/links", response_model=LinksOut)
def customer_links(
    customer_id: Annotated[str, Path(min_length=1, max_length=64, pattern=PRINTABLE)],
    backend: PlatformDep,
    who: PrincipalDep,
    after: Annotated[str, Query(max_length=64, pattern=PRINTABLE)] = "",
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> LinksOut:
    """The account's cluster, its shared identifiers and a page of members (those after
    `after`, in id order; `next_after` names the next page). 404 unknown_customer for
    an account never seen."""
    who.require(*READERS)
    return links_out(LinkDesk(backend.risk_links, backend.clock).view(customer_id, after, limit))


def links_out(view: LinkView) -> LinksOut:
    c = view.cluster
    return LinksOut(
        customer_id=view.customer_id,
        cluster=ClusterOut(id=c.id, size=c.size, first_seen=c.first_seen, age_s=view.age_s),
        shared=[
            SharedOut(
                kind=s.kind.value, hash=s.masked, accounts=s.accounts, times=s.times,
                first_seen=s.first_seen, last_seen=s.last_seen, merges=s.merges,
            )
            for s in view.shared
        ],
        members=view.members,
        next_after=view.next_after,
    )  # fmt: skip
