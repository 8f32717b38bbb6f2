"""YAML as campaign files are written: YAML 1.2 booleans, so `off: 5000` stays a key;
and nothing a hostile file could use to run code or eat the machine.

PyYAML follows YAML 1.1, where `on`, `off`, `yes` and `no` are booleans —
which would turn every 满减 tier's `off` into `False`.

A campaign file is data: plain maps, lists and scalars. Anchors and aliases
(the "billion laughs" bomb expands a few lines into billions of nodes), tags
naming Python objects (`!!python/object/apply:os.system`), nesting past
`MAX_DEPTH` and files past `MAX_CHARS` are refused before anything is built,
as an `InvalidRule` — which every CLI command reading such a file answers
with exit 2.
"""

import re
from typing import Any

import yaml
from yaml.events import AliasEvent, CollectionStartEvent, NodeEvent
from yaml.nodes import Node

from dacu.domain.errors import InvalidRule

MAX_CHARS = 1_000_000  # as the API's body limit: a large campaign fits many times over
MAX_DEPTH = 64
_PLAIN_TAG = "tag:yaml.org,2002:"
_PLAIN = frozenset(
    _PLAIN_TAG + name
    for name in ("null", "bool", "int", "float", "str", "timestamp", "seq", "map", "merge")
)


class _Refused(yaml.YAMLError):
    """Something a campaign file never needs."""


class _Loader(yaml.SafeLoader):
    """The safe loader, composing only plain data, never deeper than MAX_DEPTH."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, AliasEvent):
            raise _Refused(f"aliases (*{event.anchor}) are not allowed{_where(event)}")
        if isinstance(event, NodeEvent) and event.anchor is not None:
            raise _Refused(f"anchors (&{event.anchor}) are not allowed{_where(event)}")
        tag = getattr(event, "tag", None)
        if tag is not None and tag not in _PLAIN and tag != "!":
            raise _Refused(f"the tag {tag} is not allowed{_where(event)}")
        nested = isinstance(event, CollectionStartEvent)
        if nested:
            self._depth += 1
            if self._depth > MAX_DEPTH:
                raise _Refused(f"nested deeper than {MAX_DEPTH} levels{_where(event)}")
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= nested


def _where(event: yaml.Event) -> str:
    mark = event.start_mark
    return "" if mark is None else f" (line {mark.line + 1}, column {mark.column + 1})"


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def load_yaml(text: str) -> Any:
    """The document as plain data; InvalidRule("yaml", why) for anything else."""
    if len(text) > MAX_CHARS:
        raise InvalidRule("yaml", f"the file is longer than {MAX_CHARS} characters")
    try:
        return yaml.load(text, Loader=_Loader)  # a SafeLoader, stricter still
    except yaml.YAMLError as error:
        raise InvalidRule("yaml", str(error)) from None


def dump_yaml(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
