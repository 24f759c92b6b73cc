"""The derived tier rules of DOMAIN.md §4.2 as pure functions."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.tiers import (
    AssetBand,
    Tier,
    assess_tier,
    asset_band,
    average_monthly_sales,
    margin_priority,
)


def months(*amounts: str, start_year: int = 2023) -> dict[str, Decimal]:
    """Consecutive months from January of `start_year`, oldest first."""
    return {f"{start_year + i // 12}-{i % 12 + 1:02d}": Decimal(a) for i, a in enumerate(amounts)}


@pytest.mark.parametrize("line", ["INTERNET_DEDICATED_LINE", "IP_GATEWAY", "VPDN"])
def test_a_big_business_line_makes_a_big_customer_whatever_the_sales(line: str) -> None:
    result = assess_tier(kind="ENTERPRISE", business_lines=[line])
    assert (result.tier, result.basis) == (Tier.BIG_CUSTOMER, f"BUSINESS_LINE:{line}")


def test_an_agent_is_a_big_customer_by_kind() -> None:
    result = assess_tier(kind="AGENT")
    assert (result.tier, result.basis) == (Tier.BIG_CUSTOMER, "KIND:AGENT")


def test_a_big_business_line_is_named_as_the_basis_before_the_agent_kind() -> None:
    assert assess_tier(kind="AGENT", business_lines=["VPDN"]).basis == "BUSINESS_LINE:VPDN"


def test_dialer_customer_with_average_sales_of_exactly_2000_is_a_big_customer() -> None:
    sales = months("1500", "2500")
    result = assess_tier(kind="ENTERPRISE", business_lines=["IP_DIALER"], monthly_sales=sales)
    assert (result.tier, result.basis) == (Tier.BIG_CUSTOMER, "AVG_MONTHLY_SALES:2000.00")


def test_dialer_customer_with_average_sales_just_under_2000_is_standard() -> None:
    result = assess_tier(kind="ENTERPRISE", business_lines=["IP_DIALER"], monthly_sales=months("1999.99"))
    assert result.tier is Tier.STANDARD


def test_other_business_line_qualifies_through_average_sales() -> None:
    result = assess_tier(kind="PARTNER", business_lines=["SATELLITE"], monthly_sales=months("2150"))
    assert result.basis == "AVG_MONTHLY_SALES:2150.00"


def test_a_customer_without_business_lines_is_judged_by_sales_like_other() -> None:
    result = assess_tier(kind="INDIVIDUAL", monthly_sales=months("2000.00"))
    assert result.tier is Tier.BIG_CUSTOMER


def test_average_counts_only_the_twelve_most_recent_recorded_months() -> None:
    sales = months("50000", *["0"] * 12)  # the 13th-newest month is huge but outside the window
    assert average_monthly_sales(sales) == (Decimal("0.00"), 12)


def test_average_of_fewer_than_twelve_months_divides_by_the_months_recorded() -> None:
    assert average_monthly_sales(months("1000", "3000")) == (Decimal("2000.00"), 2)


def test_recent_months_are_chosen_by_calendar_not_by_insertion_order() -> None:
    sales = {"2024-01": Decimal("0"), **months(*["2400"] * 12, start_year=2022)}
    assert average_monthly_sales(sales) == (Decimal("2200.00"), 12)


def test_average_is_rounded_half_up_to_cents() -> None:
    assert average_monthly_sales(months("0.01", "0.00"))[0] == Decimal("0.01")


def test_rounded_average_decides_so_the_basis_shown_agrees_with_the_tier() -> None:
    result = assess_tier(kind="ENTERPRISE", monthly_sales=months("1999.99", "2000.00"))
    assert (result.tier, result.basis) == (Tier.BIG_CUSTOMER, "AVG_MONTHLY_SALES:2000.00")


def test_no_recorded_month_averages_to_zero_over_zero_months() -> None:
    assert average_monthly_sales({}) == (Decimal("0.00"), 0)


@pytest.mark.parametrize(
    ("balance", "band"),
    [
        ("0", AssetBand.MASS),
        ("99999.99", AssetBand.MASS),
        ("100000", AssetBand.MID_END),
        ("1000000", AssetBand.MID_END),
        ("1000000.01", AssetBand.HIGH_END),
    ],
)
def test_asset_band_boundaries(balance: str, band: AssetBand) -> None:
    assert asset_band(Decimal(balance)) is band


def test_no_recorded_balance_has_no_asset_band() -> None:
    assert asset_band(None) is None


@pytest.mark.parametrize(
    ("balance", "tier", "basis"),
    [
        ("1000000.01", Tier.HIGH_END, "ASSET_BAND:HIGH_END"),
        ("100000", Tier.MID_END, "ASSET_BAND:MID_END"),
        ("99999.99", Tier.STANDARD, "DEFAULT"),
    ],
)
def test_asset_band_decides_the_tier_when_no_big_customer_rule_applies(
    balance: str, tier: Tier, basis: str
) -> None:
    result = assess_tier(kind="INDIVIDUAL", asset_balance=Decimal(balance))
    assert (result.tier, result.basis) == (tier, basis)


def test_big_customer_wins_over_high_end_but_the_band_is_still_reported() -> None:
    result = assess_tier(kind="AGENT", asset_balance=Decimal("2000000"))
    assert (result.tier, result.asset_band) == (Tier.BIG_CUSTOMER, AssetBand.HIGH_END)


def test_no_rule_gives_standard_with_default_basis() -> None:
    result = assess_tier(kind="INDIVIDUAL")
    assert (result.tier, result.basis, result.asset_band) == (Tier.STANDARD, "DEFAULT", None)


@pytest.mark.parametrize(("amount", "flag"), [("500000", True), ("499999.99", False)])
def test_margin_trading_holding_of_500000_or_more_is_a_priority(amount: str, flag: bool) -> None:
    assert margin_priority([{"product": "MARGIN_TRADING", "amount": Decimal(amount)}]) is flag


def test_only_margin_trading_holdings_count_for_margin_priority() -> None:
    assert margin_priority([{"product": "PUBLIC_FUND", "amount": Decimal("9000000")}]) is False


def test_margin_priority_is_a_flag_that_does_not_change_the_tier() -> None:
    holdings = [{"product": "MARGIN_TRADING", "amount": Decimal("600000")}]
    result = assess_tier(kind="INDIVIDUAL", product_holdings=holdings)
    assert (result.tier, result.margin_priority) == (Tier.STANDARD, True)


def test_assessment_reports_the_average_and_months_considered() -> None:
    result = assess_tier(kind="ENTERPRISE", monthly_sales=months("100", "200", "300"))
    assert (result.avg_monthly_sales, result.months_considered) == (Decimal("200.00"), 3)
