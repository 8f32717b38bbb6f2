"""Who may see which settlement statements: finance and operators every shop's, a
merchant only its own shops' (someone else's statement is the same 404 as none).
Shared by the API, the console and the CLI."""

from dacu.bootstrap import Platform
from dacu.domain.access import Principal, Role
from dacu.domain.settlement import Statement
from dacu.domain.settlement_run import UnknownStatement

READERS = (Role.OPERATOR, Role.FINANCE, Role.MERCHANT)
RUNNERS = (Role.OPERATOR, Role.FINANCE)


def shops_of(backend: Platform, who: Principal) -> set[str] | None:
    """The shops whose statements the caller may see; None for every shop."""
    who.require(*READERS)
    if who.role is Role.MERCHANT:
        return {shop.id for shop in backend.goods.shops(who.subject)}
    return None


def visible_statements(backend: Platform, who: Principal, campaign_id: str) -> list[Statement]:
    return backend.settlement.statements(campaign_id, shops_of(backend, who))


def visible_statement(backend: Platform, who: Principal, statement_id: str) -> Statement:
    """The statement's header, if the caller may see it (UnknownStatement otherwise)."""
    shops = shops_of(backend, who)
    found = backend.settlement.statement(statement_id)
    if shops is not None and found.shop not in shops:
        raise UnknownStatement(statement_id)
    return found
