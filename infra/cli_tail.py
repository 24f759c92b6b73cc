"""`crm tail`: follow the JetStream event stream from the console (the reference consumer)."""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys

from infra.settings import Settings
from infra.tail import ALL_SUBJECTS, STREAM, TailError, TailOptions, tail

DESCRIPTION = """\
Follow the events `crm relay` publishes to JetStream: one line per event (log position, subject,
type, stream/version, actor), or the raw JSON bodies with --json. Each event is acked after it is
printed. Stops on Ctrl-C or SIGTERM. Needs CRM_NATS_URL.

By default the consumer is ephemeral: it starts at the first message of the stream and is deleted
on exit. With --durable NAME it is kept on the server and a later `crm tail --durable NAME` resumes
after the last event it printed (at least once: an event printed just before a crash may repeat).
"""

EPILOG = """\
examples:
  crm tail                                         # every event, from the beginning, then follow
  crm tail --subject 'crm.case.>' --from-position 5000
  crm tail --subject crm.case.supervisor_approved --json | jq .data
  crm tail --durable ops-console                   # resumes where the last run stopped

--from-position is compared with each body's `position` (the event log position), not with the
JetStream sequence: the two differ in general, so earlier messages are still read, then skipped.
"""


def add_tail_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser(
        "tail",
        help="follow the events published to NATS JetStream (a reference consumer)",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--subject", default=ALL_SUBJECTS, help=f"subject filter, e.g. 'crm.case.>' (default {ALL_SUBJECTS})"
    )
    parser.add_argument(
        "--from-position",
        type=_position,
        default=0,
        metavar="N",
        help="show only events with a log position greater than N (default 0: all)",
    )
    parser.add_argument(
        "--durable", type=_durable, metavar="NAME", help="a durable consumer that resumes where it stopped"
    )
    parser.add_argument(
        "--json", action="store_true", help="print each event's JSON body instead of a summary"
    )
    parser.add_argument("--stream", default=STREAM, help=f"the JetStream stream (default {STREAM})")
    parser.set_defaults(run=run_tail)


def run_tail(settings: Settings, args: argparse.Namespace) -> int:
    """`crm tail`: 0 after Ctrl-C/SIGTERM, 1 if NATS or the stream is not there, 2 if unconfigured."""
    if settings.nats_url is None:
        print("crm: tail needs CRM_NATS_URL (e.g. nats://127.0.0.1:4222)", file=sys.stderr)
        return 2
    options = TailOptions(
        subject=args.subject,
        from_position=args.from_position,
        durable=args.durable,
        stream=args.stream,
        raw_json=args.json,
    )
    try:
        asyncio.run(_follow(settings.nats_url, options))
    except TailError as error:
        print(f"crm: {error}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # The reader went away (`crm tail | head`); Python would complain again at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


async def _follow(url: str, options: TailOptions) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    consumer = f"durable consumer {options.durable!r}" if options.durable else "an ephemeral consumer"
    print(
        f"crm: following {options.subject} on stream {options.stream} at {url} with {consumer} "
        "(Ctrl-C stops)",
        file=sys.stderr,
        flush=True,
    )
    await tail(url, options, lambda line: print(line, flush=True), stop)


def _position(raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a log position (a whole number), got {raw!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"a log position is 0 or more, got {value}")
    return value


def _durable(raw: str) -> str:
    if not raw or any(char in raw for char in ".*> \t\n"):
        raise argparse.ArgumentTypeError(f"a consumer name has no '.', '*', '>' or spaces, got {raw!r}")
    return raw
