"""The promotion kinds the engine prices, by the layer that prices them."""

from enum import StrEnum


class Kind(StrEnum):
    FLASH_PRICE = "flash_price"  # 秒杀
    PERCENT_OFF = "percent_off"  # 限时折扣
    DIRECT_OFF = "direct_off"  # 直降
    MEMBER_PRICE = "member_price"  # 会员价
    GROUP_PRICE = "group_price"  # 拼团价
    BUNDLE = "bundle"  # 搭配价
    THRESHOLD_OFF = "threshold_off"  # 满减
    THRESHOLD_DISCOUNT = "threshold_discount"  # 满折
    FIRST_ORDER_OFF = "first_order_off"  # 新人首单
    GIFT = "gift"  # 赠品


ITEM_KINDS = frozenset(
    {Kind.FLASH_PRICE, Kind.PERCENT_OFF, Kind.DIRECT_OFF, Kind.MEMBER_PRICE, Kind.GROUP_PRICE}
)
THRESHOLD_KINDS = frozenset({Kind.THRESHOLD_OFF, Kind.THRESHOLD_DISCOUNT, Kind.FIRST_ORDER_OFF})
