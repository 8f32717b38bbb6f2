"""Payments without a database: signing and verifying callbacks, and what may follow what."""

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import pytest

from dacu.domain.errors import InvalidRule
from dacu.domain.payments import (
    AmountMismatch,
    BadSignature,
    Notice,
    Payment,
    PaymentStateError,
    PaymentStatus,
    StaleCallback,
    read_notice,
    sign,
    verify,
)

NOW = datetime(2026, 11, 11, 12, 5, tzinfo=UTC)
SECRET = "s3cret"


def created(amount: int = 39900) -> Payment:
    return Payment("pay-1", "o-1", "u-1", "simpay", amount, PaymentStatus.CREATED, NOW)


def signed(body: bytes, at: datetime = NOW) -> tuple[str, str]:
    stamp = int(at.timestamp())
    return str(stamp), sign(SECRET, stamp, body)


# --- signing ------------------------------------------------------------------------


def test_the_signature_is_hmac_sha256_over_the_timestamp_a_dot_and_the_body():
    body = b'{"amount":1}'
    expected = hmac.new(SECRET.encode(), b"1700000000." + body, hashlib.sha256).hexdigest()
    assert sign(SECRET, 1_700_000_000, body) == expected


def test_a_fresh_callback_signed_with_the_secret_verifies():
    body = Notice("pay-1", "t-1", 39900, True).body()
    stamp, signature = signed(body)
    assert verify(SECRET, stamp, body, signature, NOW + timedelta(seconds=30)) == int(stamp)


@pytest.mark.parametrize(
    "change",
    [
        lambda s, b, sig: (s, b + b" ", sig),  # the body changed after signing
        lambda s, b, sig: (str(int(s) + 1), b, sig),  # the timestamp moved
        lambda s, b, sig: (s, b, sign("another secret", int(s), b)),  # someone else's key
        lambda s, b, sig: (s, b, "0" * 64),
        lambda s, b, sig: ("1e9", b, sig),  # not whole seconds
    ],
)
def test_a_forged_or_altered_callback_does_not_verify(change):
    body = Notice("pay-1", "t-1", 39900, True).body()
    good_stamp, good_signature = signed(body)
    stamp, body, signature = change(good_stamp, body, good_signature)
    with pytest.raises(BadSignature):
        verify(SECRET, stamp, body, signature, NOW)


@pytest.mark.parametrize("minutes", [6, -6])
def test_a_callback_signed_outside_five_minutes_is_stale(minutes):
    body = Notice("pay-1", "t-1", 39900, True).body()
    stamp, signature = signed(body, NOW + timedelta(minutes=minutes))
    with pytest.raises(StaleCallback):
        verify(SECRET, stamp, body, signature, NOW)
    verify(SECRET, stamp, body, signature, NOW + timedelta(minutes=minutes))


def test_a_notice_reads_back_what_it_says():
    notice = Notice("pay-1", "t-1", 39900, False)
    assert read_notice(notice.body()) == notice


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b"not json", ""),
        (b"[]", ""),
        (b'{"payment_id":"p","transaction_id":"t","amount":1.5,"status":"succeeded"}', "amount"),
        (b'{"payment_id":"p","transaction_id":"t","amount":-1,"status":"succeeded"}', "amount"),
        (b'{"payment_id":"p","transaction_id":"t","amount":true,"status":"succeeded"}', "amount"),
        (b'{"payment_id":"","transaction_id":"t","amount":1,"status":"succeeded"}', "payment_id"),
        (b'{"payment_id":"p","transaction_id":"t","amount":1,"status":"refunded"}', "status"),
    ],
)
def test_a_notice_that_breaks_the_format_is_refused_naming_the_field(body, field):
    with pytest.raises(InvalidRule) as refused:
        read_notice(body)
    assert refused.value.field == field


# --- the payment's states ---------------------------------------------------------------


def test_a_payment_succeeds_once_and_the_same_transaction_again_changes_nothing():
    paid = created().succeed("t-1", 39900, NOW)
    assert paid.status is PaymentStatus.SUCCEEDED
    assert (paid.transaction_id, paid.paid_at) == ("t-1", NOW)
    assert paid.succeed("t-1", 39900, NOW + timedelta(minutes=1)) is paid
    with pytest.raises(PaymentStateError):
        paid.succeed("t-2", 39900, NOW)


def test_a_payment_for_another_amount_is_refused():
    with pytest.raises(AmountMismatch):
        created().succeed("t-1", 39899, NOW)


def test_a_failed_payment_never_succeeds_and_a_settled_one_never_fails():
    failed = created().fail()
    assert failed.status is PaymentStatus.FAILED
    assert failed.fail() is failed
    with pytest.raises(PaymentStateError):
        failed.succeed("t-1", 39900, NOW)
    with pytest.raises(PaymentStateError):
        created().succeed("t-1", 39900, NOW).fail()


def test_refunds_add_up_to_the_amount_and_never_past_it():
    paid = created(1000).succeed("t-1", 1000, NOW)
    part = paid.refund(400)
    assert (part.status, part.refunded) == (PaymentStatus.SUCCEEDED, 400)
    whole = part.refund(600)
    assert (whole.status, whole.refunded) == (PaymentStatus.REFUNDED, 1000)
    with pytest.raises(AmountMismatch):
        part.refund(601)
    with pytest.raises(PaymentStateError):
        created().refund(1)
