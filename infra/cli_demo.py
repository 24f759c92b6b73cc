"""`crm demo`: load the demo data once, make sure every demo principal has a working key, say how to start.

This is what `make run` calls before `crm serve`: after it the database holds the
demo log and `.crm-demo-keys.json` (mode 600) one key per demo staff member, and
the terminal shows the docs URL and a `curl` that works at once (a case read
from the event store does not wait for the read models to catch up).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from domain.actor import Role
from infra.demo import (
    DEFAULT_CASES,
    DEFAULT_CUSTOMERS,
    DEFAULT_SEED,
    DEMO_PRINCIPALS,
    DemoRefused,
    demo_container,
    load_with_progress,
)
from infra.key_admin import ensure_demo_keys
from infra.settings import Settings

KEYS_FILE = ".crm-demo-keys.json"


def add_demo_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    demo = commands.add_parser(
        "demo",
        help="load realistic demo data once (customers, cases on every path V1–V5) and demo API keys",
        description="Write demo customers and service notifications over the last ~18 months through the "
        "command bus, with a progress bar. Running it again writes nothing; an interrupted run is resumed "
        "with its first sizes. The read models catch up when `crm serve` or `crm project` runs. "
        f"Each demo staff member gets an API key, kept in {KEYS_FILE} (mode 600); keys that no longer "
        "work are replaced.",
    )
    demo.add_argument("--customers", type=_positive, default=DEFAULT_CUSTOMERS, help="default %(default)s")
    demo.add_argument("--cases", type=_positive, default=DEFAULT_CASES, help="default %(default)s")
    demo.add_argument("--seed", type=int, default=DEFAULT_SEED, help="seed of the data (default %(default)s)")
    demo.add_argument("--keys-file", type=Path, default=Path(KEYS_FILE), help="default %(default)s")
    demo.set_defaults(run=run_demo)


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def run_demo(settings: Settings, args: argparse.Namespace) -> int:
    """Load (or skip), then ensure the keys and print where to go."""
    started = time.monotonic()
    try:
        with demo_container(settings) as container:
            result = load_with_progress(container, customers=args.customers, cases=args.cases, seed=args.seed)
            keys = ensure_demo_keys(container, DEMO_PRINCIPALS, args.keys_file)
    except DemoRefused as error:
        print(f"crm: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("crm: demo interrupted; run `crm demo` again to finish it", file=sys.stderr)
        return 130
    plan = result.plan
    print(
        f"crm: demo {result.outcome}: {plan.customers} customers, {plan.cases} cases, "
        f"{result.commands} commands written in {time.monotonic() - started:.1f}s",
        flush=True,
    )
    print(front_door(settings, keys, args.keys_file), flush=True)
    return 0


def front_door(settings: Settings, keys: dict[str, str], keys_file: Path) -> str:
    """Where to go and a curl that works now, with the integrator's key."""
    base = f"http://{settings.host}:{settings.port}"
    integrator = next(p for p in DEMO_PRINCIPALS if Role.INTEGRATOR in p.roles)
    key = keys[integrator.id]
    return f"""
  Interactive API docs:  {base}/schema
  Demo API keys:         {keys_file} (one per demo staff member; `crm keys list` shows them all)
  Try it (integrator {integrator.name}):

    curl -s -H 'Authorization: Bearer {key}' {base}/v1/cases/1000001

  Work queue (answers as soon as the read models have caught up; GET /ready says when):

    curl -s -H 'Authorization: Bearer {key}' '{base}/v1/queues/work?limit=5'

  A command without a key is refused with a 401 problem:

    curl -s -X POST {base}/v1/cases -H 'Content-Type: application/json' -d '{{}}'
"""
