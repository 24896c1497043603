"""python -m playtomic.sandbox --port P --seed S [--account EMAIL:PASSWORD ...] [--speed F]"""

from __future__ import annotations

import argparse
import json
import math
import sys
from datetime import datetime

from playtomic.sandbox.faults import FaultRule
from playtomic.sandbox.network import DEFAULT_CAP_MS, JITTERS, Delay, NetworkModel
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


def _finite(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid float value: {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError("must be a finite number")
    return value


def _positive(text: str) -> float:
    value = _finite(text)
    if value <= 0:
        raise argparse.ArgumentTypeError("must be a positive number")
    return value


def _non_negative(text: str) -> float:
    value = _finite(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be zero or a positive number")
    return value


def _ppm(text: str) -> float:
    value = _finite(text)
    if not -1e6 < value < 1e6:
        raise argparse.ArgumentTypeError("a drift is between -1000000 and 1000000 ppm")
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
    clock = parser.add_argument_group("clock model (the server's clock is not the host's)")
    clock.add_argument(
        "--offset-seconds",
        type=_finite,
        help="the sandbox clock reads the host's plus this (e.g. 2.7 or -3); not with --now",
    )
    clock.add_argument(
        "--drift-ppm",
        type=_ppm,
        default=0.0,
        help="the sandbox clock gains this many microseconds per second (1 ms/s = 1000)",
    )
    network = parser.add_argument_group(
        "network model (every API request; control endpoints are never delayed)"
    )
    network.add_argument(
        "--network", metavar="JSON", help="the whole model as in PUT /_sandbox/network"
    )
    network.add_argument(
        "--inbound-ms", type=_non_negative, help="base one-way delay, client to sandbox"
    )
    network.add_argument(
        "--outbound-ms", type=_non_negative, help="base one-way delay, sandbox to client"
    )
    network.add_argument(
        "--processing-ms", type=_non_negative, help="server time per request, after it acts"
    )
    network.add_argument("--jitter", choices=JITTERS, help="jitter added to both one-way delays")
    network.add_argument(
        "--jitter-ms",
        type=_non_negative,
        help="jitter scale: uniform width, exponential mean, lognormal median, pareto scale",
    )
    network.add_argument(
        "--jitter-shape", type=_positive, help="lognormal sigma or pareto tail index (default 1)"
    )
    network.add_argument(
        "--jitter-cap-ms", type=_non_negative, help="cap on one jitter draw (default 1000)"
    )
    network.add_argument("--network-seed", type=int, help="seed of the delays (default: --seed)")
    return parser


_NETWORK_SHORTHANDS = (
    "inbound_ms",
    "outbound_ms",
    "processing_ms",
    "jitter",
    "jitter_ms",
    "jitter_shape",
    "jitter_cap_ms",
    "network_seed",
)


def network_model(args: argparse.Namespace) -> NetworkModel | None:
    """The model from --network or the shorthand flags (None: no delays). ValueError if both,
    or if the values do not make a model."""
    shorthands = [name for name in _NETWORK_SHORTHANDS if getattr(args, name) is not None]
    if args.network is not None:
        if shorthands:
            flags = ", ".join("--" + name.replace("_", "-") for name in shorthands)
            raise ValueError(f"--network gives the whole model; drop {flags}")
        return NetworkModel.from_json(json.loads(args.network))
    if not shorthands:
        return None

    def one_way(base_ms: float | None) -> Delay:
        return Delay(
            base_ms=base_ms or 0.0,
            jitter=args.jitter or "none",
            jitter_ms=args.jitter_ms or 0.0,
            shape=1.0 if args.jitter_shape is None else args.jitter_shape,
            cap_ms=DEFAULT_CAP_MS if args.jitter_cap_ms is None else args.jitter_cap_ms,
        )

    return NetworkModel(
        inbound=one_way(args.inbound_ms),
        outbound=one_way(args.outbound_ms),
        processing=Delay(base_ms=args.processing_ms or 0.0),
        seed=args.network_seed,
    )


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.now is not None and args.offset_seconds is not None:
        parser.error("--now and --offset-seconds both set the clock; give one")
    try:
        rules = [FaultRule.from_json(json.loads(spec)) for spec in args.fault]
    except ValueError as exc:
        print(f"invalid --fault: {exc}", file=sys.stderr)
        return 2
    try:
        network = network_model(args)
    except ValueError as exc:
        print(f"invalid network model: {exc}", file=sys.stderr)
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
        offset_seconds=args.offset_seconds,
        drift_ppm=args.drift_ppm,
        network=network,
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
