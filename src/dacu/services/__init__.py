"""Use cases: one function each, taking the ports they need."""
