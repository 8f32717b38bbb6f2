"""What registering and signing in by phone needs stored: codes, their limits, customers."""

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from dacu.domain.registration import Limit, PendingCode, Profile


class VerificationCodes(Protocol):
    def issue(
        self, code: PendingCode, not_sent_after: datetime, counted: Sequence[tuple[Limit, str]]
    ) -> str | None:
        """Keep `code` as the phone's one code (replacing an earlier one sent at or before
        `not_sent_after`) and count it against each limit for its key — all or nothing,
        atomically across processes. None when kept; else the name of the limit that
        refused it (`RESEND` for the phone's earlier code), with nothing changed."""
        ...

    def try_code(self, phone: str, now: datetime, max_tries: int) -> str | None:
        """Count one try of the phone's code and give its digest; None (nothing counted)
        when no code is waiting: none sent, expired, used, or tried `max_tries` times."""
        ...

    def use(self, phone: str, digest: str, now: datetime) -> bool:
        """Use the code up; False if another try used it first."""
        ...

    def prune(self, before: datetime, windows: Sequence[tuple[Limit, int]]) -> int:
        """Forget codes sent before `before` and each limit's counts of windows before the
        one given; how many rows went."""
        ...


class CustomerRegistry(Protocol):
    def register(self, phone: str, new_id: str, now: datetime) -> tuple[str, bool]:
        """The customer with this phone, now marked verified — created under `new_id`,
        registered `now`, when nobody has it yet; and whether they were created."""
        ...

    def profile(self, customer_id: str) -> Profile | None: ...

    def set_tier(self, customer_id: str, tier: str | None, actor: str, now: datetime) -> Profile:
        """Change the member tier, audited in the same transaction; `UnknownCustomer` if
        nobody has that id."""
        ...
