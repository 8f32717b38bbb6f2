"""The ASGI application `dacu serve` runs: one per worker process, settings from the env."""

from dacu.bootstrap import from_settings
from dacu.entrypoints.api.app import create_app

app = create_app(from_settings(migrate=False))  # `dacu serve` migrates once, before forking
