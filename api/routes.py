"""Every /v1 route of API.md, gathered for the app factory."""

from __future__ import annotations

from litestar import Router
from litestar.types import ControllerRouterHandler

from api import audit, case_reads, customer_reads, events, queues, reports
from api.case_commands import CASE_COMMANDS
from api.commanding import command_route
from api.customer_commands import CUSTOMER_COMMANDS
from api.keys import ApiKeysController


def v1_routes() -> list[ControllerRouterHandler]:
    """One Router for all of /v1, so the app registers each handler exactly once.

    Several paths have a query and a command (`GET` and `PATCH /v1/cases/{case_no}`). Handed to
    the app one by one, Litestar 2.25 merges the second into the first's route and registers the
    first again: a `sync_to_thread` handler is then wrapped twice and answers 500, and a Controller
    after a handler on the same path is refused outright (two OPTIONS handlers). A Router merges
    its routes itself and the app registers each route once.
    """
    commands = [command_route(endpoint) for endpoint in (*CUSTOMER_COMMANDS, *CASE_COMMANDS)]
    reads = [*queues.ROUTES, *reports.ROUTES, *customer_reads.ROUTES, *case_reads.ROUTES, *audit.ROUTES]
    return [Router("/", route_handlers=[*commands, *reads, *events.ROUTES, ApiKeysController])]
