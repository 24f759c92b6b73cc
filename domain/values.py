"""Shared value rules: reference-code format, money, dates and small enumerations."""

from __future__ import annotations

import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum

from domain.errors import FieldProblem

_REFERENCE_CODE = re.compile(r"^[A-Za-z0-9_-]{1,20}$")
CENT = Decimal("0.01")


class Channel(StrEnum):
    """Contact channels of DOMAIN.md §3.2."""

    PHONE = "PHONE"
    EMAIL = "EMAIL"
    CHAT = "CHAT"
    SOCIAL_MEDIA = "SOCIAL_MEDIA"
    VISIT = "VISIT"
    SMS = "SMS"
    QQ = "QQ"
    FETION = "FETION"
    MSN = "MSN"
    WEBSITE = "WEBSITE"
    LETTER = "LETTER"
    FORM = "FORM"
    OTHER = "OTHER"


def is_reference_code(value: str) -> bool:
    """API.md: codes are non-empty, ≤ 20 letters, digits, '-' or '_'."""
    return bool(_REFERENCE_CODE.match(value))


def check_reference_code(field: str, value: str | None, problems: list[FieldProblem]) -> None:
    if value is not None and not is_reference_code(value):
        problems.append(FieldProblem(field, "must be 1-20 letters, digits, '-' or '_'"))


def check_required(field: str, value: object, problems: list[FieldProblem]) -> None:
    if value is None or (isinstance(value, str) and not value.strip()):
        problems.append(FieldProblem(field, "is required"))


def check_text(field: str, value: str | None, max_len: int, problems: list[FieldProblem]) -> None:
    if value is not None and len(value) > max_len:
        problems.append(FieldProblem(field, f"must be at most {max_len} characters"))


def check_one_of(field: str, value: str | None, allowed: type[StrEnum], problems: list[FieldProblem]) -> None:
    if value is not None and value not in allowed.__members__.values():
        names = ", ".join(m.value for m in allowed)
        problems.append(FieldProblem(field, f"must be one of {names}"))


def money(field: str, value: Decimal | str | int, problems: list[FieldProblem]) -> Decimal:
    """Parse an amount: finite, ≥ 0, at most 2 decimals, kept as a 2-place Decimal."""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        problems.append(FieldProblem(field, "must be a decimal amount"))
        return Decimal(0)
    if not amount.is_finite() or amount < 0:
        problems.append(FieldProblem(field, "must be a finite amount ≥ 0"))
        return Decimal(0)
    if amount != amount.quantize(CENT, rounding=ROUND_HALF_UP):
        problems.append(FieldProblem(field, "must have at most 2 decimals"))
    if amount >= Decimal("1e15"):
        problems.append(FieldProblem(field, "is too large"))
        return Decimal(0)
    return amount.quantize(CENT)


def check_date_order(
    start_field: str, start: date | None, end_field: str, end: date | None, problems: list[FieldProblem]
) -> None:
    if start is not None and end is not None and end < start:
        problems.append(FieldProblem(end_field, f"must not be before {start_field}"))
