"""The catalog over HTTP on real SQLite and PostgreSQL: merchants keep their own shops'
SKUs, nobody takes another's, and an import is every row or none."""

import io
import zipfile
from datetime import datetime
from zoneinfo import ZoneInfo

import httpx
import pytest
from openpyxl import Workbook

from dacu.bootstrap import bootstrap
from dacu.domain.access import Role
from dacu.entrypoints.api import create_app
from tests.integration.http import serving

pytestmark = pytest.mark.integration

NOW = datetime(2026, 11, 1, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def api(engine):
    platform = bootstrap(engine, clock=lambda: NOW)
    issue = platform.principals.issue
    tokens = {
        "ops": issue("ops", Role.OPERATOR, frozenset(), NOW),
        "north": issue("m-north", Role.MERCHANT, frozenset({"north-wear"}), NOW),
        "home": issue("m-home", Role.MERCHANT, frozenset({"home-goods"}), NOW),
    }
    with serving(create_app(platform)) as base, httpx.Client(base_url=base) as client:

        def call(who: str, method: str, path: str, **kwargs) -> httpx.Response:
            headers = {"Authorization": f"Bearer {tokens[who]}", **kwargs.pop("headers", {})}
            return client.request(method, path, headers=headers, **kwargs)

        for shop, merchant in (("north-wear", "m-north"), ("home-goods", "m-home")):
            answer = call(
                "ops", "PUT", f"/v1/shops/{shop}", json={"name": shop, "merchant": merchant}
            )
            assert answer.status_code == 200, answer.text
        yield call, platform


COAT = {"shop": "north-wear", "category": "apparel.outerwear", "title": "羊毛大衣",
        "list_price": 45900, "cost_price": 21000, "stock": 30}  # fmt: skip


def test_a_merchant_keeps_its_own_skus_and_cannot_take_anothers(api):
    call, platform = api
    assert call("north", "PUT", "/v1/skus/A-COAT", json=COAT).status_code == 200
    # another merchant may not write the SKU under its own shop, nor into a shop not its own
    hijack = call(
        "home", "PUT", "/v1/skus/A-COAT", json=COAT | {"shop": "home-goods", "list_price": 1}
    )
    assert hijack.status_code == 403
    assert hijack.json()["error"]["field"] == "sku"
    assert call("home", "PUT", "/v1/skus/A-COAT", json=COAT | {"list_price": 1}).status_code == 404
    # the owner still changes it; the catalog and the stock say so
    assert (
        call("north", "PUT", "/v1/skus/A-COAT", json=COAT | {"list_price": 39900}).status_code
        == 200
    )
    assert call("north", "GET", "/v1/skus/A-COAT").json()["list_price"] == 39900
    assert call("north", "GET", "/v1/skus/A-COAT").json()["stock"] == 30
    assert platform.stock.available("A-COAT") == 30
    assert call("home", "GET", "/v1/skus/A-COAT").status_code == 404
    assert [s["id"] for s in call("home", "GET", "/v1/skus").json()] == []
    assert [s["id"] for s in call("ops", "GET", "/v1/skus").json()] == ["A-COAT"]
    assert call("north", "GET", "/v1/skus?shop=home-goods").status_code == 404
    assert (
        call("north", "PUT", "/v1/shops/x", json={"name": "x", "merchant": "m-north"}).status_code
        == 403
    )


def test_an_import_with_a_bad_row_applies_nothing_and_names_every_problem(api):
    call, _ = api
    body = ("sku,title,category,list_price,stock\n"
            "A-SCARF,围巾,apparel,129.00,10\n"
            "A-HAT,帽子,apparel,-5,10\n"
            "A-GLOVE,手套,nonsense,39.9,x\n").encode()  # fmt: skip
    answer = call("north", "POST", "/v1/shops/north-wear/skus/import", content=body,
                  headers={"Content-Type": "text/csv"})  # fmt: skip
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["field"] == "file"
    assert [(p["row"], p["column"]) for p in error["problems"]] == [
        (3, "list_price"), (4, "category"), (4, "stock"),
    ]  # fmt: skip
    assert call("north", "GET", "/v1/skus").json() == []


def test_an_xlsx_import_applies_every_row_at_once(api):
    call, platform = api
    book = Workbook()
    sheet = book.active
    sheet.append(["商品编码", "标题", "类目", "售价", "成本价", "库存", "状态"])
    for n in range(50):
        sheet.append([f"A-{n:03}", f"商品{n}", "apparel", 19.9 + n, 5, 100, "上架"])
    sheet.append(["A-OFF", "下架品", "apparel", "9.90", 1, None, "下架"])
    data = io.BytesIO()
    book.save(data)
    answer = call("north", "POST", "/v1/shops/north-wear/skus/import", content=data.getvalue(),
                  headers={"Content-Type": XLSX})  # fmt: skip
    assert answer.status_code == 201, answer.text
    assert answer.json()["imported"] == 51
    listed = {s["id"]: s for s in call("north", "GET", "/v1/skus").json()}
    assert listed["A-001"]["list_price"] == 2090
    assert listed["A-049"]["stock"] == 100
    assert listed["A-OFF"]["status"] == "off_shelf"
    assert platform.stock.available("A-OFF") is None
    # another merchant may not import into this shop
    other = call("home", "POST", "/v1/shops/north-wear/skus/import", content=data.getvalue(),
                 headers={"Content-Type": XLSX})  # fmt: skip
    assert other.status_code == 404


def test_the_category_tree_is_served_and_a_sku_outside_it_is_refused_naming_the_field(api):
    call, _ = api
    tree = call("north", "GET", "/v1/categories")
    assert tree.status_code == 200
    roots = {root["code"]: root for root in tree.json()}
    assert [r["zh"] for r in tree.json()][:4] == ["服饰", "家电", "数码", "美妆"]
    assert {"code": "digital.phones", "zh": "手机", "en": "Phones", "children": []} in roots[
        "digital"
    ]["children"]
    refused = call("north", "PUT", "/v1/skus/A-COAT", json=COAT | {"category": "weapons"})
    assert refused.status_code == 422
    assert refused.json()["error"]["field"] == "category"
    assert call("north", "GET", "/v1/skus").json() == []


def test_an_xlsx_zip_bomb_is_refused_before_it_is_opened_and_a_large_body_is_a_413(api):
    call, _ = api
    book = Workbook()
    book.active.append(["sku", "title", "category", "list_price"])
    data = io.BytesIO()
    book.save(data)
    bombed = io.BytesIO()
    with zipfile.ZipFile(data) as real, zipfile.ZipFile(bombed, "w", zipfile.ZIP_DEFLATED) as out:
        for member in real.infolist():
            out.writestr(member, real.read(member))
        out.writestr("xl/media/padding.xml", b"<a>" + b" " * 30_000_000 + b"</a>")
    assert len(bombed.getvalue()) < 200_000
    answer = call("north", "POST", "/v1/shops/north-wear/skus/import",
                  content=bombed.getvalue(), headers={"Content-Type": XLSX})  # fmt: skip
    assert answer.status_code == 422
    assert answer.json()["error"]["field"] == "file"
    huge = b"x" * (1024 * 1024 + 1)
    too_large = call("north", "POST", "/v1/shops/north-wear/skus/import",
                     content=huge, headers={"Content-Type": "text/csv"})  # fmt: skip
    assert too_large.status_code == 413
