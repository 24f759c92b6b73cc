"""What every query endpoint shares: read-your-writes waits, the position header, pages and CSV.

API.md: every query accepts `min_position` and answers `X-Read-Model-Position`;
every read-model list answers `Accept: text/csv` with the same rows. The
position is read *before* the rows, so the header never claims more than the
body holds.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Annotated, Any

import msgspec
from litestar import Request, Response
from litestar.params import QueryParameter

from api.ports import ReadSide, Services
from api.problems import ApiProblem
from projections.base import CrmProjection
from projections.tables import PageRequest, ReadRows

POSITION_HEADER = "X-Read-Model-Position"
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"

MAX_POSITION = 2**63 - 1
"""The largest position or version a store can hold (a 64-bit integer); larger values are 400s."""

MinPosition = Annotated[
    int | None,
    QueryParameter(
        ge=0,
        le=MAX_POSITION,
        description="Wait (up to 5 s) until the read model has applied this log position, e.g. the "
        "`position` a command returned; 503 with Retry-After if it does not get there in time.",
    ),
]
Limit = Annotated[int, QueryParameter(ge=1, le=500, description="Rows per page (default 50, at most 500).")]
Cursor = Annotated[
    str | None, QueryParameter(max_length=1000, description="`next_cursor` of the previous page; opaque.")
]


def read_side(services: Services) -> ReadSide:
    if services.read is None:
        raise ApiProblem(
            503, "READ_MODELS_UNAVAILABLE", "this server runs without read models (memory store)"
        )
    return services.read


def consult(
    services: Services, projection: type[CrmProjection], min_position: int | None
) -> tuple[ReadRows, int]:
    """The read model's rows once it has reached `min_position`, and the position they reflect."""
    read = read_side(services)
    if min_position:
        read.wait_for(projection, min_position)
    return read.rows(projection), read.position(projection)


def page_request(limit: int, cursor: str | None) -> PageRequest:
    return PageRequest(limit=limit, cursor=cursor)


def wants_csv(request: Request[Any, Any, Any]) -> bool:
    return "text/csv" in request.headers.get("accept", "")


def respond(
    request: Request[Any, Any, Any], body: Any, position: int, rows: Sequence[Any] | None = None
) -> Response[Any]:
    """JSON `body`, or `rows` as CSV when the client asks for text/csv; with the position header."""
    headers = {POSITION_HEADER: str(position)}
    if rows is not None and wants_csv(request):
        return Response(to_csv(rows), media_type=CSV_MEDIA_TYPE, headers=headers)
    return Response(body, headers=headers)


def to_csv(rows: Sequence[Any]) -> str:
    """A header of field names, then one line per row; nested values as compact JSON."""
    if not rows:
        return ""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    plain = [msgspec.to_builtins(row) for row in rows]
    columns = list(plain[0])
    writer.writerow(columns)
    for row in plain:
        writer.writerow([_cell(row.get(column)) for column in columns])
    return out.getvalue()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return msgspec.json.encode(value).decode()
    return str(value)
