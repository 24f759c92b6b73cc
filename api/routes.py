"""Every /v1 route of API.md, gathered for the app factory."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from api import audit, case_reads, customer_reads, events, queues, reports
from api.case_commands import CASE_COMMANDS
from api.commanding import command_route
from api.customer_commands import CUSTOMER_COMMANDS
from api.keys import ApiKeysController


def v1_routes() -> list[ControllerRouterHandler]:
    commands = [command_route(endpoint) for endpoint in (*CUSTOMER_COMMANDS, *CASE_COMMANDS)]
    reads = [*queues.ROUTES, *reports.ROUTES, *customer_reads.ROUTES, *case_reads.ROUTES, *audit.ROUTES]
    return [*commands, *reads, *events.ROUTES, ApiKeysController]
