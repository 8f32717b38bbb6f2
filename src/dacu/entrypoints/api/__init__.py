"""The HTTP API (FastAPI): stateless processes over the shared database."""

from dacu.entrypoints.api.app import create_app

__all__ = ["create_app"]
