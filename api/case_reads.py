"""Placeholder: filled in by the read-endpoint work (see api/routes.py)."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

ROUTES: list[ControllerRouterHandler] = []
