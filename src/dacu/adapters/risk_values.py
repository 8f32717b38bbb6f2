"""Identifiers as identity links keep them: normalised, then hashed.

- device, payment account: Unicode NFKC (full-width → half-width), outer whitespace gone;
- ip: the canonical text of the address (`::FFFF:1.2.3.4` → `::ffff:1.2.3.4`), as given
  when it does not parse;
- address: NFKC, every whitespace removed, case folded — "北京市 朝阳区１号" and
  "北京市朝阳区1号" are one address;
- phone: E.164 through `phonenumbers` (China the default region), its digits when it
  does not parse.

Each is stored as the SHA-256 of `kind:normalised` (an HMAC under a key when the
platform gives one, so a stolen table cannot be brute-forced back to phone numbers):
two accounts share an identifier exactly when their hashes agree, and no screen
ever shows more than a short prefix of one.
"""

import hashlib
import hmac
import ipaddress
import unicodedata

import phonenumbers

from dacu.domain.risk import LinkKind

SHORT = 10  # hex digits of a hash shown on screens


def normalised(kind: LinkKind, value: str) -> str:
    """The identifier as compared; "" when nothing is left of it."""
    text = unicodedata.normalize("NFKC", value).strip()
    if kind is LinkKind.ADDRESS:
        return "".join(text.split()).casefold()
    if kind is LinkKind.IP:
        try:
            return str(ipaddress.ip_address(text))
        except ValueError:
            return text
    if kind is LinkKind.PHONE:
        return _e164(text)
    return text


def _e164(text: str) -> str:
    try:
        number = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException:
        return "".join(ch for ch in text if ch.isdigit())
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def hashed(kind: LinkKind, value: str, key: bytes = b"") -> str:
    """The stored form of a normalised identifier (64 hex digits)."""
    message = f"{kind.value}:{value}".encode()
    if key:
        return hmac.new(key, message, hashlib.sha256).hexdigest()
    return hashlib.sha256(message).hexdigest()


def stored(kind: LinkKind, value: str, key: bytes = b"") -> str:
    """Normalised and hashed; "" for an identifier that normalises to nothing."""
    text = normalised(kind, value)
    return hashed(kind, text, key) if text else ""


def short(value: str) -> str:
    """What a screen shows of a stored identifier."""
    return value[:SHORT]
