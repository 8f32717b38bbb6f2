"""The composition root's part for registration by phone: the code and customer stores
and the text message sink behind `RegistrationService`."""

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Engine

from dacu.adapters.message_outbox import SqlMessageOutbox
from dacu.adapters.registration_store import SqlCustomerRegistry, SqlVerificationCodes
from dacu.services.access import AccessService
from dacu.services.ports.acquisition import NewMembers
from dacu.services.registration import RegistrationService
from dacu.settings import settings


def registration_of(
    engine: Engine,
    access: AccessService,
    clock: Callable[[], datetime],
    ids: Callable[[], str],
    code_secret: str | None = None,
    joined: NewMembers | None = None,
) -> RegistrationService:
    """Codes kept in the database under `code_secret` (else `DACU_CODE_SECRET`), sent
    through the outbox (`SqlMessageOutbox`: the log and the `messages` table)."""
    secret = (code_secret or settings().code_secret).encode()
    codes, registry = SqlVerificationCodes(engine), SqlCustomerRegistry(engine)
    return RegistrationService(
        codes, registry, SqlMessageOutbox(engine), access, clock, ids, secret, joined=joined
    )


__all__ = ["RegistrationService", "registration_of"]
