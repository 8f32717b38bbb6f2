"""The attack set's score: labels against the risk check's decisions, money tried and got.

An account is *blocked* when any decision about it was a block, *held* when none
was a block and one was a review. Per attack kind the figures are the money the
kind tried to take and what it got (fen), and the precision and recall of blocks
and of reviews, each taking that kind's accounts as the positives and the honest
accounts as the negatives (precision = stopped attackers / every stopped account
among them). The honest row counts the honest accounts wrongly stopped.

Pure: the run gives the labels, the decisions and the sums.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from dacu.domain.risk import Verdict
from dacu.domain.types import FULL_BP, Bp, Fen
from dacu.services.simulation.attackers import ATTACKS, Actor, GroupKind

_WORST = {Verdict.ALLOW: 0, Verdict.REVIEW: 1, Verdict.BLOCK: 2}


@dataclass(frozen=True, slots=True)
class KindScore:
    kind: GroupKind
    accounts: int
    tried: Fen  # the money the kind set out to take
    got: Fen  # what it took
    blocked: int  # accounts with a block
    held: int  # accounts with a review and no block
    block_precision_bp: Bp | None  # None: nothing blocked
    block_recall_bp: Bp
    review_precision_bp: Bp | None
    review_recall_bp: Bp

    @property
    def kept_bp(self) -> Bp:
        """Of what it tried, what it got."""
        return ratio_bp(self.got, self.tried) or 0


@dataclass(frozen=True, slots=True)
class Score:
    kinds: tuple[KindScore, ...]
    honest: int  # honest accounts: the crowd, households and offices
    honest_blocked: int
    honest_held: int
    sharing: int  # of them, in households and offices (sharing an address or an IP)
    sharing_stopped: int  # of those, blocked or held

    @property
    def honest_stopped(self) -> int:
        return self.honest_blocked + self.honest_held

    @property
    def tried(self) -> Fen:
        return sum(k.tried for k in self.kinds)

    @property
    def got(self) -> Fen:
        return sum(k.got for k in self.kinds)


def ratio_bp(part: int, whole: int) -> Bp | None:
    """`part` of `whole` in basis points, rounded down; None of nothing."""
    return part * FULL_BP // whole if whole > 0 else None


def worst(verdicts: Iterable[Verdict]) -> Verdict:
    found = Verdict.ALLOW
    for verdict in verdicts:
        if _WORST[verdict] > _WORST[found]:
            found = verdict
    return found


def score(
    actors: Iterable[Actor],
    decided: Mapping[str, Verdict],
    tried: Mapping[GroupKind, Fen],
    got: Mapping[GroupKind, Fen],
    crowd: int = 0,
) -> Score:
    """`decided`: each account's worst verdict (absent: only allows); an account decided
    on that is none of `actors` is one of the `crowd` of honest shoppers."""
    verdict_of: dict[GroupKind, list[Verdict]] = {}
    labelled = set()
    for actor in actors:
        labelled.add(actor.id)
        verdict_of.setdefault(actor.kind, []).append(decided.get(actor.id, Verdict.ALLOW))
    sharing = [v for kind, seen in verdict_of.items() if not kind.attack for v in seen]
    honest = sharing + [v for who, v in decided.items() if who not in labelled]
    honest_blocked = honest.count(Verdict.BLOCK)
    honest_held = honest.count(Verdict.REVIEW)
    kinds = []
    for kind in ATTACKS:
        seen = verdict_of.get(kind, [])
        blocked, held = seen.count(Verdict.BLOCK), seen.count(Verdict.REVIEW)
        kinds.append(
            KindScore(
                kind,
                len(seen),
                tried.get(kind, 0),
                got.get(kind, 0),
                blocked,
                held,
                ratio_bp(blocked, blocked + honest_blocked),
                ratio_bp(blocked, len(seen)) or 0,
                ratio_bp(held, held + honest_held),
                ratio_bp(held, len(seen)) or 0,
            )
        )
    stopped = len(sharing) - sharing.count(Verdict.ALLOW)
    return Score(
        tuple(kinds), len(sharing) + crowd, honest_blocked, honest_held, len(sharing), stopped
    )


def score_json(found: Score) -> dict[str, object]:
    """The score as the run's summary file carries it."""
    return {
        "kinds": {
            k.kind.value: {
                "accounts": k.accounts,
                "tried_fen": k.tried,
                "got_fen": k.got,
                "kept_bp": k.kept_bp,
                "blocked": k.blocked,
                "held": k.held,
                "block_precision_bp": k.block_precision_bp,
                "block_recall_bp": k.block_recall_bp,
                "review_precision_bp": k.review_precision_bp,
                "review_recall_bp": k.review_recall_bp,
            }
            for k in found.kinds
        },
        "honest": {
            "accounts": found.honest,
            "blocked": found.honest_blocked,
            "held": found.honest_held,
            "sharing_address_or_ip": found.sharing,
            "sharing_stopped": found.sharing_stopped,
        },
        "tried_fen": found.tried,
        "got_fen": found.got,
    }
