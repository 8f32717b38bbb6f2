"""The layers of docs/architecture.md, held by the imports themselves.

domain ← services ← entrypoints, with adapters implementing the services'
ports and only the composition root (`dacu.bootstrap`) choosing them.
"""

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "dacu"

FRAMEWORKS = ("sqlalchemy", "alembic", "redis", "fastapi", "starlette", "typer", "uvicorn")

# layer → import prefixes it must never use (top-level or inside a function)
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "domain": (
        "dacu.services",
        "dacu.adapters",
        "dacu.entrypoints",
        "dacu.schemas",
        "dacu.bootstrap",
        "pydantic",
        "yaml",
        *FRAMEWORKS,
    ),
    "services": ("dacu.adapters", "dacu.entrypoints", "dacu.bootstrap", *FRAMEWORKS),
    "schemas": ("dacu.services", "dacu.adapters", "dacu.entrypoints", "dacu.bootstrap"),
    "adapters": ("dacu.entrypoints", "dacu.bootstrap", "fastapi", "typer"),
    "entrypoints/api": ("dacu.adapters", "sqlalchemy"),
    "entrypoints/web": ("dacu.adapters", "sqlalchemy"),
}

# Adapters implement ports: of the services layer they may see only the ports.
ADAPTERS_MAY_IMPORT = ("dacu.services.ports",)


def _imports(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


def _refused(module: str, forbidden: tuple[str, ...]) -> bool:
    return any(module == prefix or module.startswith(prefix + ".") for prefix in forbidden)


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_each_layer_imports_only_what_lies_beneath_it(layer):
    offenders = []
    for path in sorted((SRC / layer).rglob("*.py")):
        for line, module in _imports(path):
            if not _refused(module, FORBIDDEN[layer]):
                continue
            offenders.append(f"{path.relative_to(SRC)}:{line} imports {module}")
    assert not offenders, "\n".join(offenders)


def test_adapters_see_only_the_ports_of_the_services():
    offenders = []
    for path in sorted((SRC / "adapters").rglob("*.py")):
        for line, module in _imports(path):
            if _refused(module, ("dacu.services",)) and not _refused(module, ADAPTERS_MAY_IMPORT):
                offenders.append(f"{path.relative_to(SRC)}:{line} imports {module}")
    assert not offenders, "\n".join(offenders)
