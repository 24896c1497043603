"""python -m playtomic.sandbox --port P --seed S [--account EMAIL:PASSWORD ...] [--speed F]"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime

from playtomic.sandbox.faults import FaultRule
from playtomic.sandbox.server import SandboxServer
from playtomic.sandbox.world import parse_naive

DEFAULT_ACCOUNT = ("player@sandbox.test", "sandbox")


def _account(text: str) -> tuple[str, str]:
    email, sep, password = text.partition(":")
    if not sep or not email or not password:
        raise argparse.ArgumentTypeError("expected EMAIL:PASSWORD")
    return email, password


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid int value: {text!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError("a port is between 0 and 65535")
    return port


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid float value: {text!r}") from None
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError("must be a positive number")
    return value


def _non_negative(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid float value: {text!r}") from None
    if not 0 <= value < float("inf"):
        raise argparse.ArgumentTypeError("must be zero or a positive number")
    return value


def _share(text: str) -> float:
    value = _non_negative(text)
    if value > 1:
        raise argparse.ArgumentTypeError("a share is between 0 and 1")
    return value


def _instant(text: str) -> datetime:
    try:
        return parse_naive(text)
    except (ValueError, OverflowError):
        raise argparse.ArgumentTypeError("expected a UTC instant YYYY-MM-DDTHH:MM:SS") from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m playtomic.sandbox", description="Run the Playtomic sandbox."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=_port, default=8765, help="0 picks a free port")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--account",
        action="append",
        type=_account,
        default=[],
        metavar="EMAIL:PASSWORD",
        help="repeatable; without any, the demo account of docs/sandbox.md",
    )
    parser.add_argument("--speed", type=_positive, help="clock speed factor (accelerated clock)")
    parser.add_argument(
        "--now", type=_instant, help="start the clock at this UTC instant (YYYY-MM-DDTHH:MM:SS)"
    )
    parser.add_argument("--no-demand", action="store_true", help="no simulated players")
    parser.add_argument(
        "--latency-ms", type=_non_negative, help="add this latency to every API request"
    )
    parser.add_argument(
        "--error-rate", type=_share, help="answer this share of API requests with 503"
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
        now=args.now,
        speed=args.speed,
        demand=not args.no_demand,
    )
    for rule in rules:
        server.app.faults.add(rule)
    try:
        server.start()
    except OSError as exc:
        print(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}", file=sys.stderr)
        return 2
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
