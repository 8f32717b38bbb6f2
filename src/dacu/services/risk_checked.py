"""The risk check of a flash attempt carried into the gate's own step (`CheckedTerms`).

When an action's rules weigh only velocity windows, the accounts behind identifiers
and the blacklist (`Plan.plain`), and the counters live on the gate's Redis server,
the check needs no round trip of its own: the gate's script counts the windows, adds
the account under each identifier, and refuses the attempt when a block rule's
threshold is reached — before it takes any stock. The counts come back with the
gate's answer and the rules engine judges them in full (every rule, the blacklist,
the decision logged), exactly as `assess` would have with the same counts.

The arguments follow the order `adapters/redis_scripts.py`'s `ATTEMPT_CHECKED` reads:
a tag for the hits, the number of windows and of identifiers, the account, the
identifiers' expiry and most accounts kept; then each window's span in ms, the count
past which its rule fires and whether it blocks (1) or not (0); then for each
identifier the accounts at which a rule fires and at which a block rule fires (-1:
none). The step answers whether it refused, whether any rule fired (when none did and
the rules weigh no blacklist, the engine has nothing to judge or log), the counts, and
the identifiers' accounts. The blacklist's blocking entries were asked from memory
before the step (`RiskEngine.known`).
"""

from collections.abc import Callable
from typing import Any

from dacu.services.ports.flash import CheckedTerms
from dacu.services.risk_plan import Plan

Judge = Callable[[dict[str, int], dict[str, int] | None], object]
NONE = -1


def terms(
    plan: Plan,
    wanted: list[tuple[str, str, int]],
    keys: list[str],
    ask: Any,
    tag: str,
    judge: Judge,
) -> CheckedTerms:
    """The terms of one check: `wanted` the windows (code, counter, seconds) at `keys`,
    `ask` the identifiers' calls (`SharedAsk`), `judge` what the counts are given to."""
    account, ttl, most = ask.calls[0][2] if ask.calls else ("", 0, 0)
    args: list[Any] = [tag, len(wanted), len(ask.calls), account, ttl, most]
    for code, _, window in wanted:
        args += [window * 1000, *plan.limits[code]]
    for kind in ask.kinds:
        args += [plan.least.get(kind, NONE), plan.blocking.get(kind, NONE)]
    shared_keys = [call[1][0] for call in ask.calls]

    def answered(reply: Any) -> object:
        _, fired, counts, shared = reply
        kept = ask.answer(list(shared)) if plan.kinds else None  # floors read again when due
        if not fired and not plan.listing:
            return None  # no rule fired: a plain allow, nothing to log
        found = {code: int(n) for (code, _, _), n in zip(wanted, counts, strict=True)}
        return judge(found, kept)

    return CheckedTerms([*keys, *shared_keys], args, answered)
