"""The composition root's part for flash sales: the record, the gate, the hot path, and the
checkout that makes a paid 抢购 a full order paid through the payments path."""

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine

from dacu.adapters.flash_store import SqlFlashStore
from dacu.adapters.gates import in_thread, order_streams, stock_gate
from dacu.adapters.redis_gate import AsyncRedisGate
from dacu.adapters.unit_of_work import SqlUnitOfWork
from dacu.services.campaigns import CampaignService
from dacu.services.flash_checkout import FlashCheckout
from dacu.services.flashsales import FlashSaleService
from dacu.services.goods import GoodsService
from dacu.services.orders import OrderService
from dacu.services.payments import PaymentService
from dacu.services.ports.alerts import Alerts
from dacu.services.ports.notifications import Notifications


@dataclass(frozen=True, slots=True)
class Flashing:
    engine: Engine
    redis_url: str | None
    prefix: str
    hot: AsyncRedisGate | None
    alerts: Alerts
    notifications: Notifications
    uow: Callable[[], SqlUnitOfWork]

    def sales(
        self,
        campaigns: CampaignService,
        goods: GoodsService,
        orders: OrderService,
        payments: PaymentService,
    ) -> FlashSaleService:
        """Flash sales on the Redis gate when configured, else the SQL gate."""
        store = SqlFlashStore(self.engine)
        gate = stock_gate(self.engine, self.redis_url, self.prefix)
        checkout = FlashCheckout(
            store,
            gate,
            self.uow,
            goods.skus,
            orders,
            payments,
            campaigns.is_open,
            campaigns.get,
        )
        return FlashSaleService(
            store,
            gate,
            self.alerts,
            self.notifications,
            hot=self.hot,
            streams=order_streams(self.engine, self.redis_url, self.prefix),
            offload=in_thread,
            live=campaigns.open_now,
            checkout=checkout,
        )
