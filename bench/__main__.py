"""`python -m bench` / `make bench`: run every benchmark and write bench/results/*.json."""

from __future__ import annotations

import argparse

from bench.write_path import main as write_path


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small counts: a smoke run, not a measurement")
    args = parser.parse_args()
    write_path(quick=args.quick)


if __name__ == "__main__":
    main()
