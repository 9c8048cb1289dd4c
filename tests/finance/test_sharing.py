"""The arithmetic of cost sharing, exactly as the field reports state it."""

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from shequ.finance import sharing

D = Decimal


def test_city_40000_matched_by_district_1_to_2_5_gives_140000():
    parts = sharing.match(D("40000"), [D("1"), D("2.5")])
    assert parts == [D("40000"), D("100000")]
    assert sum(parts) == D("140000")


def test_project_of_a_million_shared_8_to_2():
    assert sharing.split(D("1000000"), [D("8"), D("2")]) == [D("800000"), D("200000")]


def test_one_to_one_to_one_of_100000_adds_up_exactly():
    parts = sharing.split(D("100000"), [D("1"), D("1"), D("1")])
    assert parts == [D("33334"), D("33333"), D("33333")]
    assert sum(parts) == D("100000")


def test_amounts_are_decimals_never_floats():
    assert all(isinstance(p, Decimal) for p in sharing.split(D("10"), [D("1"), D("2")]))


@pytest.mark.parametrize("ratios", [[D("1"), D("0")], [D("-1"), D("2")], []])
def test_a_share_that_is_not_positive_is_refused(ratios):
    with pytest.raises(ValueError):
        sharing.split(D("100"), ratios)
    with pytest.raises(ValueError):
        sharing.match(D("100"), ratios)


@given(
    total=st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False),
    ratios=st.lists(st.decimals(min_value="0.01", max_value=100, places=2), min_size=1, max_size=6),
)
# The divided parts summed to 63891698.4999… (28 digits), which rounded to a yuan less than the whole.
@example(total=Decimal("63891698.50"), ratios=[Decimal("1.75"), Decimal("2.20"), Decimal("4.43")])
@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])  # a busy machine is not a failure
def test_parts_always_add_up_to_the_rounded_whole(total, ratios):
    parts = sharing.split(total, ratios)
    assert sum(parts) == sharing.to_yuan(total)
    exact = [total * r / sum(ratios) for r in ratios]
    assert all(abs(p - e) < 1 for p, e in zip(parts, exact, strict=True))
