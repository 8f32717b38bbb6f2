"""Catalog routes: shops (operators open them for merchants), SKUs, and bulk imports.

A merchant sees and writes only the SKUs of shops they run; an operator sees
and writes all. Someone else's shop is a 404, as if it did not exist.
"""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from dacu.domain.access import Principal, Role
from dacu.domain.categories import Category
from dacu.domain.errors import InvalidRule
from dacu.domain.goods import Shop, Sku
from dacu.entrypoints.api.context import PlatformDep, PrincipalDep
from dacu.schemas.bounds import Id
from dacu.schemas.goods import ShopIn, SkuIn, parse_import, read_rows

router = APIRouter(prefix="/v1", tags=["catalog"])


class ShopOut(BaseModel):
    id: str
    merchant: str
    name: str


class SkuOut(BaseModel):
    id: str
    shop: str
    category: str
    title: str
    list_price: int
    cost_price: int
    status: str
    stock: int | None
    size_class: str = ""


class ImportOut(BaseModel):
    imported: int
    revision: int


class CategoryOut(BaseModel):
    code: str
    zh: str
    en: str
    children: list["CategoryOut"]


@router.get("/categories", response_model=list[CategoryOut])
def list_categories(backend: PlatformDep, who: PrincipalDep) -> list[CategoryOut]:
    """The category tree (类目): its roots, each with the categories under it."""
    tree = backend.goods.categories

    def node(category: Category) -> CategoryOut:
        children = [node(child) for child in tree.children(category.code)]
        return CategoryOut(code=category.code, zh=category.zh, en=category.en, children=children)

    return [node(root) for root in tree.children(None)]


@router.put("/shops/{shop_id}", response_model=ShopOut)
def put_shop(shop_id: Id, body: ShopIn, backend: PlatformDep, who: PrincipalDep) -> ShopOut:
    """Open a shop for a merchant (入驻), or rename it."""
    who.require(Role.OPERATOR)
    if body.merchant is None:
        raise InvalidRule("merchant", "name the merchant who runs the shop")
    shop = backend.goods.open_shop(Shop(shop_id, body.merchant, body.name))
    return ShopOut(id=shop.id, merchant=shop.merchant, name=shop.name)


@router.get("/shops", response_model=list[ShopOut])
def list_shops(backend: PlatformDep, who: PrincipalDep) -> list[ShopOut]:
    who.require(Role.OPERATOR, Role.MERCHANT)
    found = backend.goods.shops(_merchant(who))
    return [ShopOut(id=s.id, merchant=s.merchant, name=s.name) for s in found]


@router.put("/skus/{sku_id}", response_model=SkuOut)
def put_sku(sku_id: Id, body: SkuIn, backend: PlatformDep, who: PrincipalDep) -> SkuOut:
    """Create or change one of your SKUs: its price, cost, category, stock, shelf."""
    who.require(Role.OPERATOR, Role.MERCHANT)
    sku = body.to_domain(sku_id)
    _visible(backend, who, sku.shop)
    backend.goods.put([sku], _merchant(who))
    return _out(sku)


@router.get("/skus", response_model=list[SkuOut])
def list_skus(
    backend: PlatformDep,
    who: PrincipalDep,
    shop: Annotated[Id | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 1000,
) -> list[SkuOut]:
    who.require(Role.OPERATOR, Role.MERCHANT)
    if shop is not None:
        _visible(backend, who, shop)
        shops: list[str] | None = [shop]
    elif who.role is Role.MERCHANT:
        shops = [s.id for s in backend.goods.shops(who.subject)]
    else:
        shops = None
    return [_out(sku) for sku in backend.goods.listing(shops, limit)]


@router.get("/skus/{sku_id}", response_model=SkuOut)
def get_sku(sku_id: Id, backend: PlatformDep, who: PrincipalDep) -> SkuOut:
    who.require(Role.OPERATOR, Role.MERCHANT)
    return _out(backend.goods.sku(sku_id, _merchant(who)))


@router.post("/shops/{shop_id}/skus/import", response_model=ImportOut, status_code=201)
async def import_skus(
    shop_id: Id, request: Request, backend: PlatformDep, who: PrincipalDep
) -> ImportOut:
    """Import a CSV or XLSX file of SKUs into your shop: every row or none.

    The body is the file itself (Content-Type text/csv, or the XLSX type); a
    refusal lists every problem by row and column under `error.problems`.
    """
    who.require(Role.OPERATOR, Role.MERCHANT)
    shop = _visible(backend, who, shop_id)
    kind = request.headers.get("content-type", "")
    name = "import.xlsx" if "spreadsheet" in kind else "import.csv"
    rows = read_rows(await request.body(), name)
    batch = parse_import(rows, shop, backend.goods.categories)
    revision = backend.goods.put(batch, _merchant(who))
    return ImportOut(imported=len(batch), revision=revision)


def _merchant(who: Principal) -> str | None:
    """Whose shops bound the request: the merchant's own, or None for an operator."""
    return who.subject if who.role is Role.MERCHANT else None


def _visible(backend: PlatformDep, who: Principal, shop_id: str) -> Shop:
    """The shop, if the caller may see it; someone else's is not shown to exist."""
    return backend.goods.visible_shop(shop_id, _merchant(who))


def _out(sku: Sku) -> SkuOut:
    return SkuOut(
        id=sku.id,
        shop=sku.shop,
        category=sku.category,
        title=sku.title,
        list_price=sku.list_price,
        cost_price=sku.cost_price,
        status=sku.status.value,
        stock=sku.stock,
        size_class=sku.size_class,
    )
