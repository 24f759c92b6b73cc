"""Derived customer tiers (DOMAIN.md §4.2): pure rules from kind, business lines, sales and assets.

The rules are pure functions so the Customer aggregate, the read models and the
tests all classify a customer the same way from the same facts.

Precedence when several rules apply (one tier per customer, for grouping):
BIG_CUSTOMER (telecom rule: business line, kind AGENT, then average monthly
sales) → HIGH_END → MID_END (bank asset band) → STANDARD. The asset band and
the MARGIN_PRIORITY flag are reported as separate attributes as well, so a read
model can show every segment a customer belongs to, not only the winning tier.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

CENT = Decimal("0.01")
BIG_CUSTOMER_AVG_SALES = Decimal("2000.00")  # "平均月销售额 2000 元以上": 以上 read as ≥
SALES_WINDOW_MONTHS = 12
MID_END_FLOOR = Decimal("100000")  # 10万
HIGH_END_FLOOR = Decimal("1000000")  # above 100万 is HIGH_END; exactly 100万 is still MID_END
MARGIN_PRIORITY_FLOOR = Decimal("500000")  # "50万以上的融资融券客户"
DEFAULT_BASIS = "DEFAULT"


class Tier(StrEnum):
    """The one grouping tier a customer is in."""

    BIG_CUSTOMER = "BIG_CUSTOMER"
    HIGH_END = "HIGH_END"
    MID_END = "MID_END"
    STANDARD = "STANDARD"


class AssetBand(StrEnum):
    """Bank asset band by recorded asset balance."""

    MASS = "MASS"
    MID_END = "MID_END"
    HIGH_END = "HIGH_END"


class CustomerKind(StrEnum):
    """Kinds of customer; AGENT (代理商) is a big customer by kind alone."""

    INDIVIDUAL = "INDIVIDUAL"
    ENTERPRISE = "ENTERPRISE"
    PARTNER = "PARTNER"
    AGENT = "AGENT"


class BusinessLine(StrEnum):
    """Telecom business lines of S-001; OTHER is 其他业务."""

    INTERNET_DEDICATED_LINE = "INTERNET_DEDICATED_LINE"
    IP_GATEWAY = "IP_GATEWAY"
    IP_DIALER = "IP_DIALER"
    VPDN = "VPDN"
    SATELLITE = "SATELLITE"
    FRAME_RELAY = "FRAME_RELAY"
    HOSTING = "HOSTING"
    VIRTUAL_HOST = "VIRTUAL_HOST"
    IDC = "IDC"
    JT_FAX = "JT_FAX"
    OTHER = "OTHER"


class Product(StrEnum):
    """Product holdings of S-000 附表3; MARGIN_TRADING drives MARGIN_PRIORITY."""

    PUBLIC_FUND = "PUBLIC_FUND"
    PRIVATE_FUND = "PRIVATE_FUND"
    SEGREGATED_ACCOUNT = "SEGREGATED_ACCOUNT"
    MARGIN_TRADING = "MARGIN_TRADING"
    FUTURES = "FUTURES"
    BROKER_COLLECTIVE = "BROKER_COLLECTIVE"
    OTHER = "OTHER"


# Lines that make a big customer whatever the sales (in this order, for a stable basis).
BIG_CUSTOMER_LINES: tuple[BusinessLine, ...] = (
    BusinessLine.INTERNET_DEDICATED_LINE,
    BusinessLine.IP_GATEWAY,
    BusinessLine.VPDN,
)


@dataclass(frozen=True)
class TierAssessment:
    """The outcome of the tier rules and the facts behind it.

    `basis` names the rule that decided `tier` ("BUSINESS_LINE:VPDN",
    "KIND:AGENT", "AVG_MONTHLY_SALES:2150.00", "ASSET_BAND:MID_END" or
    "DEFAULT"), so the audit trail says why without re-deriving it.
    """

    tier: Tier
    basis: str
    avg_monthly_sales: Decimal
    months_considered: int
    asset_band: AssetBand | None
    margin_priority: bool


def average_monthly_sales(monthly_sales: Mapping[str, Decimal]) -> tuple[Decimal, int]:
    """Mean of the up-to-12 most recent recorded months ("YYYY-MM"), 2 places half-up.

    A mapping holds one value per month, so a re-recorded month has already
    replaced its old value. No recorded month averages to 0.00.
    """
    recent = sorted(monthly_sales, reverse=True)[:SALES_WINDOW_MONTHS]
    if not recent:
        return Decimal("0.00"), 0
    total = sum((monthly_sales[month] for month in recent), Decimal(0))
    return (total / len(recent)).quantize(CENT, rounding=ROUND_HALF_UP), len(recent)


def asset_band(balance: Decimal | None) -> AssetBand | None:
    """MASS < 100,000 ≤ MID_END ≤ 1,000,000 < HIGH_END; None when no balance is recorded."""
    if balance is None:
        return None
    if balance < MID_END_FLOOR:
        return AssetBand.MASS
    if balance <= HIGH_END_FLOOR:
        return AssetBand.MID_END
    return AssetBand.HIGH_END


def margin_priority(holdings: Iterable[Mapping[str, object]]) -> bool:
    """True when a MARGIN_TRADING holding ({product, amount}) is at least 500,000."""
    return any(
        holding.get("product") == Product.MARGIN_TRADING
        and Decimal(str(holding.get("amount", 0))) >= MARGIN_PRIORITY_FLOOR
        for holding in holdings
    )


def big_customer_basis(kind: str, business_lines: Iterable[str], avg_sales: Decimal) -> str | None:
    """The reason a customer is a BIG_CUSTOMER, or None.

    Any line other than the three big lines (IP_DIALER, SATELLITE … OTHER), and
    no line at all (treated as OTHER), qualifies only through average sales; the
    average is compared after rounding, so the basis shown and the decision agree.
    """
    lines = set(business_lines)
    for line in BIG_CUSTOMER_LINES:
        if line in lines:
            return f"BUSINESS_LINE:{line}"
    if kind == CustomerKind.AGENT:
        return f"KIND:{CustomerKind.AGENT}"
    if avg_sales >= BIG_CUSTOMER_AVG_SALES:
        return f"AVG_MONTHLY_SALES:{avg_sales}"
    return None


def assess_tier(
    *,
    kind: str,
    business_lines: Iterable[str] = (),
    monthly_sales: Mapping[str, Decimal] | None = None,
    asset_balance: Decimal | None = None,
    product_holdings: Iterable[Mapping[str, object]] = (),
) -> TierAssessment:
    """Classify a customer; see the module docstring for the precedence of the rules."""
    avg_sales, months = average_monthly_sales(monthly_sales or {})
    band = asset_band(asset_balance)
    basis = big_customer_basis(kind, business_lines, avg_sales)
    if basis is not None:
        tier = Tier.BIG_CUSTOMER
    elif band is not None and band is not AssetBand.MASS:
        tier, basis = Tier(band.value), f"ASSET_BAND:{band}"
    else:
        tier, basis = Tier.STANDARD, DEFAULT_BASIS
    return TierAssessment(
        tier=tier,
        basis=basis,
        avg_monthly_sales=avg_sales,
        months_considered=months,
        asset_band=band,
        margin_priority=margin_priority(product_holdings),
    )
