"""Pydantic models of the documents clients write: scenarios, campaigns, promotions.

Shared by every edge — the CLI, the HTTP API, and storage, which keeps a
campaign as the document it was applied from.
"""
