"""Ports: what the services need of the world, one module per concept, declared once.

Adapters implement them (SQL, Redis); `tests/fakes/` implements them in memory
for the services' unit tests; `dacu.bootstrap` chooses which.
"""
