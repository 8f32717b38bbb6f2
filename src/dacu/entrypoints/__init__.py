"""Thin edges: CLI, HTTP API and web console over the services and the domain."""
