"""How result checkers compare `dacu price --json` with a scenario's `expect`.

Only the keys `expect` names are compared; lists of objects are matched as
sets keyed by `id` (or `sku`); other lists are compared as sorted sets.
"""

import json
from typing import Any


def _key(item: Any) -> Any:
    return item.get("id") or item.get("sku") if isinstance(item, dict) else None


def mismatches(expected: Any, got: Any, path: str = "$") -> list[str]:
    if isinstance(expected, dict):
        if not isinstance(got, dict):
            return [f"{path}: expected an object, got {got!r}"]
        found: list[str] = []
        for key, value in expected.items():
            if key not in got:
                found.append(f"{path}.{key}: missing")
            else:
                found += mismatches(value, got[key], f"{path}.{key}")
        return found
    if isinstance(expected, list):
        if not isinstance(got, list):
            return [f"{path}: expected a list, got {got!r}"]
        if expected and all(isinstance(e, dict) and _key(e) for e in expected):
            by_key = {_key(g): g for g in got if isinstance(g, dict)}
            found = []
            for item in expected:
                if _key(item) not in by_key:
                    found.append(f"{path}[{_key(item)}]: missing")
                else:
                    found += mismatches(item, by_key[_key(item)], f"{path}[{_key(item)}]")
            return found
        if sorted(map(json.dumps, expected)) != sorted(map(json.dumps, got)):
            return [f"{path}: expected {expected}, got {got}"]
        return []
    return [] if expected == got else [f"{path}: expected {expected!r}, got {got!r}"]
