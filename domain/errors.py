"""Domain errors: one class per DOMAIN.md §4.6 code, grouped by family, no HTTP knowledge."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar


@dataclass(frozen=True)
class FieldProblem:
    """One failing field of a command and why it failed."""

    field: str
    message: str


class DomainError(Exception):
    """A command was refused; nothing was appended."""

    code: ClassVar[str] = "DOMAIN_ERROR"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class ValidationFailed(DomainError):
    """Payload or state-dependent field validation failed (DOMAIN.md steps 1 and 7)."""

    code = "VALIDATION_ERROR"

    def __init__(self, problems: list[FieldProblem] | tuple[FieldProblem, ...]) -> None:
        self.problems = tuple(problems)
        fields = ", ".join(p.field for p in self.problems)
        super().__init__(f"invalid fields: {fields}")

    @classmethod
    def one(cls, field: str, message: str) -> ValidationFailed:
        return cls([FieldProblem(field, message)])


class ForbiddenRole(DomainError):
    code = "FORBIDDEN_ROLE"

    def __init__(self, command: str, roles: frozenset[str] | set[str]) -> None:
        super().__init__(f"{command} is not allowed for roles {sorted(roles)}")
        self.command = command
        self.roles = frozenset(roles)


class NotFound(DomainError):
    """A referenced aggregate or entity does not exist."""


class CustomerNotFound(NotFound):
    code = "CUSTOMER_NOT_FOUND"


class CaseNotFound(NotFound):
    code = "CASE_NOT_FOUND"


class FunctionalLocationNotFound(NotFound):
    code = "FUNCTIONAL_LOCATION_NOT_FOUND"


class ApiKeyNotFound(NotFound):
    code = "API_KEY_NOT_FOUND"


class ItemNotFound(NotFound):
    code = "ITEM_NOT_FOUND"


class ServiceOrderNotFound(NotFound):
    code = "SERVICE_ORDER_NOT_FOUND"


class NotAllowed(DomainError):
    """The command does not apply to this kind of case (422 family)."""


class TypePaymentMismatch(NotAllowed):
    code = "TYPE_PAYMENT_MISMATCH"


class StatusNotValidForType(NotAllowed):
    code = "STATUS_NOT_VALID_FOR_TYPE"


class NotAllowedForType(NotAllowed):
    code = "NOT_ALLOWED_FOR_TYPE"


class NotAllowedForCategory(NotAllowed):
    code = "NOT_ALLOWED_FOR_CATEGORY"


class RuleViolation(DomainError):
    """The current state forbids the command (409 family)."""


class IllegalStatusTransition(RuleViolation):
    code = "ILLEGAL_STATUS_TRANSITION"


class NotificationClosed(RuleViolation):
    code = "NOTIFICATION_CLOSED"


class NotificationNotClosed(RuleViolation):
    code = "NOTIFICATION_NOT_CLOSED"


class NoPendingApproval(RuleViolation):
    code = "NO_PENDING_APPROVAL"


class ApprovalRequired(RuleViolation):
    code = "APPROVAL_REQUIRED"


class ComplaintFormRequired(RuleViolation):
    code = "COMPLAINT_FORM_REQUIRED"


class ServiceFormRequired(RuleViolation):
    code = "SERVICE_FORM_REQUIRED"


class QuoteNotConfirmed(RuleViolation):
    code = "QUOTE_NOT_CONFIRMED"


class AwaitingDepartmentReply(RuleViolation):
    code = "AWAITING_DEPARTMENT_REPLY"


class AcceptanceRequired(RuleViolation):
    code = "ACCEPTANCE_REQUIRED"


class AlreadyInvoiced(RuleViolation):
    code = "ALREADY_INVOICED"


class SurveyAlreadyRecorded(RuleViolation):
    code = "SURVEY_ALREADY_RECORDED"


class QuotePending(RuleViolation):
    code = "QUOTE_PENDING"


class AwaitingApproval(RuleViolation):
    code = "AWAITING_APPROVAL"


class AlreadyAccepted(RuleViolation):
    code = "ALREADY_ACCEPTED"


class CustomerAlreadyExists(RuleViolation):
    code = "CUSTOMER_ALREADY_EXISTS"


class FunctionalLocationTaken(RuleViolation):
    code = "FUNCTIONAL_LOCATION_EXISTS"


class ConcurrencyConflict(RuleViolation):
    """The stream moved on between load and save (a version clash)."""

    code = "CONCURRENCY_CONFLICT"


class VersionMismatch(DomainError):
    """The caller's expected version (If-Match) is not the stream's version."""

    code = "PRECONDITION_FAILED"

    def __init__(self, expected: int, actual: int) -> None:
        super().__init__(f"expected version {expected}, stream is at {actual}")
        self.expected = expected
        self.actual = actual
