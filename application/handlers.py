"""Every command handler, by command type: what the bus dispatches to."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from application.accepted import Accepted
from application.app import CrmApplication
from application.case_handlers import CASE_HANDLERS
from application.commands import Command
from application.customer_handlers import CUSTOMER_HANDLERS
from application.key_handlers import KEY_HANDLERS
from domain.context import CommandContext

HANDLERS: Mapping[type[Command], Callable[[Any, CommandContext, CrmApplication], Accepted]] = {
    **CASE_HANDLERS,
    **CUSTOMER_HANDLERS,
    **KEY_HANDLERS,
}
