"""A pricing result as people read it: a Rich receipt and a step-by-step explanation."""

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from dacu.domain.money import yuan
from dacu.domain.pricing import PriceResult


def receipt(result: PriceResult, title: str = "") -> Group:
    lines = Table(title=title or None, title_justify="left", show_footer=True)
    lines.add_column("商品 SKU", footer="合计 total")
    lines.add_column("店铺 shop")
    lines.add_column("数量 qty", justify="right")
    lines.add_column("原价 list", justify="right", footer=yuan(result.list_total))
    lines.add_column("优惠 off", justify="right", footer=f"-{yuan(result.discount_total)}")
    lines.add_column("实付 payable", justify="right", footer=Text(yuan(result.payable), "bold"))
    for line in result.lines:
        lines.add_row(
            line.sku,
            line.shop,
            str(line.qty),
            yuan(line.list_amount),
            f"-{yuan(line.list_amount - line.payable)}",
            yuan(line.payable),
        )
    funded = Table(title="出资 who pays each discount", title_justify="left")
    funded.add_column("优惠 rule")
    funded.add_column("商品 SKU")
    funded.add_column("金额 amount", justify="right")
    funded.add_column("平台 platform", justify="right")
    funded.add_column("商家 merchant", justify="right")
    for line in result.lines:
        for d in line.discounts:
            funded.add_row(d.id, line.sku, yuan(d.amount), yuan(d.platform), yuan(d.merchant))
    parts: list[Table | Text] = [lines]
    if result.applied:
        parts.append(funded)
    summary = [f"实付 payable ¥{yuan(result.payable)}"]
    if result.exclusive:
        summary.append(f"独享 exclusive offer {result.exclusive} beats every stack")
    if result.used:
        summary.append("用券 wallet used: " + ", ".join(result.used))
    merchants = ", ".join(f"{shop} ¥{yuan(fen)}" for shop, fen in result.funding_merchants.items())
    summary.append(f"出资 platform ¥{yuan(result.funding_platform)}; merchants {merchants}")
    parts.append(Text("\n".join(summary)))
    for gift in result.gifts:
        parts.append(Text(f"赠品 gift: {gift.sku} × {gift.qty} ({gift.by})", "green"))
    for hint in result.hints:
        parts.append(
            Text(f"凑单 add ¥{yuan(hint.add)} for {hint.id} to save ¥{yuan(hint.extra_off)} more")
        )
    for warning in result.warnings:
        parts.append(Text(f"注意 {warning}", "yellow"))
    return Group(*parts)


def explanation(result: PriceResult) -> Table:
    table = Table(title="为什么 why each rule applied or not", title_justify="left")
    table.add_column("层 layer")
    table.add_column("规则 rule")
    table.add_column("生效 applied")
    table.add_column("原因 reason")
    for note in result.notes:
        table.add_row(note.layer, note.rule, "✓" if note.applied else "✗", note.reason)
    return table


def show(console: Console, result: PriceResult, title: str, explain: bool) -> None:
    console.print(receipt(result, title))
    if explain:
        console.print(explanation(result))
