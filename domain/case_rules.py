"""The checks every notification command shares, in DOMAIN.md §4.6 precedence order."""

from __future__ import annotations

from typing import Any

from domain.actor import Role
from domain.base import CrmEvent
from domain.case_state import CaseState
from domain.case_status import POLICIES, TRANSITIONS, Transition
from domain.case_values import CaseType, Category
from domain.context import CommandContext
from domain.errors import (
    FieldProblem,
    ForbiddenRole,
    IllegalStatusTransition,
    NotAllowedForCategory,
    NotAllowedForType,
    NotificationClosed,
    ValidationFailed,
)
from domain.values import check_text


def reject_invalid(problems: list[FieldProblem]) -> None:
    """Step 1 (or 7) of the precedence: refuse with every failing field at once."""
    if problems:
        raise ValidationFailed(problems)


def reject_too_long(field: str, value: str, max_len: int) -> None:
    """Refuse a free-text field over its length limit."""
    problems: list[FieldProblem] = []
    check_text(field, value, max_len, problems)
    reject_invalid(problems)


class CaseRules(CaseState):
    """Role (403), type and category (422), closed (409) and status-table (409) checks."""

    def _trigger(self, event_class: type[CrmEvent], ctx: CommandContext, role: Role, **payload: Any) -> None:
        raise NotImplementedError  # provided by CrmAggregate, which comes first in Case's bases

    def _authorize(self, command: str, ctx: CommandContext) -> Role:
        """403 by the role table, then 422 by type and category; returns the acting role."""
        policy = POLICIES[command]
        case_type = CaseType(self.type)
        role = ctx.actor.acting_role(policy.roles.get(case_type) or policy.all_roles())
        if role is None:
            raise ForbiddenRole(command, {r.value for r in ctx.actor.roles})
        if case_type not in policy.roles:
            raise NotAllowedForType(f"{command} is not allowed on a {case_type} notification")
        if Category(self.category) not in policy.categories:
            raise NotAllowedForCategory(f"{command} is not allowed on a {self.category} notification")
        return role

    def _ensure_open(self, command: str) -> None:
        """A completed notification refuses everything but e-mail, invoice and survey."""
        if self.is_completed and not POLICIES[command].after_close:
            raise NotificationClosed(f"notification {self.case_no} is closed")

    def _allowed(self, command: str, ctx: CommandContext) -> Role:
        """The usual sequence for commands with no extra 422 rule of their own."""
        role = self._authorize(command, ctx)
        self._ensure_open(command)
        return role

    def _transition(self, command: str) -> Transition:
        """The status-table row for this command; refuses a start status the table forbids."""
        transition = TRANSITIONS[(CaseType(self.type), command)]
        if self.user_status not in transition.sources:
            allowed = ", ".join(sorted(transition.sources))
            raise IllegalStatusTransition(
                f"{command} is not allowed in user status {self.user_status} (allowed from {allowed})"
            )
        return transition

    def _move(
        self,
        event_class: type[CrmEvent],
        ctx: CommandContext,
        role: Role,
        transition: Transition,
        **payload: Any,
    ) -> None:
        """Trigger a user-status event: it records where the status came from and where it goes."""
        self._trigger(
            event_class, ctx, role, from_status=self.user_status, to_status=transition.to, **payload
        )

    def _next_number(self, kind: str, existing: int) -> str:
        """Numbers of forms, orders and invoices: the case number, a kind letter, a counter."""
        return f"{kind}-{self.case_no}-{existing + 1}"
