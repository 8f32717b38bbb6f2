"""The attack set's table at the end of `dacu simulate`: per kind, the money tried and got,
and how the risk check's blocks and reviews matched the labels."""

from typing import TYPE_CHECKING

from rich import box
from rich.table import Table

if TYPE_CHECKING:
    from dacu.services.simulation.attack_score import Score

KIND_ZH = {
    "invite_farm": "邀请刷量 farm",
    "scalper_ring": "黄牛 scalpers",
    "coupon_hoard": "囤券 hoarders",
    "brushing_ring": "刷单 brushing",
    "refund_abuse": "退款 refunds",
}


def attacks_table(found: "Score") -> Table:
    from dacu.entrypoints.report_figures import Unit, text

    table = Table(title="风控 simulated attacks", box=box.SIMPLE_HEAD)
    for name in ("攻击", "账户", "企图 tried", "得手 got", "拦截", "审核",
                 "拦截 P/R", "审核 P/R"):  # fmt: skip
        table.add_column(name, justify="left" if name == "攻击" else "right", no_wrap=True)

    def bp(value: int | None) -> str:
        return "-" if value is None else f"{value // 100}%"

    for kind in found.kinds:
        table.add_row(
            KIND_ZH.get(kind.kind.value, kind.kind.value),
            str(kind.accounts),
            text(kind.tried // 100 * 100, Unit.FEN).removesuffix(".00"),
            text(kind.got // 100 * 100, Unit.FEN).removesuffix(".00"),
            str(kind.blocked),
            str(kind.held),
            f"{bp(kind.block_precision_bp)} / {bp(kind.block_recall_bp)}",
            f"{bp(kind.review_precision_bp)} / {bp(kind.review_recall_bp)}",
        )
    table.caption = (
        f"正常用户误拦 honest wrongly stopped: {found.honest_stopped} of {found.honest:,} "
        f"(blocked {found.honest_blocked}, held {found.honest_held}); sharing an address or "
        f"an IP: {found.sharing_stopped} of {found.sharing}. 拦截 blocked, 审核 held, "
        "P/R precision / recall (%, cut), money in whole yuan"
    )
    return table
