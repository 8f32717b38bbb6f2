"""The console's words: Chinese first, English on request (`?lang=en`, then a cookie)."""

from collections.abc import Callable
from enum import StrEnum

from starlette.requests import Request

from dacu.entrypoints.web.i18n_acquisition import ACQUISITION_LABELS
from dacu.entrypoints.web.i18n_appeals import APPEAL_LABELS
from dacu.entrypoints.web.i18n_budgets import BUDGET_LABELS
from dacu.entrypoints.web.i18n_coins import COINS_LABELS
from dacu.entrypoints.web.i18n_events import EVENT_LABELS
from dacu.entrypoints.web.i18n_goods import GOODS_LABELS
from dacu.entrypoints.web.i18n_lottery import LOTTERY_LABELS
from dacu.entrypoints.web.i18n_rebates import REBATE_LABELS
from dacu.entrypoints.web.i18n_rewards import REWARD_LABELS
from dacu.entrypoints.web.i18n_settlement import SETTLEMENT_LABELS

LANG_COOKIE = "dacu_lang"


class Lang(StrEnum):
    ZH = "zh"
    EN = "en"

    @property
    def html(self) -> str:
        return "zh-CN" if self is Lang.ZH else "en"

    @property
    def other(self) -> "Lang":
        return Lang.EN if self is Lang.ZH else Lang.ZH


# key → (中文, English). A missing key fails the page rather than showing a raw key.
LABELS: dict[str, tuple[str, str]] = {
    # chrome
    "console": ("大促运营台", "Campaign console"),
    "campaigns": ("活动", "Campaigns"),
    "alerts": ("告警", "Alerts"),
    "cases": ("案例库", "Case library"),
    "logout": ("退出", "Sign out"),
    "switch": ("English", "中文"),
    "signed_in_as": ("当前用户", "Signed in as"),
    "login": ("登录", "Sign in"),
    "token": ("访问令牌", "Access token"),
    "login_hint": (
        "用 dacu token issue 为运营、财务、风控或客服签发令牌。",
        "Issue a token for an operator, finance, risk or service user with dacu token issue.",
    ),
    "bad_token": ("令牌无效", "That token is not known"),
    "forbidden": ("无权限", "Not allowed"),
    "not_staff": (
        "此页面仅对运营、财务、风控、客服开放。",
        "This console is for staff roles only.",
    ),
    "not_found": ("未找到", "Not found"),
    "no_campaign": ("没有这个活动", "There is no such campaign"),
    "refused": ("请求被拒绝", "Request refused"),
    # campaign list
    "id": ("编号", "ID"),
    "theme": ("主题", "Theme"),
    "status": ("状态", "Status"),
    "version": ("版本", "Version"),
    "standing_alerts": ("未解除告警", "Standing alerts"),
    "dashboard": ("数据看板", "Dashboard"),
    "promotions": ("促销", "Promotions"),
    "no_campaigns": ("还没有活动。", "No campaigns yet."),
    # dashboard
    "phase": ("阶段", "Phase"),
    "budget": ("预算", "Budget"),
    "refreshed_at": ("更新于", "Updated"),
    "auto_refresh": ("每 5 秒自动刷新", "Refreshes every 5 s"),
    "gmv": ("成交额 GMV", "GMV"),
    "orders": ("订单", "Orders"),
    "payments": ("支付", "Paid"),
    "paid_orders": ("支付订单", "Paid orders"),
    "orderers_count": ("下单人数", "Ordering customers"),
    "payers_count": ("支付人数", "Paying customers"),
    "active": ("活跃用户", "Active users"),
    "sku_views": ("商品浏览", "Product views"),
    "registrations": ("注册", "Registrations"),
    "aov": ("客单价", "AOV"),
    "uv": ("访客 UV", "Visitors (UV)"),
    "pv": ("浏览 PV", "Page views (PV)"),
    "new_users": ("新用户", "New users"),
    "conversion": ("转化率", "Conversion"),
    "refund_rate": ("退款率", "Refund rate"),
    "refunded": ("退款", "Refunded"),
    "coupons": ("优惠券", "Coupons"),
    "claims_uses": ("领券 / 用券", "Claimed / used"),
    "claimers": ("领券人数", "Claimers"),
    "claim_rate": ("领券率", "Claim rate"),
    "use_rate": ("核销率", "Use rate"),
    "repurchase": ("复购率", "Repurchase"),
    "repeat_buyers": ("复购人数", "Repeat buyers"),
    "budget_used": ("预算使用", "Budget used"),
    "platform_spend": ("平台补贴", "Platform spend"),
    "roi": ("ROI", "ROI"),
    "error_rate": ("错误率", "Error rate"),
    "errors": ("错误", "Errors"),
    "hourly_gmv": ("每小时成交额", "GMV by hour"),
    "hourly_orders": ("每小时订单", "Orders by hour"),
    "channel_gmv": ("渠道成交占比", "GMV by channel"),
    "funnel": ("转化漏斗", "Funnel"),
    "carters": ("加购", "Added to cart"),
    "orderers": ("下单", "Ordered"),
    "payers": ("支付", "Paid"),
    "step_rate": ("环节转化", "Step rate"),
    "channels": ("渠道", "Channels"),
    "segments": ("新客 / 老客", "New / returning"),
    "top_skus": ("热销商品", "Top SKUs"),
    "sku": ("商品", "SKU"),
    "views": ("浏览", "Views"),
    "carts": ("加购", "Carts"),
    "units": ("件数", "Units"),
    "targets": ("目标达成", "Targets"),
    "metric": ("指标", "Metric"),
    "target": ("目标", "Target"),
    "actual": ("实际", "Actual"),
    "achievement": ("达成率", "Achieved"),
    "met": ("已达成", "Met"),
    "not_met": ("未达成", "Not met"),
    "no_alerts": ("没有告警。", "No alerts."),
    "no_data": ("暂无数据", "No data yet"),
    "raised_at": ("触发时间", "Raised"),
    "cleared_at": ("解除时间", "Cleared"),
    "standing": ("未解除", "Standing"),
    "cleared": ("已解除", "Cleared"),
    "level": ("级别", "Level"),
    "kind": ("类型", "Kind"),
    "subject": ("对象", "Subject"),
    "message": ("内容", "Message"),
    "stock_alerts": ("库存告警", "Stock alerts"),
    "campaign_alerts": ("活动告警", "Campaign alerts"),
    # promotions
    "promotion": ("促销", "Promotion"),
    "level_col": ("层级", "Level"),
    "kill": ("停用", "Kill"),
    "revive": ("恢复", "Revive"),
    "confirm_kill": ("立即停用此促销？下一次报价起生效。", "Kill this promotion now?"),
    "confirm_revive": ("恢复此促销？", "Bring this promotion back?"),
    "killed_now": ("已停用", "Killed"),
    "revived_now": ("已恢复", "Revived"),
    "promotion_active": ("生效中", "Active"),
    "promotion_idle": ("未在时段", "Outside its window"),
    "promotion_killed": ("已停用", "Killed"),
    "kill_roles": ("仅运营和风控可停用促销。", "Only operators and risk may kill promotions."),
    "any_phase": ("全程", "Every phase"),
    # payment channels
    "payment_channels": ("支付通道", "Payment channels"),
    "channel": ("通道", "Channel"),
    "channel_role": ("角色", "Role"),
    "channel_primary": ("主通道", "Primary"),
    "channel_backup": ("备用通道", "Backup"),
    "channel_in_use": ("使用中", "In use"),
    "channel_standby": ("待命", "Standby"),
    "channel_errors": ("本窗口失败/超时", "Failures this window"),
    "failover_rule": ("自动切换阈值", "Fails over after"),
    "switch_here": ("切换到此通道", "Switch here"),
    "confirm_switch": ("新支付将走此通道，确定切换？", "Send new payments to this channel?"),
    "switched_now": ("已切换，新支付走", "Switched; new payments go to"),
    "switch_roles": ("仅运营可切换支付通道。", "Only operators may switch channels."),
    # budgets
    "budget_rule": (
        "平台出资的优惠从预算中扣减，用尽即停",
        "Platform shares draw on the budget; spent, they stop",
    ),
    "budget_none": (
        "本活动未设预算：平台出资不设上限。",
        "No budget set: platform shares are not capped.",
    ),
    "budget_total": ("总预算", "Total"),
    "budget_reserve": ("应急预留", "Contingency reserve"),
    "budget_released": ("已释放", "Released"),
    "budget_cap": ("可用上限", "Cap"),
    "budget_drawn": ("已占用", "Drawn"),
    "budget_left": ("剩余", "Left"),
    "budget_burn": ("已核销支出", "Spent on paid orders"),
    "budget_releases": ("应急预算释放记录", "Reserve releases"),
    "budget_lines": ("拉新促活预算", "Growth budget lines"),
    "line_name": ("项目", "Line"),
    "line_welcome": ("新人红包", "Welcome red packets"),
    "line_invites": ("邀请奖励", "Invite rewards"),
    "line_merchant_codes": ("商家返利", "Merchant rebates"),
    "line_lottery": ("摇摇欲坠抽奖", "Lottery"),
    "line_coins": ("智慧币", "Coins"),
    "line_tasks": ("每日任务", "Daily tasks"),
    "line_redemption": ("赚币换购", "Coin redemptions"),
    "no_releases": ("应急预留尚未释放。", "None of the reserve is released."),
    "actor": ("操作人", "By"),
    "amount": ("金额", "Amount"),
    "reason": ("原因", "Reason"),
    "release_amount": ("释放金额（元）", "Amount to release (yuan)"),
    "release_roles": ("仅运营可释放应急预算。", "Only operators may release the reserve."),
    "released_now": ("已释放", "Released"),
    # cases
    "no_cases": ("案例库还是空的。", "The case library is empty."),
    "period": ("活动时间", "Period"),
    "archived_at": ("归档于", "Archived"),
    "highlights": ("亮点", "Highlights"),
    "shortfalls": ("不足", "Shortfalls"),
    # campaign status and phase
    "status.draft": ("草稿", "Draft"),
    "status.live": ("进行中", "Live"),
    "status.paused": ("已暂停", "Paused"),
    "status.ended": ("已结束", "Ended"),
    "phase.preparation": ("筹备期", "Preparation"),
    "phase.warm_up": ("预热期", "Warm-up"),
    "phase.burst": ("爆发期", "Burst"),
    "phase.encore": ("返场期", "Encore"),
    "phase.review": ("总结期", "Review"),
    "phase.none": ("不在阶段内", "Between phases"),
    # channels and segments
    "channel.app": ("App", "App"),
    "channel.mini_program": ("小程序", "Mini program"),
    "channel.web": ("网页", "Web"),
    "channel.share_link": ("分享链接", "Share link"),
    "segment.new": ("新客", "New"),
    "segment.returning": ("老客", "Returning"),
    # promotion kinds and levels
    "kind.flash_price": ("秒杀", "Flash price"),
    "kind.percent_off": ("限时折扣", "Percent off"),
    "kind.direct_off": ("直降", "Direct off"),
    "kind.member_price": ("会员价", "Member price"),
    "kind.group_price": ("拼团价", "Group price"),
    "kind.bundle": ("搭配价", "Bundle"),
    "kind.threshold_off": ("满减", "Spend & save"),
    "kind.threshold_discount": ("满折", "Spend & discount"),
    "kind.first_order_off": ("新人首单", "First order off"),
    "kind.gift": ("赠品", "Gift"),
    "level.item": ("单品级", "Item"),
    "level.shop": ("店铺级", "Shop"),
    "level.platform": ("平台级", "Platform"),
    # target metrics
    "metric.gmv": ("成交额", "GMV"),
    "metric.orders": ("订单数", "Orders"),
    "metric.paid_orders": ("支付订单", "Paid orders"),
    "metric.buyers": ("买家数", "Buyers"),
    "metric.uv": ("访客数", "Visitors"),
    "metric.pv": ("浏览量", "Page views"),
    "metric.new_users": ("新用户", "New users"),
    "metric.registrations": ("注册数", "Registrations"),
    "metric.aov": ("客单价", "AOV"),
    "metric.conversion_bp": ("转化率", "Conversion"),
    "metric.coupon_claims": ("领券数", "Coupons claimed"),
    "metric.coupon_uses": ("用券数", "Coupons used"),
    "metric.shares": ("分享数", "Shares"),
    "metric.sku_units": ("单品件数", "SKU units"),
    "metric.sku_gmv": ("单品成交额", "SKU GMV"),
    # roles
    "role.operator": ("运营", "Operator"),
    "role.finance": ("财务", "Finance"),
    "role.risk": ("风控", "Risk"),
    "role.service": ("客服", "Service"),
    # alerts
    "alert.sold_out": ("售罄", "Sold out"),
    "alert.stock_low": ("库存紧张", "Stock low"),
    "alert.budget_80": ("预算已用 80%", "Budget 80% used"),
    "alert.budget_100": ("预算用尽", "Budget used up"),
    "alert.error_rate": ("错误率升高", "Errors rising"),
    "alert.payment_switch": ("支付通道切换", "Payment channel switched"),
    "alert_level.info": ("提示", "Info"),
    "alert_level.warning": ("警告", "Warning"),
    "alert_level.critical": ("严重", "Critical"),
}
LABELS |= ACQUISITION_LABELS | REBATE_LABELS | COINS_LABELS | LOTTERY_LABELS | GOODS_LABELS
LABELS |= REWARD_LABELS | SETTLEMENT_LABELS | APPEAL_LABELS | BUDGET_LABELS | EVENT_LABELS


def language(request: Request) -> Lang:
    """`?lang=` first (the switch link), then the cookie it left, then Chinese."""
    for asked in (request.query_params.get("lang"), request.cookies.get(LANG_COOKIE)):
        if asked in {lang.value for lang in Lang}:
            return Lang(asked)
    return Lang.ZH


def translator(lang: Lang) -> Callable[[str], str]:
    index = 0 if lang is Lang.ZH else 1

    def t(key: str) -> str:
        return LABELS[key][index]

    return t


def label_or_raw(lang: Lang) -> Callable[[str, str], str]:
    """For values from outside the console's vocabulary (a new alert kind, say):
    the label when there is one, else the value itself."""
    index = 0 if lang is Lang.ZH else 1

    def t(prefix: str, value: str) -> str:
        found = LABELS.get(f"{prefix}.{value}")
        return found[index] if found else value

    return t
