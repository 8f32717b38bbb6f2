"""Who may do what: the API's roles and what each reaches."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from dacu.domain.errors import DomainError, ErrorCode


class Role(StrEnum):
    OPERATOR = "operator"  # 运营: campaigns, promotions, coupons
    MERCHANT = "merchant"  # 商家: their own shops only
    FINANCE = "finance"  # 补贴结算
    RISK = "risk"  # 风控: may kill a promotion
    SERVICE = "service"  # 客服: reads
    CONSUMER = "consumer"  # 消费者: their own wallet and quotes
    STOREFRONT = "storefront"  # the platform's storefront / app back end: sends events


class Forbidden(DomainError):
    """The principal's role does not allow this."""

    code = ErrorCode.FORBIDDEN


class Unauthenticated(DomainError):
    """No bearer token, or one nobody was given."""

    code = ErrorCode.UNAUTHENTICATED


TOKEN_TTL = timedelta(days=30)  # an API token's life unless issued for another
SESSION_TTL = timedelta(hours=12)  # a console session: one shift, never past its token


@dataclass(frozen=True, slots=True)
class Principal:
    subject: str
    role: Role
    shops: frozenset[str] = frozenset()
    expires_at: datetime | None = None  # of the token (or session) that names them

    def expired(self, now: datetime) -> bool:
        return self.expires_at is not None and self.expires_at <= now

    def require(self, *roles: Role) -> None:
        if self.role not in roles:
            allowed = ", ".join(sorted(roles))
            raise Forbidden(f"{self.role} may not do this; it takes {allowed}")
