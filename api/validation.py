"""Name every failing field of a request, not just the first one msgspec stops at.

API.md: "Validation errors list every failing field in `errors[].field`." msgspec
(and so Litestar) reports one error per decode. When a body fails, the body the
request already read is checked field by field against the handler's `data`
type, with the same lax rules Litestar decodes with, so the list is complete.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import msgspec
from litestar.utils.scope.state import ScopeState

if TYPE_CHECKING:
    from litestar import Request

_AT_PATH = re.compile(r" - at `\$(.*)`$")


class FieldError(msgspec.Struct, frozen=True):
    """One failing field: a dotted path into the body (`items[0].qty`) or a parameter name."""

    field: str
    message: str


def body_errors(request: Request[Any, Any, Any]) -> list[FieldError]:
    """Every failing field of the body, or [] when the failure was not in the body."""
    model = _data_model(request)
    body = ScopeState.from_scope(request.scope).body
    if model is None or not isinstance(body, bytes | bytearray):
        return []
    try:
        raw = msgspec.json.decode(body)
    except msgspec.DecodeError as error:
        return [_error("body", f"is not valid JSON: {error}")]
    return struct_errors(raw, model, "")


def struct_errors(raw: Any, model: type[msgspec.Struct], prefix: str) -> list[FieldError]:
    """Unknown, missing and ill-typed fields of one JSON object decoded as `model`."""
    if not isinstance(raw, dict):
        return [_error(prefix or "body", "must be a JSON object")]
    fields = {f.encode_name: f for f in msgspec.structs.fields(model)}
    errors = [_error(_join(prefix, key), "is not a known field") for key in raw if key not in fields]
    for name, field in fields.items():
        if name not in raw:
            if field.required:
                errors.append(_error(_join(prefix, name), "is required"))
            continue
        try:
            msgspec.convert(raw[name], field.type, strict=False)
        except msgspec.ValidationError as error:
            errors.append(_located(_join(prefix, name), str(error)))
    return errors


def parameter_errors(extra: Any) -> list[FieldError]:
    """Litestar's own messages for query, path and header parameters (one per parameter)."""
    entries = extra if isinstance(extra, list) else []
    return [
        _error(str(e.get("key", "request")), str(e.get("message", "is not valid")))
        for e in entries
        if isinstance(e, dict)
    ] or [_error("request", "is not valid")]


def _data_model(request: Request[Any, Any, Any]) -> type[msgspec.Struct] | None:
    parameter = request.route_handler.parsed_fn_signature.parameters.get("data")
    annotation = getattr(parameter, "annotation", None)
    is_struct = isinstance(annotation, type) and issubclass(annotation, msgspec.Struct)
    return annotation if is_struct else None


def _located(field: str, message: str) -> FieldError:
    """msgspec ends nested messages with "- at `$[0].qty`": move that path into the field name."""
    match = _AT_PATH.search(message)
    if match is None:
        return _error(field, message)
    return _error(field + match.group(1), message[: match.start()])


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def _error(field: str, message: str) -> FieldError:
    return FieldError(field, message)
