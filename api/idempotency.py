"""Idempotency-Key (API.md): a retried POST returns its first response and writes nothing.

The record is claimed before the command runs, so two concurrent requests with
one key cannot both execute; it is released when the command is refused, so a
corrected retry runs. Keys are scoped to the calling principal. The fingerprint
is over the method, path and the *decoded* body, so the same JSON with other
whitespace or key order counts as the same body.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import msgspec
from litestar import Response

from api.ports import IdempotencyStore, StoredResponse
from api.problems import ApiProblem

MAX_KEY_LENGTH = 200
REPLAYED = "Idempotent-Replayed"


def fingerprint(method: str, path: str, body: Any) -> str:
    encoded = msgspec.json.encode([method, path, msgspec.to_builtins(body)], order="sorted")
    return hashlib.sha256(encoded).hexdigest()


def check_key(key: str) -> None:
    if not 0 < len(key) <= MAX_KEY_LENGTH or not key.isprintable():
        raise ApiProblem(
            400, "VALIDATION_ERROR", f"Idempotency-Key must be 1-{MAX_KEY_LENGTH} printable characters"
        )


def idempotent(
    store: IdempotencyStore,
    scope: str,
    key: str | None,
    print_: str,
    run: Callable[[], Response[Any]],
    stored_body: Callable[[Response[Any]], bytes],
) -> Response[Any]:
    """Run once per (principal, key); replay the stored response to every retry with the same body.

    `stored_body` says what to keep: for a new API key the secret is left out,
    because keys are never stored in clear.
    """
    if key is None:
        return run()
    check_key(key)
    earlier = store.claim(scope, key, print_)
    if earlier is not None:
        return replay(earlier, print_)
    try:
        response = run()
    except BaseException:
        store.release(scope, key)
        raise
    headers = {k: v for k, v in response.headers.items() if k.lower() in ("etag", "location")}
    store.complete(
        scope,
        key,
        StoredResponse(
            fingerprint=print_, status=response.status_code, body=stored_body(response), headers=headers
        ),
    )
    return response


def replay(earlier: StoredResponse, print_: str) -> Response[bytes]:
    if earlier.fingerprint != print_:
        raise ApiProblem(
            422, "IDEMPOTENCY_KEY_REUSED", "this Idempotency-Key was used with a different request"
        )
    if earlier.status is None:
        raise ApiProblem(
            409,
            "IDEMPOTENCY_KEY_IN_USE",
            "a request with this Idempotency-Key is still running",
            {"Retry-After": "1"},
        )
    headers = {**earlier.headers, REPLAYED: "true"}
    return Response(earlier.body, status_code=earlier.status, headers=headers, media_type="application/json")
