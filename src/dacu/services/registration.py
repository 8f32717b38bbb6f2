"""Registration and sign-in by phone: a one-time code by text message, then a consumer
token of the customer's own.

Nobody hands a consumer a token: asking for a code (`request_code`) and giving
it back (`verify`) registers a new phone or signs in a known one, and issues
an expiring token whose principal is that customer. Codes are kept only as an
HMAC-SHA256 under the server's secret, so the stored digests give no code
away even to someone who reads the table and tries all million.
"""

import hashlib
import hmac
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

import phonenumbers

from dacu.domain.access import Role
from dacu.domain.acquisition import SignUpCodes
from dacu.domain.errors import InvalidRule
from dacu.domain.registration import (
    CODE_DIGITS,
    CODE_TTL,
    CONSUMER_TOKEN_TTL,
    LIMITS,
    MAX_TRIES,
    RESEND_AFTER,
    CodeExpired,
    PendingCode,
    Profile,
    Scope,
    WrongCode,
    refused,
)
from dacu.domain.risk import NOBODY, Identity, Verdict
from dacu.services.access import AccessService
from dacu.services.ports.acquisition import NewMembers
from dacu.services.ports.messages import Messages
from dacu.services.ports.registration import CustomerRegistry, VerificationCodes

MAX_ADDRESS = 64
KEEP_CODES = timedelta(days=1)  # long past any code's expiry and the minute between codes
log = logging.getLogger("dacu.registration")
Screen = Callable[[str, bool, Identity], Verdict]


def mainland_mobile(phone: str) -> str:
    """A mainland China mobile number in E.164 (+86…), from how a person types it;
    `InvalidRule` naming `phone` for anything else."""
    try:
        number = phonenumbers.parse(phone[:32], "CN")
    except phonenumbers.NumberParseException:
        raise InvalidRule("phone", "not a phone number") from None
    mobile = (
        phonenumbers.is_valid_number(number)
        and phonenumbers.region_code_for_number(number) == "CN"
        and phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.MOBILE
    )
    if not mobile:
        raise InvalidRule("phone", "must be a mainland China mobile number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def six_digits() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


@dataclass(frozen=True, slots=True)
class CodeSent:
    phone: str  # E.164
    expires_at: datetime
    resend_after: int  # seconds


@dataclass(frozen=True, slots=True)
class SignedIn:
    token: str
    customer_id: str
    expires_at: datetime
    new: bool  # registered just now
    codes: dict[str, str] = field(default_factory=dict)  # each code given → what became of it


class RegistrationService:
    def __init__(
        self,
        codes: VerificationCodes,
        customers: CustomerRegistry,
        messages: Messages,
        access: AccessService,
        clock: Callable[[], datetime],
        ids: Callable[[], str],
        secret: bytes,
        make_code: Callable[[], str] = six_digits,
        joined: NewMembers | None = None,
    ) -> None:
        self._joined = joined  # acquisition: referrals and welcome rewards
        self._codes, self._customers, self._messages = codes, customers, messages
        self._access, self._clock, self._ids = access, clock, ids
        self._secret, self._make_code = secret, make_code
        self.screen: Screen | None = None  # the risk check: who signed in, new, from where

    def digest(self, phone: str, code: str) -> str:
        """The stored form of `code` sent to `phone`."""
        message = f"{phone}:{code}".encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()

    def request_code(self, phone: str, address: str) -> CodeSent:
        """Send a new code to the phone, unless it or the address asked too often lately
        (`RateLimited`, nothing sent or counted)."""
        phone = mainland_mobile(phone)
        now, code = self._clock(), self._make_code()
        pending = PendingCode(phone, self.digest(phone, code), now, now + CODE_TTL)
        keys = {Scope.PHONE: phone, Scope.ADDRESS: address[:MAX_ADDRESS] or "unknown"}
        refusal = self._codes.issue(
            pending, now - RESEND_AFTER, [(limit, keys[limit.scope]) for limit in LIMITS]
        )
        if refusal is not None:
            raise refused(refusal)
        minutes = CODE_TTL.seconds // 60
        self._messages.send(
            phone, f"【大促】验证码 {code}，{minutes} 分钟内有效，请勿告诉他人。", now
        )
        return CodeSent(phone, pending.expires_at, RESEND_AFTER.seconds)

    def verify(
        self,
        phone: str,
        code: str,
        codes: SignUpCodes | None = None,
        identity: Identity = NOBODY,
    ) -> SignedIn:
        """Register the phone's customer (or find them) and sign them in, for the code sent
        to it; `WrongCode` or `CodeExpired` naming `code` otherwise. A new member's
        invite, merchant or share code (`codes`) is honoured after the registration,
        unless the risk check blocks it: a blocked member signs in, with no rewards."""
        phone = mainland_mobile(phone)
        if len(code) != CODE_DIGITS or not code.isascii() or not code.isdigit():
            raise InvalidRule("code", f"must be the {CODE_DIGITS} digits sent to the phone")
        now = self._clock()
        stored = self._codes.try_code(phone, now, MAX_TRIES)
        if stored is None:
            raise CodeExpired("no code is waiting for that phone: ask for a new one", "code")
        given = self.digest(phone, code)
        if not hmac.compare_digest(stored, given):
            raise WrongCode("that is not the code sent to the phone", "code")
        if not self._codes.use(phone, given, now):
            raise CodeExpired("that code was used already: ask for a new one", "code")
        customer_id, new = self._customers.register(phone, self._ids(), now)
        issued = self._access.issue(customer_id, Role.CONSUMER, ttl=CONSUMER_TOKEN_TTL)
        verdict = self._screened(customer_id, new, replace(identity, phone=phone))
        notes: dict[str, str] = {}
        if verdict is not Verdict.BLOCK:
            notes = self._join(customer_id, new, codes or SignUpCodes(), now)
        return SignedIn(issued.token, customer_id, issued.expires_at, new, notes)

    def _screened(self, customer_id: str, new: bool, identity: Identity) -> Verdict:
        if self.screen is None:
            return Verdict.ALLOW
        try:
            return self.screen(customer_id, new, identity)
        except Exception:
            log.exception("the risk check of a sign-in failed")
            return Verdict.ALLOW

    def _join(
        self, customer_id: str, new: bool, codes: SignUpCodes, now: datetime
    ) -> dict[str, str]:
        """Acquisition's part; the member is registered and signed in whatever it does."""
        if self._joined is None:
            return {}
        try:
            return self._joined.joined(customer_id, new, codes, now)
        except Exception:
            log.exception("acquisition after a verification failed")
            return {}

    def prune(self) -> int:
        """Forget codes sent a day ago or more and the counts of windows that have closed;
        how many (run by `dacu sweep`)."""
        now = self._clock()
        return self._codes.prune(now - KEEP_CODES, [(limit, limit.window(now)) for limit in LIMITS])

    def profile(self, customer_id: str) -> Profile:
        """What the server knows of the customer; a consumer known only by a token (no
        profile yet) is unverified, with no phone and no tier."""
        found = self._customers.profile(customer_id)
        return found or Profile(customer_id, None, False, None, None)

    def set_tier(self, customer_id: str, tier: str | None, actor: str) -> Profile:
        """The customer's member tier (None: not a member), set by `actor`, audited."""
        if tier is not None and not tier.strip():
            raise InvalidRule("tier", "must not be blank; send null for no tier")
        return self._customers.set_tier(customer_id, tier, actor, self._clock())
