"""The ASGI application `dacu serve` runs: one per worker process, settings from the env."""

from dacu.adapters.db import make_engine
from dacu.entrypoints.api.app import create_app
from dacu.settings import settings

_settings = settings()
app = create_app(
    make_engine(_settings.database_url),
    redis_url=_settings.redis_url,
    redis_prefix=_settings.redis_prefix,
)
