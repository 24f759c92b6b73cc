"""`crm keys create|list|revoke`: API keys from the console, recorded in the audit log as `console`."""

from __future__ import annotations

import argparse
import sys

from rich.console import Console
from rich.table import Table

from domain.actor import Actor, Role
from domain.errors import DomainError
from infra.bootstrap import bootstrap
from infra.key_admin import issue_key, list_keys, revoke_key
from infra.settings import Settings

ROLES = ", ".join(r.value for r in Role)


def add_keys_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    keys = commands.add_parser(
        "keys",
        help="issue, list and revoke API keys",
        description="Manage API keys without the HTTP API. A key is printed once, when it is created; "
        "only its hash is stored. Acts as admin principal `console` (recorded in the audit log).",
    )
    actions = keys.add_subparsers(title="actions", metavar="ACTION", required=True)
    create = actions.add_parser("create", help="issue a key for a principal and print it once")
    create.add_argument(
        "--actor-id", required=True, help="the id written into events (1-20 of A-Z a-z 0-9 - _)"
    )
    create.add_argument("--name", required=True, help="display name, e.g. 王芳")
    create.add_argument("--role", action="append", required=True, help=f"repeatable; one of: {ROLES}")
    create.add_argument("--sales-office", default=None, help="the principal's sales office, if any")
    create.set_defaults(run=run_create)
    listing = actions.add_parser("list", help="list issued keys (never their secrets)")
    listing.set_defaults(run=run_list)
    revoke = actions.add_parser("revoke", help="revoke a key at once")
    revoke.add_argument("key_id", help="the key id (the 16 hex digits after `crm_`)")
    revoke.set_defaults(run=run_revoke)


def run_create(settings: Settings, args: argparse.Namespace) -> int:
    try:
        roles = frozenset(Role(r) for r in args.role)
    except ValueError as error:
        print(f"crm: {error}; roles are: {ROLES}", file=sys.stderr)
        return 2
    principal = Actor(args.actor_id, roles, name=args.name, sales_office=args.sales_office)
    with bootstrap(settings) as container:
        try:
            issued = issue_key(container.bus, principal)
        except DomainError as error:
            print(f"crm: refused ({error.code}): {error.detail}", file=sys.stderr)
            return 1
    print(f"key_id: {issued.key_id}")
    print(f"key:    {issued.key}")
    print("Store the key now: it is not shown again.", file=sys.stderr)
    return 0


def run_list(settings: Settings, args: argparse.Namespace) -> int:
    with bootstrap(settings) as container:
        keys = list_keys(container.app)
    table = Table()
    for column in ("key_id", "actor_id", "name", "roles", "sales_office", "issued_at", "revoked_at"):
        table.add_column(column, no_wrap=True)
    for k in keys:
        revoked = k.revoked_at.isoformat(timespec="seconds") if k.revoked_at else ""
        issued = k.issued_at.isoformat(timespec="seconds")
        table.add_row(k.key_id, k.actor_id, k.name, ",".join(k.roles), k.sales_office or "", issued, revoked)
    Console(width=None if sys.stdout.isatty() else 200).print(table)
    return 0


def run_revoke(settings: Settings, args: argparse.Namespace) -> int:
    with bootstrap(settings) as container:
        try:
            revoke_key(container.bus, args.key_id)
        except DomainError as error:
            print(f"crm: refused ({error.code}): {error.detail}", file=sys.stderr)
            return 1
    print(f"crm: key {args.key_id} revoked")
    return 0
