"""python -m playtomic.sandbox --port P --seed S [--account EMAIL:PASSWORD ...] [--speed F]"""

from __future__ import annotations

import argparse
import json
import sys

from playtomic.sandbox.faults import FaultRule
from playtomic.sandbox.server import SandboxServer
from playtomic.sandbox.world import parse_naive

DEFAULT_ACCOUNT = ("player@sandbox.test", "sandbox")


def _account(text: str) -> tuple[str, str]:
    email, sep, password = text.partition(":")
    if not sep or not email or not password:
        raise argparse.ArgumentTypeError("expected EMAIL:PASSWORD")
    return email, password


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m playtomic.sandbox", description="Run the Playtomic sandbox."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--account",
        action="append",
        type=_account,
        default=[],
        metavar="EMAIL:PASSWORD",
        help="repeatable; without any, the demo account of docs/sandbox.md",
    )
    parser.add_argument("--speed", type=float, help="clock speed factor (accelerated clock)")
    parser.add_argument("--now", help="start the clock at this UTC instant (YYYY-MM-DDTHH:MM:SS)")
    parser.add_argument("--no-demand", action="store_true", help="no simulated players")
    parser.add_argument("--latency-ms", type=float, help="add this latency to every API request")
    parser.add_argument(
        "--error-rate", type=float, help="answer this share of API requests with 503"
    )
    parser.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="JSON",
        help="a fault rule as in POST /_sandbox/faults",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        rules = [FaultRule.from_json(json.loads(spec)) for spec in args.fault]
    except ValueError as exc:
        print(f"invalid --fault: {exc}", file=sys.stderr)
        return 2
    if args.latency_ms or args.error_rate:
        rules.append(
            FaultRule(latency_ms=args.latency_ms or 0.0, error_rate=args.error_rate or 0.0)
        )
    accounts = args.account or [DEFAULT_ACCOUNT]
    server = SandboxServer(
        seed=args.seed,
        accounts=accounts,
        host=args.host,
        port=args.port,
        now=parse_naive(args.now) if args.now else None,
        speed=args.speed,
        demand=not args.no_demand,
    )
    for rule in rules:
        server.app.faults.add(rule)
    server.start()
    # Emails only: passwords are secrets even in the sandbox.
    print(f"Playtomic sandbox listening on {server.url} (seed {args.seed})", flush=True)
    for email, _ in accounts:
        print(
            f"  account {email} (user_id {server.world.accounts[email.lower()].user_id})",
            flush=True,
        )
    for club in server.world.clubs:
        print(
            f"  club {club.slug} {club.tenant_id} ({club.timezone}, {len(club.courts)} courts)",
            flush=True,
        )
    try:
        server.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
