"""商品管理 in Debian's Chromium, on SQLite and PostgreSQL: a merchant signs in, sees only
their own shops' SKUs, changes a price (a wrong one is shown beside its field), takes a
SKU off the shelf, imports a good CSV and is shown every bad row of an XLSX by row and
column with nothing applied; an operator sees every shop and filters. Plain HTTP checks
cover another merchant's goods (404) and requests not from the console's pages (403)."""

import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from openpyxl import Workbook
from sqlalchemy import Engine

from dacu.adapters.principals import SqlPrincipals
from dacu.bootstrap import bootstrap
from dacu.domain.access import Role
from dacu.entrypoints.api import create_app
from tests.integration.conftest import (
    POSTGRES,
    postgres_engine,
    sqlite_engine,
    stock_example_goods,
)
from tests.integration.http import serving

pytestmark = pytest.mark.e2e

NOW = datetime(2026, 11, 1, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
GOODS = "/console/goods"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NORTH = ["A-COAT", "A-SCARF", "G-GLOVES"]  # m-north's north-wear, from the example goods


@dataclass
class Site:
    base: str
    engine: Engine
    tokens: dict[str, str]

    def api(self, who: str, method: str, path: str, **kw: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.tokens[who]}"}
        return httpx.request(method, self.base + path, headers=headers, timeout=30, **kw)

    def sku(self, sku_id: str) -> dict[str, Any]:
        answer = self.api("ops", "GET", f"/v1/skus/{sku_id}")
        assert answer.status_code == 200, answer.text
        found: dict[str, Any] = answer.json()
        return found

    def console(self, who: str) -> httpx.Client:
        """A client holding a console session of `who`."""
        with httpx.Client(base_url=self.base, timeout=30) as signing:
            signed = signing.post("/console/login", data={"token": self.tokens[who]})
            assert signed.status_code == 303, signed.text
            cookies = httpx.Cookies(signing.cookies)
        return httpx.Client(base_url=self.base, timeout=30, cookies=cookies)


@pytest.fixture(params=["sqlite", POSTGRES])
def site(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Site]:
    made = sqlite_engine(tmp_path) if request.param == "sqlite" else postgres_engine()
    with made as engine:
        platform = bootstrap(engine, clock=lambda: NOW)
        stock_example_goods(platform)
        issue = SqlPrincipals(engine).issue
        tokens = {
            "ops": issue("ops-lihua", Role.OPERATOR, frozenset(), NOW),
            "north": issue("m-north", Role.MERCHANT, frozenset({"north-wear"}), NOW),
            "digital": issue("m-digital", Role.MERCHANT, frozenset({"digital-flagship"}), NOW),
            "finance": issue("fin-zhao", Role.FINANCE, frozenset(), NOW),
        }
        with serving(create_app(platform)) as base:
            yield Site(base, engine, tokens)


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1360, "height": 900}, locale="zh-CN")
    opened = context.new_page()
    opened.set_default_timeout(15_000)
    try:
        yield opened
    finally:
        context.close()


def _listed(page: Any) -> list[str]:
    found: list[str] = page.eval_on_selector_all(
        "#sku-list tr[data-sku]", "rows => rows.map(r => r.dataset.sku)"
    )
    return found


def _sign_in(site: Site, page: Any, who: str) -> None:
    page.goto(site.base + GOODS)
    page.fill("#token", site.tokens[who])
    page.click("button[type=submit]")
    page.wait_for_url(site.base + GOODS)


def _bad_workbook() -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["商品编码", "标题", "类目", "售价", "成本价", "库存", "状态"])
    sheet.append(["A-HAT", "毛线帽", "apparel.accessories", "59.00", "20", 40, "上架"])
    sheet.append(["A-SOCK", "羊毛袜", "apparel.accessories", "12.345", "3", 10, "上架"])
    sheet.append(["A-BELT", "皮带", "weapons", "89", "30", "x", "上架"])
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


def test_a_merchant_keeps_their_own_goods_in_the_console(site, page):
    # given: the merchant of north-wear signed in, on the goods screen in Chinese
    _sign_in(site, page, "north")
    assert page.inner_text("h1") == "商品管理"
    assert _listed(page) == NORTH  # none of another merchant's
    coat = page.locator('tr[data-sku="A-COAT"]')
    assert "服饰 > 外套" in coat.inner_text()
    assert coat.locator(".list-price").inner_text() == "¥459.00"
    assert coat.locator(".cost-price").inner_text() == "¥210.00"

    # when: a wrong price is typed, it is shown beside its field and nothing is saved
    coat.locator("a.edit").click()
    page.wait_for_url(f"{site.base}{GOODS}/skus/A-COAT")
    page.fill("#f-list_price", "3.999")
    page.click("#sku-form button[type=submit]")
    page.wait_for_selector("#error-list_price")
    assert "最多两位小数" in page.inner_text("#error-list_price")
    assert site.sku("A-COAT")["list_price"] == 45900
    # then: a right one is saved, in fen
    page.fill("#f-list_price", "399.00")
    page.click("#sku-form button[type=submit]")
    page.wait_for_selector('[data-notice="saved"]')
    assert site.sku("A-COAT")["list_price"] == 39900

    # when: the scarf is taken off the shelf from the list
    page.goto(site.base + GOODS)
    page.on("dialog", lambda dialog: dialog.accept())
    page.click('tr[data-sku="A-SCARF"] button.shelf')
    page.wait_for_selector('tr[data-sku="A-SCARF"][data-status="off_shelf"]')
    assert site.sku("A-SCARF")["status"] == "off_shelf"

    # when: a good CSV is imported, every row is taken and listed
    good = "商品编码,标题,类目,售价,成本价,库存,状态\n"
    good += "A-MITT,连指手套,apparel.accessories,49.90,18,25,上架\n"
    good += "A-VEST,羽绒背心,apparel.outerwear,299,120,8,下架\n"
    page.set_input_files(
        "#import-form input[type=file]",
        {"name": "goods.csv", "mimeType": "text/csv", "buffer": good.encode()},
    )
    page.click("#import-form button[type=submit]")
    page.wait_for_selector('#import-result [data-imported="2"]')
    assert "已导入 2 个商品" in page.inner_text("#import-result")
    page.wait_for_selector('#sku-list tr[data-sku="A-VEST"]')
    assert site.sku("A-MITT")["list_price"] == 4990
    assert site.sku("A-VEST")["stock"] == 8

    # when: a bad XLSX is imported, every bad row is shown by row and column, none applied
    page.set_input_files(
        "#import-form input[type=file]",
        {"name": "goods.xlsx", "mimeType": XLSX, "buffer": _bad_workbook()},
    )
    page.click("#import-form button[type=submit]")
    page.wait_for_selector("#import-result table.problems")
    problems = page.eval_on_selector_all(
        "#import-result tr[data-row]", "rows => rows.map(r => [r.dataset.row, r.dataset.column])"
    )
    assert problems == [["3", "list_price"], ["4", "category"], ["4", "stock"]]
    shown = page.inner_text("#import-result")
    assert "未导入任何商品" in shown
    assert "售价须为大于 0 的金额" in shown
    assert "请选择类目树中的类目" in shown
    assert site.api("ops", "GET", "/v1/skus/A-HAT").status_code == 404

    # and: English is one click away
    page.click(".lang-switch")
    page.wait_for_selector("h1:text('Goods')")
    assert "Apparel > Outerwear" in page.inner_text('tr[data-sku="A-COAT"]')


def test_an_operator_sees_every_shop_and_filters_by_category_and_status(site, page):
    _sign_in(site, page, "ops")
    listed = _listed(page)
    assert {"P-PHONE", "K-RICE", *NORTH} <= set(listed)
    assert "m-digital" in page.inner_text('tr[data-sku="P-PHONE"]')
    page.select_option("#filters select[name=category]", "digital")
    page.click("#filters button[type=submit]")
    page.wait_for_url("**category=digital**")
    assert _listed(page) == ["E-BUDS", "P-PHONE"]
    assert "数码 > 手机" in page.inner_text('tr[data-sku="P-PHONE"]')
    page.select_option("#filters select[name=category]", "")
    page.select_option("#filters select[name=status]", "off_shelf")
    page.click("#filters button[type=submit]")
    page.wait_for_url("**status=off_shelf**")
    assert _listed(page) == ["G-GLOVES"]


def test_a_merchant_creates_a_sku_and_each_wrong_field_is_named(site, page):
    _sign_in(site, page, "north")
    page.click("#new-sku")
    page.wait_for_url(f"{site.base}{GOODS}/new")
    page.fill("#f-sku", "A-HAT")
    page.fill("#f-title", "")
    page.fill("#f-list_price", "0")
    page.fill("#f-stock", "-1")
    page.click("#sku-form button[type=submit]")
    page.wait_for_selector("#error-title")
    assert page.is_visible("#error-stock")
    page.fill("#f-title", "毛线帽")
    page.fill("#f-stock", "40")
    page.click("#sku-form button[type=submit]")
    page.wait_for_selector("#error-list_price")
    page.select_option("#f-category", "apparel.accessories")
    page.fill("#f-list_price", "59")
    page.click("#sku-form button[type=submit]")
    page.wait_for_url(f"{site.base}{GOODS}/skus/A-HAT?created=1")
    assert page.is_visible('[data-notice="created"]')
    assert "服饰 > 配饰" in page.inner_text("#sku-form")
    made = site.sku("A-HAT")
    assert (made["shop"], made["list_price"], made["stock"]) == ("north-wear", 5900, 40)


# --- over plain HTTP ------------------------------------------------------------------


def test_another_merchants_goods_are_not_found_and_nothing_of_theirs_changes(site):
    hx = {"HX-Request": "true"}
    with site.console("digital") as client:
        assert client.get(GOODS).status_code == 200
        assert "A-COAT" not in client.get(GOODS).text
        assert client.get(f"{GOODS}/skus/A-COAT").status_code == 404
        assert client.get(GOODS, params={"shop": "north-wear"}).status_code == 404
        edit = client.post(f"{GOODS}/skus/A-COAT", data={"list_price": "1"}, headers=hx)
        assert edit.status_code == 404
        shelf = client.post(f"{GOODS}/skus/A-COAT/shelf", data={"status": "off_shelf"}, headers=hx)
        assert shelf.status_code == 404
        csv = b"sku,title,category,list_price\nA-COAT,x,apparel,1\n"
        files = {"file": ("goods.csv", csv, "text/csv")}
        taken = client.post(f"{GOODS}/import", data={"shop": "north-wear"}, files=files, headers=hx)
        assert taken.status_code == 404
        data = {"sku": "X-1", "shop": "north-wear", "category": "apparel", "title": "x",
                "list_price": "1", "status": "on_shelf"}  # fmt: skip
        assert client.post(f"{GOODS}/new", data=data, headers=hx).status_code == 404
        # their own shop, but another merchant's SKU id: refused beside the field
        hijack = client.post(
            f"{GOODS}/new", data=data | {"sku": "A-COAT", "shop": "digital-flagship"}, headers=hx
        )
        assert hijack.status_code == 200
        assert 'id="error-sku"' in hijack.text
    coat = site.sku("A-COAT")
    assert (coat["shop"], coat["list_price"], coat["status"]) == ("north-wear", 45900, "on_shelf")


def test_goods_changes_come_only_from_the_console_pages_and_only_for_keepers(site):
    with site.console("north") as client:
        plain = client.post(f"{GOODS}/skus/A-COAT/shelf", data={"status": "off_shelf"})
        assert plain.status_code == 403  # no HX-Request: not from the console's own page
        cross = client.post(
            f"{GOODS}/skus/A-COAT/shelf",
            data={"status": "off_shelf"},
            headers={"HX-Request": "true", "Origin": "https://evil.example"},
        )
        assert cross.status_code == 403
        assert client.get("/console/").status_code == 403  # a merchant's console is goods
    assert site.sku("A-COAT")["status"] == "on_shelf"
    with site.console("finance") as client:
        assert client.get(GOODS).status_code == 403
    with httpx.Client(base_url=site.base, timeout=30) as client:
        signed = client.post("/console/login", data={"token": site.tokens["north"]})
        assert signed.headers["location"] == GOODS


def test_a_zip_bomb_uploaded_in_the_console_is_refused_naming_the_file(site):
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b" " * 20_000_000)
    files = {"file": ("goods.xlsx", bomb.getvalue(), XLSX)}
    with site.console("north") as client:
        hx = {"HX-Request": "true"}
        shop = {"shop": "north-wear"}
        answer = client.post(f"{GOODS}/import", data=shop, files=files, headers=hx)
    assert answer.status_code == 200
    assert 'data-column="file"' in answer.text
    assert "文件无法导入" in answer.text
