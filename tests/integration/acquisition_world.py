"""The launch campaign (plan 000) applied on a platform, and members signed in by phone,
for the acquisition tests."""

import re
from copy import deepcopy
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from dacu.adapters.message_outbox import SqlMessageOutbox
from dacu.domain.acquisition import SignUpCodes
from dacu.schemas.campaigns import load_campaign
from dacu.schemas.yamlfile import load_yaml

ROOT = Path(__file__).resolve().parents[2]
LAUNCH_DAY = datetime(2026, 9, 10, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
BEFORE = datetime(2026, 8, 1, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def launch(**growth: Any) -> dict[str, Any]:
    """The launch campaign's file, its `growth` sections replaced by those given."""
    document = load_yaml((ROOT / "src/dacu/examples/launch.yaml").read_text("utf-8"))
    document = deepcopy(document)
    document["growth"] = {**document["growth"], **growth}
    return dict(document)


def apply_launch(platform, document: dict[str, Any] | None = None) -> None:
    platform.campaigns.apply(*load_campaign(document or launch()), "ops-lihua", BEFORE)


def phone_of(n: int) -> str:
    return f"+86139{n:08d}"


def code_sent(platform, phone: str) -> str:
    text = SqlMessageOutbox(platform.engine).last_message(phone)
    assert text is not None
    found = re.search(r"\d{6}", text)
    assert found is not None
    return found.group()


def sign_up(platform, n: int, codes: SignUpCodes | None = None):
    """Register (or sign in) phone n through the registration service, as the API does."""
    phone = phone_of(n)
    platform.registration.request_code(phone, f"10.0.{n // 250}.{n % 250}")
    return platform.registration.verify(phone, code_sent(platform, phone), codes)
