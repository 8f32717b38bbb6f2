from hypothesis import given
from hypothesis import strategies as st

from dacu.domain.money import apply_rate, apportion, platform_parts, yuan


def test_rate_rounds_half_up_to_the_fen():
    assert apply_rate(99900, 1000) == 9990
    assert apply_rate(5, 1000) == 1  # 0.5 fen rounds up
    assert apply_rate(4, 1000) == 0


def test_apportion_gives_leftover_fen_to_largest_remainders_ties_to_earlier():
    assert apportion(5000, [10000, 10000, 10000]) == [1667, 1667, 1666]
    assert apportion(10000, [26000, 34000]) == [4333, 5667]


def test_apportion_never_gives_to_a_zero_weight():
    assert apportion(3, [0, 1, 1, 0]) == [0, 2, 1, 0]


def test_yuan_shows_fen_as_yuan():
    assert yuan(123456) == "1,234.56"
    assert yuan(-5) == "-0.05"


@given(
    total=st.integers(0, 10**9),
    weights=st.lists(st.integers(0, 10**7), min_size=1, max_size=30).filter(any),
)
def test_apportioned_shares_sum_exactly_and_stay_proportional(total, weights):
    shares = apportion(total, weights)
    assert sum(shares) == total
    whole = sum(weights)
    for share, weight in zip(shares, weights, strict=True):
        assert total * weight // whole <= share <= total * weight // whole + 1


@given(shares=st.lists(st.integers(0, 10**9), max_size=20), rate=st.integers(0, 10_000))
def test_platform_part_is_the_rate_of_each_share_rounded_half_up(shares, rate):
    parts = platform_parts(shares, rate)
    assert parts == [apply_rate(share, rate) for share in shares]
    assert all(0 <= part <= share for part, share in zip(parts, shares, strict=True))


def test_platform_part_rounds_half_up_per_line():
    assert platform_parts([2501, 2499], 5000) == [1251, 1250]
