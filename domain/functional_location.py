"""System-wide claim of a functional location number (功能位置), so no two customers share one.

A functional location lives inside its customer's stream; this tiny stream
(`functional-location-<fl_no>`) exists only so that the store's unique
(stream, version) key refuses a second claim of the same number. It is saved
in the same atomic append as the customer's FunctionalLocationCreated.
"""

from __future__ import annotations

from typing import Any

from domain.actor import Role
from domain.base import CrmAggregate, CrmCreated, envelope
from domain.context import CommandContext


class FunctionalLocationClaim(CrmAggregate):
    """Which customer a functional location number belongs to."""

    STREAM_PREFIX = "functional-location"

    class FunctionalLocationClaimed(CrmAggregate.Event, CrmCreated):
        fl_no: str
        customer_no: str

        def apply(self, aggregate: Any) -> None:
            aggregate.fl_no, aggregate.customer_no = self.fl_no, self.customer_no

    def __init__(self) -> None:
        self.fl_no = ""
        self.customer_no = ""

    @classmethod
    def claim(cls, ctx: CommandContext, role: Role, fl_no: str, customer_no: str) -> FunctionalLocationClaim:
        return cls._create(
            cls.FunctionalLocationClaimed,
            id=cls.stream_id(fl_no),
            **envelope(ctx, role),
            fl_no=fl_no,
            customer_no=customer_no,
        )
