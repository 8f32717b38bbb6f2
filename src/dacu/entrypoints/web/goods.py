"""商品管理: shops and their SKUs in the console, for the merchants who run them and the
operators who see all.

A merchant sees and changes only their own shops' SKUs; anyone else's is a
404, as if it did not exist (as the API's). Every change is the API's service
call (`GoodsService.put`): one SKU from the form, or a whole CSV/XLSX import
that is every row or none, its problems listed by row and column.
"""

from collections.abc import Callable
from dataclasses import replace
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Query, Request, UploadFile
from starlette.responses import HTMLResponse, Response

from dacu.domain.access import Principal, Role
from dacu.domain.categories import Category
from dacu.domain.errors import InvalidRule
from dacu.domain.goods import NotYourShop, Shop, Sku, SkuStatus, UnknownShop, UnknownSku
from dacu.entrypoints.web.context import PageMissing, backend
from dacu.entrypoints.web.goods_forms import SkuForm, form_of, problem_row, read_sku, typed
from dacu.entrypoints.web.i18n import Lang, language
from dacu.entrypoints.web.render import page
from dacu.entrypoints.web.session import GOODS, ConsolePost, NotAllowed, signed_in
from dacu.schemas.goods import ImportRejected, parse_import, read_rows

router = APIRouter(prefix=GOODS, include_in_schema=False)

KEEPERS = frozenset({Role.OPERATOR, Role.MERCHANT})  # as the API's catalog routes
SHOWN = 500  # SKUs on one page


def goods_user(request: Request) -> Principal:
    found = signed_in(request)
    if found.role not in KEEPERS:
        raise NotAllowed("goods_roles")
    return found


KeeperDep = Annotated[Principal, Depends(goods_user)]


@router.get("")
def goods_page(
    request: Request,
    who: KeeperDep,
    shop: Annotated[str | None, Query(max_length=64)] = None,
    category: Annotated[str | None, Query(max_length=64)] = None,
    status: Annotated[str | None, Query(max_length=16)] = None,
) -> HTMLResponse:
    filters = {"shop": shop or "", "category": category or "", "status": status or ""}
    context = {**_listing(request, who, filters), "filters": filters, "outcome": None}
    return page(request, "goods.html", context, who=who)


@router.get("/new")
def new_page(request: Request, who: KeeperDep) -> HTMLResponse:
    form = SkuForm({"status": SkuStatus.ON_SHELF.value, "stock": ""})
    return page(request, "goods_sku.html", _form_context(request, who, form, None), who=who)


@router.post("/new", dependencies=[ConsolePost])
async def create(request: Request, who: KeeperDep) -> Response:
    form = typed(dict(await request.form()))
    if form.values["shop"]:
        _visible_shop(request, who, form.values["shop"])  # someone else's: 404
    else:
        form.fail("shop", "err_required")
    if form.values["sku"] and _exists(request, form.values["sku"]):
        form.fail("sku", "err_sku_taken")  # creating never overwrites
    _save(request, who, form)
    if not form.errors:  # on to the new SKU's own page
        target = f"{GOODS}/skus/{quote(form.values['sku'], safe='')}?created=1"
        return Response(status_code=204, headers={"HX-Redirect": target})
    context = _form_context(request, who, form, None)
    return page(request, "_goods_form.html", context, who=who)


@router.get("/skus/{sku_id}")
def sku_page(
    sku_id: str, request: Request, who: KeeperDep, created: Annotated[bool, Query()] = False
) -> HTMLResponse:
    sku = _sku(request, who, sku_id)
    context = _form_context(request, who, form_of(sku), sku.id, "created" if created else None)
    return page(request, "goods_sku.html", context, who=who)


@router.post("/skus/{sku_id}", dependencies=[ConsolePost])
async def edit(sku_id: str, request: Request, who: KeeperDep) -> HTMLResponse:
    stored = _sku(request, who, sku_id)
    # a SKU keeps its id, shop and category here; the form changes the rest
    fixed = {"sku": stored.id, "shop": stored.shop, "category": stored.category}
    posted = dict(await request.form())
    form = typed({**posted, **fixed})
    if form.values["stock"] == str(posted.get("stock_was", "")).strip():
        form.values["stock"] = ""  # unchanged: not written over units sold meanwhile
    _save(request, who, form)
    if not form.errors:  # as stored now
        form = form_of(_sku(request, who, sku_id))
    context = _form_context(request, who, form, sku_id, None if form.errors else "saved")
    return page(request, "_goods_form.html", context, who=who)


@router.post("/skus/{sku_id}/shelf", dependencies=[ConsolePost])
def shelf(
    sku_id: str,
    status: Annotated[SkuStatus, Form()],
    request: Request,
    who: KeeperDep,
) -> HTMLResponse:
    """上架 / 下架 from the list: the SKU as stored, on or off the shelf."""
    stored = _sku(request, who, sku_id)  # its stock left as it is (None: not written)
    backend(request).goods.put([replace(stored, status=status, stock=None)], _merchant(who))
    row = _row(request, who, _sku(request, who, sku_id))
    return page(request, "_goods_row.html", {"row": row, **_words(request)}, who=who)


@router.post("/import", dependencies=[ConsolePost])
async def import_file(
    request: Request,
    who: KeeperDep,
    shop: Annotated[str, Form(max_length=64)],
    file: UploadFile,
) -> HTMLResponse:
    """A CSV or XLSX file into one shop: every row or none, each problem by row and column."""
    target = _visible_shop(request, who, shop)
    found = backend(request).goods
    outcome: dict[str, Any]
    try:
        rows = read_rows(await file.read(), file.filename or "import.csv")
        batch = parse_import(rows, target, found.categories)
        found.put(batch, _merchant(who))
        outcome = {"imported": len(batch), "shop": target.id, "problems": []}
    except ImportRejected as rejected:
        problems = [problem_row(*p) for p in rejected.problems]
        outcome = {"imported": 0, "problems": problems}
    except (InvalidRule, NotYourShop) as error:
        problem = problem_row(None, error.field or "file", error.message)
        outcome = {"imported": 0, "problems": [problem]}
    filters = {"shop": "", "category": "", "status": ""}
    context = {**_listing(request, who, filters), "filters": filters, "outcome": outcome}
    return page(request, "_goods_import.html", context, who=who)


def _save(request: Request, who: Principal, form: SkuForm) -> None:
    """Write the form's SKU, or leave its errors on the form."""
    sku = read_sku(form)
    if sku is None:
        return
    try:
        backend(request).goods.put([sku], _merchant(who))
    except InvalidRule as error:
        form.fail_rule(error)
    except NotYourShop:
        form.fail("sku", "err_sku_taken")


def _listing(request: Request, who: Principal, filters: dict[str, str]) -> dict[str, Any]:
    goods = backend(request).goods
    shops = goods.shops(_merchant(who))
    if filters["shop"]:
        chosen: list[str] = [_visible_shop(request, who, filters["shop"]).id]
    else:
        chosen = [s.id for s in shops]
    if filters["category"] and filters["category"] not in goods.categories:
        raise PageMissing(filters["category"])
    status = SkuStatus(filters["status"]) if filters["status"] in set(SkuStatus) else None
    listed = goods.listing(chosen, SHOWN, filters["category"] or None, status)
    by_id = {s.id: s for s in shops}
    rows = [_row(request, who, sku, by_id.get(sku.shop)) for sku in listed]
    return {
        "shops": shops,
        "rows": rows,
        "cut": len(rows) >= SHOWN,
        "categories": goods.categories.every(),
        **_words(request),
    }


def _row(request: Request, who: Principal, sku: Sku, shop: Shop | None = None) -> dict[str, Any]:
    tree = backend(request).goods.categories
    if shop is None:
        shop = backend(request).goods.shop(sku.shop)
    return {"sku": sku, "shop": shop, "path": tree.path(sku.category)}


def _form_context(
    request: Request, who: Principal, form: SkuForm, sku_id: str | None, notice: str | None = None
) -> dict[str, Any]:
    goods = backend(request).goods
    return {
        "form": form,
        "path": goods.categories.path(form.values.get("category", "")),
        "sku_id": sku_id,
        "notice": notice,
        "shops": goods.shops(_merchant(who)),
        "categories": goods.categories.every(),
        **_words(request),
    }


def _words(request: Request) -> dict[str, Callable[..., str]]:
    """Category names in the reader's language, and a category's path (数码 > 手机)."""
    english = language(request) is Lang.EN

    def name(category: Category) -> str:
        return category.en if english else category.zh

    def path(categories: list[Category]) -> str:
        return " > ".join(name(c) for c in categories)

    return {"cname": name, "cpath": path}


def _sku(request: Request, who: Principal, sku_id: str) -> Sku:
    try:
        return backend(request).goods.sku(sku_id, _merchant(who))
    except UnknownSku:
        raise PageMissing(sku_id) from None


def _visible_shop(request: Request, who: Principal, shop_id: str) -> Shop:
    try:
        return backend(request).goods.visible_shop(shop_id, _merchant(who))
    except UnknownShop:
        raise PageMissing(shop_id) from None


def _merchant(who: Principal) -> str | None:
    return who.subject if who.role is Role.MERCHANT else None


def _exists(request: Request, sku_id: str) -> bool:
    try:
        backend(request).goods.sku(sku_id)
    except UnknownSku:
        return False
    return True
