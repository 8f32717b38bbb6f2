"""The two payment channels (主通道, 备用支付通道) and which one new payments go to.

New payments go to the active channel: the primary until its failures and
timeouts in one window reach the threshold, then the backup — automatically
once, and back only when an operator switches by hand. Every switch, by
hand or not, is audited (by the routing store, in its own transaction) and
raises an alert; the alert of the channel left behind is cleared.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from dacu.domain.payments import UnknownChannel
from dacu.services.ports.alerts import Alerts
from dacu.services.ports.payments import ChannelErrors, ChannelRouting

SYSTEM = "system"
"""The actor of an automatic switch in the audit log."""

ALERT_KIND = "payment_switch"


def alert_subject(channel: str) -> str:
    return f"payment-channel:{channel}"


@dataclass(frozen=True, slots=True)
class ChannelConfig:
    primary: str
    backup: str
    secrets: Mapping[str, str]  # channel → the HMAC secret its callbacks are signed with
    failover_errors: int = 5  # failures or timeouts in one window that move payments off
    window_seconds: int = 60
    callback_url: str = "http://127.0.0.1:8000"  # where the simulated providers call back

    @classmethod
    def simulated(cls, secret: str) -> "ChannelConfig":
        """The built-in simulated providers' two channels, both signing with `secret`."""
        return cls("simpay", "simpay-backup", dict.fromkeys(("simpay", "simpay-backup"), secret))


@dataclass(frozen=True, slots=True)
class ChannelsView:
    primary: str
    backup: str
    active: str
    errors: Mapping[str, int]  # failures and timeouts in the current window
    failover_errors: int
    window_seconds: int


class PaymentChannels:
    def __init__(
        self, config: ChannelConfig, routing: ChannelRouting, errors: ChannelErrors, alerts: Alerts
    ) -> None:
        self.config, self._routing, self._errors, self._alerts = config, routing, errors, alerts

    @property
    def names(self) -> tuple[str, str]:
        return self.config.primary, self.config.backup

    def secret(self, channel: str) -> str:
        """The channel's callback secret; UnknownChannel if it is not one of ours."""
        if channel not in self.names:
            raise UnknownChannel(channel[:32])
        return self.config.secrets[channel]

    def active(self) -> str:
        """The channel new payments go to now."""
        chosen = self._routing.active()
        return chosen if chosen in self.names else self.config.primary

    def failed(self, channel: str, now: datetime) -> None:
        """Count a failure or timeout; the primary's reaching the threshold moves new
        payments to the backup."""
        counted = self._errors.add(channel, now)
        if channel != self.config.primary or counted < self.config.failover_errors:
            return
        if self.active() == self.config.primary:
            reason = (
                f"{counted} failures or timeouts of {channel} within {self.config.window_seconds} s"
            )
            self.switch(self.config.backup, SYSTEM, reason, now)

    def switch(self, to: str, actor: str, reason: str, now: datetime) -> bool:
        """Send new payments to `to`, audited, with an alert; False if they go there already."""
        self.secret(to)
        left = self._routing.switch(to, self.config.primary, actor, reason, now)
        if left is None:
            return False
        self._alerts.clear_alert(alert_subject(left), ALERT_KIND, now)
        level = "critical" if to == self.config.backup else "warning"
        message = f"new payments go to {to} (was {left}), by {actor}: {reason}"
        self._alerts.raise_alert(alert_subject(to), ALERT_KIND, level, message[:500], now)
        return True

    def view(self, now: datetime) -> ChannelsView:
        return ChannelsView(
            primary=self.config.primary,
            backup=self.config.backup,
            active=self.active(),
            errors={name: self._errors.count(name, now) for name in self.names},
            failover_errors=self.config.failover_errors,
            window_seconds=self.config.window_seconds,
        )
