"""Codes, their limits, customers and text messages in memory, kept as the SQL stores
keep them."""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from dacu.domain.registration import RESEND, Limit, PendingCode, Profile, UnknownCustomer


@dataclass
class FakeCodes:
    codes: dict[str, PendingCode] = field(default_factory=dict)
    tries: Counter[str] = field(default_factory=Counter)
    asked: Counter[tuple[str, str, int]] = field(default_factory=Counter)

    def issue(
        self, code: PendingCode, not_sent_after: datetime, counted: Sequence[tuple[Limit, str]]
    ) -> str | None:
        earlier = self.codes.get(code.phone)
        if earlier is not None and earlier.sent_at > not_sent_after:
            return RESEND
        keys = [(lim.name, holder, lim.window(code.sent_at)) for lim, holder in counted]
        for (limit, _), key in zip(counted, keys, strict=True):
            if self.asked[key] + 1 > limit.most:
                return limit.name
        self.asked.update(keys)
        self.codes[code.phone], self.tries[code.phone] = code, 0
        return None

    def try_code(self, phone: str, now: datetime, max_tries: int) -> str | None:
        code = self.codes.get(phone)
        if code is None or self.tries[phone] >= max_tries or code.expires_at <= now:
            return None
        self.tries[phone] += 1
        return code.digest

    def use(self, phone: str, digest: str, now: datetime) -> bool:
        code = self.codes.get(phone)
        if code is None or code.digest != digest or code.expires_at <= now:
            return False
        self.codes[phone] = replace(code, expires_at=code.sent_at)
        return True

    def prune(self, before: datetime, windows: Sequence[tuple[Limit, int]]) -> int:
        old = [phone for phone, code in self.codes.items() if code.sent_at < before]
        for phone in old:
            del self.codes[phone]
        current = {limit.name: window for limit, window in windows}
        closed = [key for key in self.asked if key[2] < current.get(key[0], key[2])]
        for key in closed:
            del self.asked[key]
        return len(old) + len(closed)


@dataclass
class FakeRegistry:
    customers: dict[str, Profile] = field(default_factory=dict)
    audit: list[tuple[str, str, str | None]] = field(default_factory=list)

    def register(self, phone: str, new_id: str, now: datetime) -> tuple[str, bool]:
        for profile in self.customers.values():
            if profile.phone == phone:
                self.customers[profile.id] = replace(profile, phone_verified=True)
                return profile.id, False
        self.customers[new_id] = Profile(new_id, phone, True, None, now)
        return new_id, True

    def profile(self, customer_id: str) -> Profile | None:
        return self.customers.get(customer_id)

    def set_tier(self, customer_id: str, tier: str | None, actor: str, now: datetime) -> Profile:
        if customer_id not in self.customers:
            raise UnknownCustomer(customer_id)
        self.customers[customer_id] = replace(self.customers[customer_id], member_tier=tier)
        self.audit.append((actor, customer_id, tier))
        return self.customers[customer_id]


@dataclass
class FakeMessages:
    sent: list[tuple[str, str]] = field(default_factory=list)

    def send(self, phone: str, text: str, now: datetime) -> None:
        self.sent.append((phone, text))
