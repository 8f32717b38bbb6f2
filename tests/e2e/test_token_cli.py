"""`dacu token issue / revoke` and `dacu serve`'s access log, as an operator runs them:
a token names its id and expiry when issued, is revoked by either, and no token — in a
header or put in a URL by a careless client — is ever written to the server's log."""

import os
import socket
import subprocess
import sys
import time
from datetime import datetime

import httpx
import pytest

from dacu.adapters.db import make_engine
from dacu.adapters.principals import SqlPrincipals
from tests.e2e.test_db_cli import dacu

pytestmark = pytest.mark.e2e


def _issue(cwd, *extra: str) -> tuple[str, str]:
    run = dacu(cwd, "token", "issue", "--subject", "ops-lihua", "--role", "operator", *extra)
    assert run.returncode == 0, run.stderr
    token = run.stdout.strip()
    said = run.stderr.strip()  # "id 0123456789abcdef, expires 2026-…"
    assert said.startswith("id ")
    return token, said


def test_a_token_is_issued_for_a_time_and_revoked_by_its_id_or_itself(tmp_path):
    token, said = _issue(tmp_path, "--days", "7")
    token_id = said.split()[1].rstrip(",")
    expires = datetime.fromisoformat(said.split("expires ")[1])
    assert 6 <= (expires - datetime.now(expires.tzinfo)).days <= 7
    engine = make_engine(f"sqlite:///{tmp_path / 'dacu.db'}")
    try:
        assert SqlPrincipals(engine).find(token) is not None
        revoked = dacu(tmp_path, "token", "revoke", token_id)
        assert revoked.returncode == 0, revoked.stderr
        assert SqlPrincipals(engine).find(token) is None
        other, _ = _issue(tmp_path)
        assert dacu(tmp_path, "token", "revoke", other).returncode == 0  # the token itself
        assert SqlPrincipals(engine).find(other) is None
    finally:
        engine.dispose()
    unknown = dacu(tmp_path, "token", "revoke", "not-a-token")
    assert unknown.returncode == 1
    assert "no token" in unknown.stderr


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_dacu_serve_logs_no_token_from_a_header_or_a_url(tmp_path):
    token, _ = _issue(tmp_path)
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DACU_DATABASE_URL", "DACU_REDIS_URL")}
    server = subprocess.Popen(
        [sys.executable, "-m", "dacu", "serve", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"{base}/health", timeout=2)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "dacu serve did not start"
                time.sleep(0.2)
        bearer = {"Authorization": f"Bearer {token}"}
        assert httpx.get(f"{base}/v1/campaigns", headers=bearer).status_code == 200
        assert httpx.get(f"{base}/v1/campaigns?access_token={token}").status_code == 401
        login = httpx.get(f"{base}/console/login?token={token}&next=/console/alerts")
        assert token not in login.text
        assert httpx.get(f"{base}/health?session=s3cret-session&x=1").status_code == 200
    finally:
        server.terminate()
        log, _ = server.communicate(timeout=30)
    assert "GET /v1/campaigns HTTP/1.1" in log  # the access log is on
    assert "GET /v1/campaigns?access_token=[redacted] HTTP/1.1" in log
    assert "GET /console/login?token=[redacted]&next=%2Fconsole%2Falerts" in log
    assert "GET /health?session=[redacted]&x=1" in log
    assert token not in log
    assert "s3cret-session" not in log


def test_no_consumer_token_is_issued_by_hand(tmp_path):
    run = dacu(tmp_path, "token", "issue", "--subject", "u-1024", "--role", "consumer")
    assert run.returncode == 2
    assert "/v1/customers/codes" in run.stderr
    assert run.stdout == ""


def test_no_token_begins_like_an_option():
    from dacu.adapters.principals import new_token

    tokens = [new_token() for _ in range(3000)]  # one in 64 random ones would
    assert not [token for token in tokens if token.startswith("-")]
    assert len(set(tokens)) == 3000
