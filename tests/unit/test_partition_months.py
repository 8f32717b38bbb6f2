"""The months of the partitioned tables: Shanghai calendar months, named by year and
month, across a year's end and whatever zone a time comes in."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from dacu.adapters.partitions import beside_declared, month_of, months, partition_name

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_a_time_belongs_to_its_shanghai_month_even_when_utc_says_otherwise():
    late_utc = datetime(2026, 11, 30, 16, 30, tzinfo=UTC)  # 00:30 on 1 December in Shanghai
    assert month_of(late_utc) == datetime(2026, 12, 1, tzinfo=SHANGHAI)


def test_months_run_across_the_year_end_and_are_named_by_year_and_month():
    found = list(
        months(datetime(2026, 12, 31, tzinfo=SHANGHAI), datetime(2027, 2, 1, tzinfo=SHANGHAI))
    )
    assert [partition_name("orders", m) for m in found] == [
        "orders_p202612",
        "orders_p202701",
        "orders_p202702",
    ]


def test_partitions_and_key_tables_are_told_apart_from_declared_tables():
    assert beside_declared("orders_p202612")
    assert beside_declared("events_default")
    assert beside_declared("journal_keys")
    assert not beside_declared("orders")
    assert not beside_declared("order_addresses")
