"""The catalog's rules and a merchant's import file, without a database."""

import pytest

from dacu.domain.errors import InvalidRule
from dacu.domain.goods import Shop, Sku, SkuStatus, lines_of, root_of
from dacu.schemas.goods import ImportRejected, fen_of_yuan, parse_import, read_rows

SHOP = Shop("north-wear", "m-north", "北境服饰")
HEADER = "商品编码,标题,类目,售价,成本价,库存,状态\n"


def test_a_sku_prices_a_line_in_its_root_category():
    coat = Sku("A-COAT", "north-wear", "apparel.outerwear", "羊毛大衣", 45900, 21000)
    line = coat.line(2)
    assert (line.sku, line.shop, line.price, line.qty, line.category) == (
        "A-COAT", "north-wear", 45900, 2, "apparel",
    )  # fmt: skip
    assert root_of("digital.phones") == "digital"


@pytest.mark.parametrize(
    ("field", "changes"),
    [
        ("category", {"category": "weapons"}),
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
    assert [line.price for line in lines_of([("A-COAT", 1)], found)] == [45900]
    with pytest.raises(InvalidRule) as raised:
        lines_of([("A-COAT", 1), ("NOPE", 1)], found)
    assert raised.value.field == "cart.items[1].sku"
    with pytest.raises(InvalidRule, match="off the shelf") as raised:
        lines_of([("A-HAT", 1)], found)
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
