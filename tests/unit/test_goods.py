"""The catalog's rules and a merchant's import file, without a database."""

import io
import random
import zipfile

import pytest
from openpyxl import Workbook

from dacu.domain.categories import Category, CategoryTree
from dacu.domain.errors import InvalidRule
from dacu.domain.goods import Shop, Sku, SkuStatus, lines_of
from dacu.entrypoints.web.goods_forms import form_of, read_sku, typed
from dacu.schemas.categories import packaged_categories, read_categories
from dacu.schemas.goods import ImportRejected, fen_of_yuan, parse_import, read_rows
from dacu.schemas.spreadsheets import check_archive, xlsx_rows

SHOP = Shop("north-wear", "m-north", "北境服饰")
TREE = packaged_categories()
HEADER = "商品编码,标题,类目,售价,成本价,库存,状态\n"


def test_a_sku_prices_a_line_in_its_root_category():
    coat = Sku("A-COAT", "north-wear", "apparel.outerwear", "羊毛大衣", 45900, 21000)
    [line] = lines_of([("A-COAT", 2)], {"A-COAT": coat}, TREE)
    assert (line.sku, line.shop, line.price, line.qty, line.category) == (
        "A-COAT", "north-wear", 45900, 2, "apparel",
    )  # fmt: skip
    assert TREE.root_of("digital.phones") == "digital"


@pytest.mark.parametrize(
    ("field", "changes"),
    [
        ("category", {"category": ""}),
        ("list_price", {"list_price": 0}),
        ("cost_price", {"cost_price": -1}),
        ("title", {"title": " "}),
        ("stock", {"stock": -3}),
        ("sku", {"id": "A|B"}),
    ],
)
def test_a_sku_that_breaks_a_rule_names_the_field(field, changes):
    values = {"id": "A-COAT", "shop": "north-wear", "category": "apparel", "title": "大衣",
              "list_price": 45900, "cost_price": 0} | changes  # fmt: skip
    with pytest.raises(InvalidRule) as raised:
        Sku(**values)
    assert raised.value.field == field


def test_cart_lines_come_from_the_catalog_and_name_an_unknown_or_off_shelf_line():
    found = {
        "A-COAT": Sku("A-COAT", "north-wear", "apparel", "大衣", 45900, 0),
        "A-HAT": Sku("A-HAT", "north-wear", "apparel", "帽子", 5900, 0, SkuStatus.OFF_SHELF),
    }
    assert [line.price for line in lines_of([("A-COAT", 1)], found, TREE)] == [45900]
    with pytest.raises(InvalidRule) as raised:
        lines_of([("A-COAT", 1), ("NOPE", 1)], found, TREE)
    assert raised.value.field == "cart.items[1].sku"
    with pytest.raises(InvalidRule, match="off the shelf") as raised:
        lines_of([("A-HAT", 1)], found, TREE)
    assert raised.value.field == "cart.items[0].sku"


def test_yuan_are_read_to_the_fen_exactly():
    assert fen_of_yuan("12.90") == 1290
    assert fen_of_yuan("¥1,299") == 129900
    assert fen_of_yuan(0.1) == 10
    for bad in ("12.345", "abc", "NaN", "Infinity"):
        with pytest.raises(ValueError, match="yuan"):
            fen_of_yuan(bad)


def test_an_import_is_read_whole_with_chinese_headers():
    data = (HEADER + "A-COAT,羊毛大衣,apparel.outerwear,459.00,210,30,上架\n"
            "A-HAT,毛线帽,apparel,59,,,下架\n").encode("utf-8-sig")  # fmt: skip
    skus = parse_import(read_rows(data, "goods.csv"), SHOP)
    assert [(s.id, s.list_price, s.cost_price, s.stock, s.status) for s in skus] == [
        ("A-COAT", 45900, 21000, 30, SkuStatus.ON_SHELF),
        ("A-HAT", 5900, 0, None, SkuStatus.OFF_SHELF),
    ]
    assert {s.shop for s in skus} == {"north-wear"}


def test_every_bad_row_is_reported_with_its_row_and_column_and_nothing_is_taken():
    data = (HEADER + "A-COAT,大衣,apparel,459.001,0,1,上架\n"
            "A-HAT,帽子,weapons,59,0,1,上架\n"
            ",围巾,apparel,19,0,1,上架\n"
            "A-COAT,大衣,apparel,459,0,-1,卖光\n").encode()  # fmt: skip
    with pytest.raises(ImportRejected) as raised:
        parse_import(read_rows(data, "goods.csv"), SHOP)
    assert [(p.row, p.column) for p in raised.value.problems] == [
        (2, "list_price"), (3, "category"), (4, "sku"), (5, "stock"), (5, "status"),
    ]  # fmt: skip


def test_a_file_without_its_required_columns_is_refused_at_the_header():
    with pytest.raises(ImportRejected) as raised:
        parse_import(read_rows(b"sku,title\nA,B\n", "goods.csv"), SHOP)
    assert [(p.row, p.column) for p in raised.value.problems] == [
        (1, "category"), (1, "list_price"),
    ]  # fmt: skip


def test_the_same_sku_twice_in_one_file_is_a_problem_on_the_later_row():
    data = (
        HEADER + "A-COAT,大衣,apparel,459,0,1,上架\nA-COAT,大衣,apparel,459,0,1,上架\n"
    ).encode()
    with pytest.raises(ImportRejected) as raised:
        parse_import(read_rows(data, "goods.csv"), SHOP)
    assert [(p.row, p.column) for p in raised.value.problems] == [(3, "sku")]


# --- the category tree, as data ---------------------------------------------------------


def test_the_packaged_tree_has_the_campaign_roots_and_their_leaves():
    assert [c.zh for c in TREE.children(None)][:4] == ["服饰", "家电", "数码", "美妆"]
    assert [c.zh for c in TREE.path("digital.phones")] == ["数码", "手机"]
    assert TREE.below("digital") >= {"digital", "digital.phones", "digital.audio"}
    assert "apparel.outerwear" not in TREE.below("digital")
    assert TREE.every()[:2] == [TREE.path("apparel")[0], TREE.path("apparel.outerwear")[1]]
    with pytest.raises(InvalidRule) as raised:
        TREE.check("weapons")
    assert raised.value.field == "category"


def test_a_sku_stored_under_a_dropped_category_still_prices_as_itself():
    assert TREE.root_of("vintage.cameras") == "vintage.cameras"
    assert TREE.path("vintage.cameras") == []


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("code,parent,zh,en\na,,甲,A\na,,甲,A\n", "code"),
        ("code,parent,zh,en\na.b,nowhere,乙,B\n", "parent"),
        ("code,parent,zh,en\na,b,甲,A\nb,a,乙,B\n", "parent"),
        ("code,parent,zh,en\nBad Code,,甲,A\n", "categories[2].code"),
        ("code,parent,zh,en\na,,,A\n", "categories[2].name"),
        ("code,parent,zh,en\n", "categories"),
    ],
)
def test_a_broken_categories_file_is_refused_naming_what_is_wrong(text, field):
    with pytest.raises(InvalidRule) as raised:
        read_categories(text)
    assert raised.value.field == field


def test_an_import_row_in_a_category_outside_the_tree_is_a_problem_on_its_row():
    tree = CategoryTree([Category("tea", None, "茶", "Tea")])
    data = (HEADER + "T-1,龙井,tea,59,0,1,上架\n\nA-1,大衣,apparel,459,0,1,上架\n").encode()
    with pytest.raises(ImportRejected) as raised:
        parse_import(read_rows(data, "goods.csv"), SHOP, tree)
    assert [(p.row, p.column) for p in raised.value.problems] == [(4, "category")]


# --- an XLSX file is checked before openpyxl opens it -----------------------------------


def _zip(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w", method) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return data.getvalue()


def test_a_highly_compressed_member_is_refused_before_openpyxl_reads_it():
    bomb = _zip({"xl/worksheets/sheet1.xml": b" " * 20_000_000})
    assert len(bomb) < 100_000
    with pytest.raises(InvalidRule, match="compressed more than") as raised:
        read_rows(bomb, "goods.xlsx")
    assert raised.value.field == "file"


def test_an_archive_of_too_many_members_or_too_many_bytes_is_refused():
    many = _zip({f"part{n}.xml": b"<a/>" for n in range(1001)})
    with pytest.raises(InvalidRule, match="parts") as raised:
        check_archive(many)
    assert raised.value.field == "file"
    stored = random.Random(7).randbytes(26 * 1024 * 1024)
    large = _zip({"a.bin": stored, "b.bin": stored}, zipfile.ZIP_STORED)
    with pytest.raises(InvalidRule, match="expands past"):
        check_archive(large)
    with pytest.raises(InvalidRule, match="not a zip"):
        check_archive(b"PK but not a zip")


def test_a_real_workbook_passes_the_check_and_its_rows_keep_their_numbers():
    book = Workbook()
    sheet = book.active
    sheet.append(["商品编码", "标题", "类目", "售价"])
    sheet.append(["A-1", "大衣", "apparel", 459])
    sheet.append([])
    sheet.append(["A-2", "帽子", "nonsense", 59])
    data = io.BytesIO()
    book.save(data)
    with pytest.raises(ImportRejected) as raised:
        parse_import(read_rows(data.getvalue(), "goods.xlsx"), SHOP)
    assert [(p.row, p.column) for p in raised.value.problems] == [(4, "category")]


def test_more_rows_than_the_cap_are_refused_without_reading_on():
    book = Workbook()
    sheet = book.active
    sheet.append(["sku", "title", "category", "list_price"])
    for n in range(6):
        sheet.append([f"A-{n}", "帽子", "apparel", 59])
    data = io.BytesIO()
    book.save(data)
    with pytest.raises(InvalidRule, match="at most 5 rows") as raised:
        xlsx_rows(data.getvalue(), 5)
    assert raised.value.field == "file"


# --- the console's SKU form ------------------------------------------------------------


def test_the_console_form_reads_yuan_as_fen_and_names_every_wrong_field():
    typed_in = {"sku": "A-HAT", "shop": "north-wear", "category": "apparel", "title": "帽",
                "list_price": "59.90", "cost_price": "", "stock": "12",
                "status": "off_shelf"}  # fmt: skip
    form = typed(typed_in)
    hat = read_sku(form)
    assert hat is not None
    assert (hat.list_price, hat.cost_price, hat.stock, hat.status) == (
        5990, 0, 12, SkuStatus.OFF_SHELF,
    )  # fmt: skip
    assert form_of(hat).values["list_price"] == "59.90"
    broken = typed(typed_in | {"title": "", "list_price": "5.999", "stock": "-1"})
    assert read_sku(broken) is None
    assert broken.errors == {
        "list_price": "err_list_price", "stock": "err_stock", "title": "err_required",
    }  # fmt: skip
    bad_id = typed(typed_in | {"sku": "A|B"})
    assert read_sku(bad_id) is None
    assert bad_id.errors == {"sku": "err_sku_id"}
