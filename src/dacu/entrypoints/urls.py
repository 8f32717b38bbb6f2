"""Secrets never written down from a URL: query parameters that may carry a token, a
session, a code or a signature are redacted in the access log and dropped from links.

dacu itself never puts a secret in a URL (the API reads `Authorization`, the
console a cookie); this is for the caller who does anyway.
"""

import copy
import logging
import re
from typing import Any
from urllib.parse import parse_qsl, urlencode

SECRET_NAME = re.compile(r"token|session|secret|passw|auth|key|code|sig", re.IGNORECASE)
REDACTED = "[redacted]"


def is_secret(name: str) -> bool:
    return bool(SECRET_NAME.search(name))


def redact_target(target: str) -> str:
    """A path with query, its secret parameters' values replaced by `[redacted]`."""
    path, mark, query = target.partition("?")
    if not mark:
        return target
    pairs = parse_qsl(query, keep_blank_values=True)
    if not any(is_secret(name) for name, _ in pairs):
        return target
    kept = [(name, REDACTED if is_secret(name) else value) for name, value in pairs]
    return f"{path}?{urlencode(kept, safe='[]')}"


class RedactSecrets(logging.Filter):
    """For uvicorn's access log, whose record's arguments are (client, method, target,
    HTTP version, status): the target is written redacted. Headers are never logged."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) == 5 and isinstance(args[2], str):
            record.args = (args[0], args[1], redact_target(args[2]), args[3], args[4])
        return True


def server_log_config() -> dict[str, Any]:
    """uvicorn's logging, its access log through `RedactSecrets`."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["redact"] = {"()": f"{__name__}.RedactSecrets"}
    config["handlers"]["access"]["filters"] = ["redact"]
    return config
