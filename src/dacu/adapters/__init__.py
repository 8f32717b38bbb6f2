"""Storage, streams and clocks behind small ports: SQLAlchemy, Redis, the calendar."""
