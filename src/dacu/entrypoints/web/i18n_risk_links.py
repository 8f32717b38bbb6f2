"""The words of the linked-accounts screen (关联账户), Chinese first. They join the
console's `LABELS` when this module is imported (by the screen's module)."""

from dacu.entrypoints.web.i18n import LABELS

RISK_LINK_LABELS: dict[str, tuple[str, str]] = {
    "risk_links": ("关联账户", "Linked accounts"),
    "risk_links_roles": (
        "仅风控和运营可查看关联账户。",
        "Only risk and operators see linked accounts.",
    ),
    "risk_links_rule": (
        "共用设备、支付账户、收货地址或手机号的账户归为一簇；IP只计数不归簇（运营商NAT、办公网）。",
        "Accounts sharing a device, payment account, delivery address or phone form one "
        "cluster; an IP is counted but ties nobody (carrier NAT, offices).",
    ),
    "risk_links_customer": ("账户", "Account"),
    "risk_links_find": ("查询", "Look up"),
    "risk_links_unknown": ("从未见过该账户", "No account seen with that id"),
    "risk_links_cluster": ("所在簇", "Cluster"),
    "risk_links_size": ("账户数", "Accounts"),
    "risk_links_first": ("最早出现", "First seen"),
    "risk_links_age": ("簇龄（天）", "Age (days)"),
    "risk_links_shared": ("标识（已脱敏）", "Identifiers (masked)"),
    "risk_links_kind": ("类型", "Kind"),
    "risk_links_hash": ("摘要", "Hash"),
    "risk_links_accounts": ("共用账户数", "Accounts sharing"),
    "risk_links_times": ("出现次数", "Times seen"),
    "risk_links_last": ("最近出现", "Last seen"),
    "risk_links_merges": ("归簇", "Ties"),
    "risk_links_members": ("簇内账户", "Members"),
    "risk_links_more": ("下一页", "Next page"),
    "risk_links_kind.device": ("设备", "Device"),
    "risk_links_kind.ip": ("IP", "IP"),
    "risk_links_kind.address": ("收货地址", "Delivery address"),
    "risk_links_kind.payment_account": ("支付账户", "Payment account"),
    "risk_links_kind.phone": ("手机号", "Phone"),
    "risk_links_yes": ("是", "yes"),
    "risk_links_no": ("否", "no"),
}

LABELS |= RISK_LINK_LABELS
