"""Registering and signing in by phone: one-time codes, how long they live, how often one
may be asked for, and what a customer's profile shows of them.

A code is six random digits, kept only as a keyed digest, good for five minutes
and five tries. A phone may ask for one code a minute and ten a day; one client
address for twenty an hour. The limits are counted where every API process
sees them (the database), so running more processes does not raise them.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import ClassVar

from dacu.domain.errors import DomainError, ErrorCode, NotFound

CODE_DIGITS = 6
CODE_TTL = timedelta(minutes=5)
MAX_TRIES = 5  # wrong tries that use a code up
RESEND_AFTER = timedelta(seconds=60)  # one code a minute for a phone
CONSUMER_TOKEN_TTL = timedelta(days=30)  # a consumer's own token, from signing in


class Scope(StrEnum):
    PHONE = "phone"
    ADDRESS = "address"  # the client's network address


@dataclass(frozen=True, slots=True)
class Limit:
    """At most `most` codes asked for per `scope` key in each fixed window of `seconds`
    (windows start at local midnight, so a day is a calendar day in Shanghai)."""

    name: str
    scope: Scope
    seconds: int
    most: int

    def window(self, now: datetime) -> int:
        offset = now.utcoffset()
        local = now.timestamp() + (offset.total_seconds() if offset else 0)
        return int(local // self.seconds)


PHONE_DAILY = Limit("phone_daily", Scope.PHONE, 86_400, 10)
ADDRESS_HOURLY = Limit("address_hourly", Scope.ADDRESS, 3_600, 20)
LIMITS = (PHONE_DAILY, ADDRESS_HOURLY)
RESEND = "resend"  # the name of the one-a-minute refusal, kept with the phone's code


@dataclass(frozen=True, slots=True)
class PendingCode:
    """A code sent and not yet used, as stored: its digest only."""

    phone: str
    digest: str
    sent_at: datetime
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class Profile:
    id: str
    phone: str | None
    phone_verified: bool
    member_tier: str | None
    registered_at: datetime | None


class RateLimited(DomainError):
    """Codes were asked for too often; `retry_after` says when the next may be."""

    code: ClassVar[ErrorCode] = ErrorCode.RATE_LIMITED

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message, "phone")
        self.retry_after = retry_after


class WrongCode(DomainError):
    """The code is not the one sent to that phone."""

    code: ClassVar[ErrorCode] = ErrorCode.WRONG_CODE


class CodeExpired(DomainError):
    """No code waits for that phone: none sent, expired, used, or tried too often."""

    code: ClassVar[ErrorCode] = ErrorCode.CODE_EXPIRED


class UnknownCustomer(NotFound):
    """No customer has that id."""

    code: ClassVar[ErrorCode] = ErrorCode.UNKNOWN_CUSTOMER
    noun: ClassVar[str] = "customer"


REFUSALS = {
    RESEND: ("a code was sent to that phone less than a minute ago", RESEND_AFTER.seconds),
    PHONE_DAILY.name: ("that phone has asked for 10 codes today", 3_600),
    ADDRESS_HOURLY.name: ("too many codes asked for from this address; try later", 600),
}


def refused(name: str) -> RateLimited:
    message, retry_after = REFUSALS[name]
    return RateLimited(message, retry_after)


def masked(phone: str | None) -> str | None:
    """A mainland number as shown back: 138****0000 (its country code dropped)."""
    if phone is None:
        return None
    national = phone.removeprefix("+86")
    return f"{national[:3]}****{national[-4:]}" if len(national) >= 7 else "****"
