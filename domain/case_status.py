"""The notification's status machine as data: who may run each command, on which type, from where.

These tables are DOMAIN.md §4.3.1 (Z1) and §4.3.2 (Z2) plus the role and type
rules of §4.3.3. The aggregate reads them; it holds no status `if`-thickets.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from domain.actor import Role
from domain.case_values import CaseType, Category
from domain.case_values import UserStatus as S

A, SS, SUP = Role.ASSISTANT, Role.SERVICE_STAFF, Role.SUPERVISOR
RL, CH, CS = Role.REGIONAL_LOGISTICS, Role.COMPLAINT_HANDLER, Role.CS_AGENT
Z1, Z2 = CaseType.Z1, CaseType.Z2


@dataclass(frozen=True)
class Policy:
    """Roles per notification type (a type absent here gets 422), categories, closed-case rule."""

    roles: Mapping[CaseType, tuple[Role, ...]]
    categories: frozenset[Category] = frozenset(Category)
    after_close: bool = False

    def all_roles(self) -> tuple[Role, ...]:
        """Every role named for any type: the 403 check comes before the 422 type check."""
        seen: dict[Role, None] = {}
        for roles in self.roles.values():
            seen.update(dict.fromkeys(roles))
        return tuple(seen)


def _both(*roles: Role) -> Mapping[CaseType, tuple[Role, ...]]:
    return {Z1: roles, Z2: roles}


CREATE_ROLES = (A, CS, Role.INTEGRATOR)

POLICIES: Mapping[str, Policy] = {
    "put_in_process": Policy({Z1: (A, SS), Z2: (A, RL, CH)}),
    "notify_service_staff": Policy(_both(A)),
    "update_details": Policy({Z1: (A,), Z2: (A, CH)}),
    "append_long_text": Policy(_both(A, SS, SUP, RL, CH)),
    "add_item": Policy(_both(A, SS)),
    "change_item": Policy(_both(A, SS)),
    "remove_item": Policy(_both(A, SS)),
    "complete_site_survey": Policy({Z1: (A, SS)}),
    "record_service_form": Policy({Z1: (A, SS)}),
    "file_complaint_form": Policy(_both(A), categories=frozenset({Category.COMPLAINT})),
    "request_approval": Policy({Z1: (A,)}),
    "approve": Policy({Z1: (SUP,)}),
    "reject": Policy({Z1: (SUP,)}),
    "escalate": Policy(_both(A)),
    "email": Policy(_both(A, SUP), after_close=True),
    "record_department_reply": Policy({Z1: (RL, A)}),
    "record_reply_to_sales": Policy({Z2: (RL, CH)}),
    "record_goods_delivered": Policy({Z2: (RL, CH)}),
    "record_goods_returned": Policy({Z2: (RL, CH)}),
    "create_service_order": Policy({Z1: (A,)}, categories=frozenset({Category.PAID_SERVICE})),
    "confirm_quote": Policy({Z1: (A, SS)}),
    "decline_quote": Policy({Z1: (A, SS)}),
    "record_on_site_service": Policy({Z1: (A, SS)}),
    "confirm_acceptance": Policy({Z1: (A, SS)}),
    "close": Policy({Z1: (A, SUP), Z2: (RL, CH, A)}),
    "create_invoice": Policy({Z1: (A,)}, after_close=True),
    "record_satisfaction_survey": Policy(_both(A, CS), after_close=True),
}


@dataclass(frozen=True)
class Transition:
    """The user statuses a command may start from, and the one it sets (None: unchanged)."""

    sources: frozenset[S]
    target: S | None = None

    @property
    def to(self) -> str:
        """The code written into the event (a plain string: events hold no enum members)."""
        if self.target is None:
            raise LookupError("this command does not set a user status")
        return self.target.value


TRANSITIONS: Mapping[tuple[CaseType, str], Transition] = {
    # Z1 (DOMAIN.md §4.3.1)
    (Z1, "complete_site_survey"): Transition(frozenset({S.TZJL}), S.KCWB),
    (Z1, "request_approval"): Transition(frozenset({S.KCWB, S.BPZ})),
    (Z1, "approve"): Transition(frozenset({S.KCWB, S.BPZ}), S.ZGPZ),
    (Z1, "reject"): Transition(frozenset({S.KCWB, S.BPZ}), S.BPZ),
    (Z1, "record_department_reply"): Transition(frozenset({S.ZGPZ}), S.ZBHF),
    (Z1, "record_on_site_service"): Transition(frozenset({S.KCWB, S.ZBHF, S.BPZ})),
    (Z1, "close"): Transition(frozenset({S.KCWB, S.ZBHF, S.BPZ})),
    # Z2 (DOMAIN.md §4.3.2)
    (Z2, "record_reply_to_sales"): Transition(frozenset({S.TZJL}), S.HFYY),
    (Z2, "record_goods_delivered"): Transition(frozenset({S.HFYY}), S.DDKH),
    (Z2, "record_goods_returned"): Transition(frozenset({S.HFYY, S.DDKH}), S.THCS),
    (Z2, "close"): Transition(frozenset({S.DDKH, S.THCS})),
}

USER_STATUSES: Mapping[CaseType, tuple[S, ...]] = {
    Z1: (S.TZJL, S.KCWB, S.ZGPZ, S.BPZ, S.ZBHF),
    Z2: (S.TZJL, S.HFYY, S.DDKH, S.THCS),
}
"""The ordered status profiles of the source; a state outside its type's list is a bug."""
