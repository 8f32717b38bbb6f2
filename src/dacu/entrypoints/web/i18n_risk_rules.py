"""The words of the risk rules screen (风控规则), Chinese first. They join the console's
`LABELS` when this module is imported (by the screen's module)."""

from dacu.entrypoints.web.i18n import LABELS

RISK_RULE_LABELS: dict[str, tuple[str, str]] = {
    "risk_rules": ("风控规则", "Risk rules"),
    "rr_roles": (
        "仅风控、运营和客服可查看风控规则。",
        "Only risk, operators and service see the rules.",
    ),
    "rr_risk_only": ("仅风控可发布规则。", "Only risk publishes rules."),
    "rr_rule": (
        "命中多条规则时取最严结论（拦截 > 审核 > 放行），分数累加，上限1000；各进程约1秒内生效。",
        "The strongest verdict wins (block > review > allow), scores add up to 1000; "
        "every process uses a new version within about a second.",
    ),
    "rr_active": ("当前版本", "Active version"),
    "rr_defaults": ("默认规则（risk.yaml）", "Packaged defaults (risk.yaml)"),
    "rr_version": ("版本", "Version"),
    "rr_by": ("发布人", "By"),
    "rr_at": ("时间", "When"),
    "rr_code": ("规则代码", "Code"),
    "rr_kind": ("类型", "Kind"),
    "rr_actions": ("适用行为", "Actions"),
    "rr_verdict": ("结论", "Verdict"),
    "rr_score": ("分数", "Score"),
    "rr_history": ("历史版本", "History"),
    "rr_none": ("尚未发布过规则。", "No version applied yet."),
    "rr_apply": ("发布新版本", "Apply a new version"),
    "rr_file": ("规则文件（YAML）", "Rules file (YAML)"),
    "rr_applied": ("已发布版本", "Applied version"),
    "rr_refused": ("规则文件有误", "Rules file refused"),
    "rr_verdict.review": ("人工审核", "Review"),
    "rr_verdict.block": ("拦截", "Block"),
}

LABELS |= RISK_RULE_LABELS
