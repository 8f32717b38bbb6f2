"""Pages from templates, in the reader's language, with figures written for people."""

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse

from dacu import __version__
from dacu.domain.access import Principal
from dacu.entrypoints.urls import is_secret
from dacu.entrypoints.web import formats
from dacu.entrypoints.web.context import backend, zone_of
from dacu.entrypoints.web.i18n import LANG_COOKIE, label_or_raw, language, translator
from dacu.entrypoints.web.session import CONSOLE, KILLERS

HERE = Path(__file__).parent
STATIC = HERE / "static"

_environment = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,  # a misspelt name fails the page, not shows blank
    trim_blocks=True,
    lstrip_blocks=True,
)
_environment.filters.update(
    fen=formats.fen, bp=formats.bp, times=formats.times, count=formats.count, show=formats.show
)
_environment.globals.update(
    console=CONSOLE, version=__version__, metric_format=formats.metric_format
)
_templates = Jinja2Templates(env=_environment)

YEAR = 365 * 24 * 3600


def page(
    request: Request,
    name: str,
    context: Mapping[str, Any],
    *,
    who: Principal | None = None,
    status: int = 200,
) -> HTMLResponse:
    """Render `name`; a `?lang=` switch is remembered in a cookie for the next pages."""
    lang = language(request)
    # the switch keeps the page's query, never a secret someone put in it
    kept = {k: v for k, v in request.query_params.items() if not is_secret(k)}
    switch = request.url.replace_query_params(**{**kept, "lang": lang.other.value})
    everything = {
        "lang": lang,
        "t": translator(lang),
        "label": label_or_raw(lang),
        "who": who,
        "may_kill": who is not None and who.role in KILLERS,
        "switch_url": f"{switch.path}?{switch.query}",
        "when": formats.clock_text(zone_of(backend(request))),
        **context,
    }
    response = _templates.TemplateResponse(request, name, everything, status_code=status)
    if request.query_params.get("lang") == lang.value:
        response.set_cookie(LANG_COOKIE, lang.value, max_age=YEAR, path=CONSOLE, samesite="lax")
    return response


def figure_writer(board: Mapping[str, Any]) -> Callable[..., Markup]:
    """`kpi("totals.gmv", "fen")` → the figure at that path of the API's JSON, its raw
    integer in data-value and its path in data-kpi, so a test can compare the two."""

    def kpi(path: str, how: str = formats.Format.COUNT) -> Markup:
        value = lookup(board, path)
        if not isinstance(value, int) or isinstance(value, bool):
            raise TypeError(f"{path} is not a figure: {value!r}")
        return Markup('<span class="num" data-kpi="{}" data-value="{}">{}</span>').format(
            path, value, formats.show(value, how)
        )

    return kpi


def lookup(document: Any, path: str) -> Any:
    """A dotted path into JSON: `channels.app.gmv`, `top_skus.0.sku`."""
    found = document
    for part in path.split("."):
        found = found[int(part)] if isinstance(found, list) else found[part]
    return found
