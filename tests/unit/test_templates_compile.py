"""Every console template compiles: a lost `{% endif %}` fails here, not in a browser."""

import pytest

from dacu.entrypoints.web import render

NAMES = sorted(p.name for p in (render.HERE / "templates").glob("*.html"))


@pytest.mark.parametrize("name", NAMES)
def test_the_template_compiles(name: str) -> None:
    assert render._environment.get_template(name) is not None
