"""The sandbox's network and clock model: offset/drifting clock, one-way delays, processing time,
jitter, the Date header, receive instants, early refusals and millisecond rivals."""

from __future__ import annotations

import math
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import pytest
import requests
import time_machine

from playtomic.client import PlaytomicClient
from playtomic.sandbox import SandboxServer
from playtomic.sandbox.clock import SandboxClock
from playtomic.sandbox.network import Delay, NetworkModel
from tests.support.sandbox import EMAIL, PASSWORD, logged_in_session, sandbox_command

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2027, 1, 5, 12, 0, tzinfo=UTC)
RELEASE = datetime(2027, 1, 5, 12, 0, 10, tzinfo=UTC)
RELEASED_DAY = "2027-01-30"
MS = timedelta(milliseconds=1)

# Control calls: keep-alive to the sandbox.
http = requests.Session()


def madrid_slot(sandbox: SandboxServer, court: int, start: str) -> dict[str, Any]:
    madrid = sandbox.world.club_by_slug("sandbox-padel-madrid")
    return {
        "tenant_id": madrid.tenant_id,
        "resource_id": madrid.courts[court].resource_id,
        "start": start,
        "duration": 90,
    }


def release_soon(sandbox: SandboxServer, ms: int) -> tuple[datetime, str]:
    """Make a Madrid day 20 days ahead open `ms` from now on the sandbox's clock: the release
    instant and that day's 18:00 local start, as the API writes it."""
    madrid = sandbox.world.club_by_slug("sandbox-padel-madrid")
    release = sandbox.clock.now() + timedelta(milliseconds=ms)
    day = (release + timedelta(days=20)).astimezone(madrid.zone).date()
    sandbox.set_release(madrid.tenant_id, day, release)
    return release, madrid.local_instant(day, 18 * 60).strftime("%Y-%m-%dT%H:%M:%S")


def book(s: requests.Session, sandbox: SandboxServer, slot: dict[str, Any]) -> requests.Response:
    return s.post(
        f"{sandbox.url}/v1/payment_intents",
        json={"cart": {"requested_item": {"cart_item_data": slot}}},
    )


def last_intent_entry(sandbox: SandboxServer) -> dict[str, Any]:
    return sandbox.requests(path="/v1/payment_intents")[-1]


def received(entry: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(entry["received_at"])


def wait_for_sandbox_time(sandbox: SandboxServer, instant: datetime) -> None:
    real = sandbox.clock.real_time_at(instant)
    assert real is not None
    time.sleep(max(0.0, real - time.time()))


@pytest.fixture
def frozen() -> Iterator[SandboxServer]:
    """Frozen at NOW; Madrid's RELEASED_DAY opens at RELEASE (T)."""
    with SandboxServer(
        seed=3, accounts=[(EMAIL, PASSWORD)], now=NOW, frozen=True, demand=False
    ) as server:
        madrid = server.world.club_by_slug("sandbox-padel-madrid")
        server.set_release(madrid.tenant_id, datetime.fromisoformat(RELEASED_DAY).date(), RELEASE)
        yield server


# ----- the clock -----


@pytest.mark.parametrize("offset", [2.7, -3.0])
def test_the_date_header_and_received_at_read_the_sandbox_clock_with_its_offset(
    offset: float,
) -> None:
    with SandboxServer(seed=1, accounts=[(EMAIL, PASSWORD)], offset_seconds=offset) as sandbox:
        s = logged_in_session(sandbox)
        sent = time.time()
        answer = s.get(f"{sandbox.url}/v1/tenants")
        answered = time.time()

        stamped = parsedate_to_datetime(answer.headers["Date"]).timestamp()
        assert math.floor(sent + offset) <= stamped <= math.floor(answered + offset)
        assert answer.headers["Date"].endswith(" GMT")
        entry = sandbox.requests(path="/v1/tenants")[-1]
        assert received(entry).timestamp() - entry["received_unix"] == pytest.approx(
            offset, abs=1e-5
        )
        assert sent + offset <= received(entry).timestamp() <= answered + offset
        assert http.get(f"{sandbox.url}/_sandbox/clock").json()["offset_seconds"] == (
            pytest.approx(offset, abs=1e-3)
        )


def test_a_drifting_clock_gains_its_ppm_on_top_of_the_offset() -> None:
    clock = SandboxClock()
    with time_machine.travel(datetime(2030, 6, 1, 9, 0, tzinfo=UTC), tick=False) as traveller:
        clock.set_drift(1000)  # 1 ms per second
        clock.set_offset(timedelta(seconds=2.7))
        assert clock.describe()["offset_seconds"] == pytest.approx(2.7, abs=1e-6)
        traveller.shift(timedelta(seconds=10))
        assert clock.describe()["offset_seconds"] == pytest.approx(2.71, abs=1e-6)
        assert clock.describe()["drift_ppm"] == 1000
        assert clock.mode == "offset"
        real = clock.real_time_at(clock.now() + timedelta(seconds=1.001))
        assert real == pytest.approx(time.time() + 1, abs=1e-6)


def test_a_client_probe_finds_the_offset_through_symmetric_delays() -> None:
    one_way = Delay(base_ms=15, jitter="uniform", jitter_ms=4)
    with SandboxServer(
        seed=1,
        accounts=[(EMAIL, PASSWORD)],
        offset_seconds=-3.0,
        network=NetworkModel(inbound=one_way, outbound=one_way),
    ) as sandbox:
        client = PlaytomicClient(sandbox.url)
        client.login(EMAIL, PASSWORD)

        estimate = client.probe_clock(max_seconds=2.5, min_interval=0.005)

        assert abs(estimate.offset_ms + 3000) <= estimate.uncertainty_ms + 2
        assert estimate.rtt_ms >= 30


# ----- delays -----


def test_the_inbound_delay_comes_before_the_receive_instant_and_the_outbound_after_the_answer() -> (
    None
):
    model = NetworkModel(
        inbound=Delay(base_ms=120), processing=Delay(base_ms=50), outbound=Delay(base_ms=80)
    )
    with SandboxServer(seed=1, accounts=[(EMAIL, PASSWORD)], network=model) as sandbox:
        s = logged_in_session(sandbox)
        sent = time.time()
        answer = s.get(f"{sandbox.url}/v1/tenants")
        answered = time.time()

        assert answer.status_code == 200
        entry = sandbox.requests(path="/v1/tenants")[-1]
        assert entry["received_unix"] - sent >= 0.12
        assert answered - entry["received_unix"] >= 0.05 + 0.08
        assert 0.25 <= answered - sent < 3
        assert entry["duration_ms"] >= 50
        assert (entry["inbound_ms"], entry["processing_ms"], entry["outbound_ms"]) == (120, 50, 80)


def test_without_a_model_requests_are_not_delayed() -> None:
    with SandboxServer(seed=1, accounts=[(EMAIL, PASSWORD)]) as sandbox:
        s = logged_in_session(sandbox)
        started = time.perf_counter()
        s.get(f"{sandbox.url}/v1/tenants")
        assert time.perf_counter() - started < 0.1
        entry = sandbox.requests(path="/v1/tenants")[-1]
        assert (entry["inbound_ms"], entry["processing_ms"], entry["outbound_ms"]) == (0, 0, 0)


def test_control_endpoints_are_not_delayed() -> None:
    model = NetworkModel(inbound=Delay(base_ms=300), outbound=Delay(base_ms=300))
    with SandboxServer(seed=1, accounts=[(EMAIL, PASSWORD)], network=model) as sandbox:
        for method, path in (
            ("GET", "/_sandbox/clock"),
            ("GET", "/_sandbox/network"),
            ("GET", "/_sandbox/requests"),
            ("GET", "/_sandbox/state"),
            ("POST", "/_sandbox/clock"),
        ):
            started = time.perf_counter()
            assert http.request(method, f"{sandbox.url}{path}", json={}).status_code == 200
            assert time.perf_counter() - started < 0.25, path
        started = time.perf_counter()
        http.get(f"{sandbox.url}/v1/tenants")
        assert time.perf_counter() - started >= 0.6


def inbound_draws(seed: int | None, requests_count: int = 6) -> list[float]:
    jittery = Delay(base_ms=1, jitter="lognormal", jitter_ms=2, shape=1.0, cap_ms=20)
    model = NetworkModel(inbound=jittery, outbound=jittery, seed=seed)
    with SandboxServer(seed=1, network=model) as sandbox:
        for _ in range(requests_count):
            http.get(f"{sandbox.url}/v1/tenants")
        first = [e["inbound_ms"] for e in sandbox.requests()]
        sandbox.reset()
        for _ in range(requests_count):
            http.get(f"{sandbox.url}/v1/tenants")
        assert [e["inbound_ms"] for e in sandbox.requests()] == first
        return first


def test_jitter_draws_repeat_for_the_same_seed_and_differ_for_another() -> None:
    draws = inbound_draws(7)

    assert draws == inbound_draws(7)
    assert draws != inbound_draws(8)
    assert len(set(draws)) == len(draws)
    assert all(1 <= d <= 21 for d in draws)


def test_pareto_jitter_has_a_heavy_capped_tail_above_its_base() -> None:
    delay = Delay(base_ms=15, jitter="pareto", jitter_ms=2, shape=1.5, cap_ms=100)
    rng = random.Random(1)
    draws = [delay.sample(rng) for _ in range(20_000)]

    assert min(draws) >= 15 and max(draws) == 115
    # Lomax: median = scale * (2 ** (1 / shape) - 1); P(jitter > 10 * scale) = 11 ** -shape.
    assert statistics.median(draws) == pytest.approx(15 + 2 * (2 ** (1 / 1.5) - 1), abs=0.1)
    assert sum(d > 35 for d in draws) / len(draws) == pytest.approx(11**-1.5, abs=0.006)


def test_lognormal_jitter_has_its_median_at_the_jitter_scale() -> None:
    delay = Delay(base_ms=15, jitter="lognormal", jitter_ms=4, shape=0.8)
    rng = random.Random(2)
    draws = [delay.sample(rng) for _ in range(20_000)]

    assert statistics.median(draws) == pytest.approx(19, abs=0.15)
    assert min(draws) > 15


# ----- the control API -----


def test_the_control_api_sets_reads_and_clears_the_network_model() -> None:
    with SandboxServer(seed=4) as sandbox:
        url = f"{sandbox.url}/_sandbox/network"
        assert http.get(url).json()["inbound"]["base_ms"] == 0
        model = {
            "inbound": {"base_ms": 15, "jitter": "pareto", "jitter_ms": 3, "shape": 1.2},
            "processing": {"base_ms": 2},
            "outbound": {"base_ms": 12, "jitter": "lognormal", "jitter_ms": 2, "cap_ms": None},
            "seed": 99,
        }
        answer = http.put(url, json=model)

        assert answer.status_code == 200
        current = http.get(url).json()
        assert current == answer.json()
        assert current["inbound"] == {
            "base_ms": 15,
            "jitter": "pareto",
            "jitter_ms": 3,
            "shape": 1.2,
            "cap_ms": 1000,
        }
        assert current["outbound"]["cap_ms"] is None
        assert current["processing"]["base_ms"] == 2
        assert current["seed"] == 99 and current["effective_seed"] == 99
        assert sandbox.network == NetworkModel.from_json(model)
        http.get(f"{sandbox.url}/v1/tenants")
        entry = sandbox.requests()[-1]
        assert entry["inbound_ms"] >= 15 and entry["outbound_ms"] >= 12

        bad_models: list[dict[str, Any]] = [
            {"inbound": {"base_ms": -1}},
            {"inbound": {"jitter": "gaussian", "jitter_ms": 2}},
            {"inbound": {"jitter_ms": 2}},
            {"inbound": {"base_ms": "fast"}},
            {"outbound": {"jitter": "pareto", "jitter_ms": 2, "shape": 0}},
            {"sideways": {}},
        ]
        for bad in bad_models:
            refused = http.put(url, json=bad)
            assert refused.status_code == 400, bad
            assert refused.json()["status"] == "INCORRECT_PARAMETERS"
        assert http.get(url).json() == current

        assert http.delete(url).json()["inbound"]["base_ms"] == 0
        assert sandbox.network == NetworkModel()


def test_the_clock_endpoint_sets_an_offset_with_drift() -> None:
    with SandboxServer(seed=4) as sandbox:
        url = f"{sandbox.url}/_sandbox/clock"
        answer = http.post(url, json={"offset_seconds": -3, "drift_ppm": 500}).json()

        assert answer["mode"] == "offset" and answer["drift_ppm"] == 500
        assert answer["offset_seconds"] == pytest.approx(-3, abs=1e-3)
        assert http.post(url, json={"drift_ppm": 2_000_000}).status_code == 400
        reset = http.post(url, json={"real": True}).json()
        assert reset["mode"] == "real" and reset["drift_ppm"] == 0


def test_the_constructor_refuses_both_now_and_an_offset() -> None:
    with pytest.raises(ValueError, match="not both"):
        SandboxServer(now=NOW, offset_seconds=1.0)


# ----- releases and rivals on the sandbox clock -----


def test_a_request_received_5ms_before_the_release_is_refused_as_early_and_one_at_it_books(
    frozen: SandboxServer,
) -> None:
    s = logged_in_session(frozen)
    slot = madrid_slot(frozen, 0, f"{RELEASED_DAY}T17:00:00")
    frozen.set_clock(now=(RELEASE - 5 * MS).isoformat(), frozen=True)

    early = book(s, frozen, slot)

    assert early.status_code == 409
    assert early.json()["status"] == "SLOT_NOT_AVAILABLE"
    entry = last_intent_entry(frozen)
    assert received(entry) == RELEASE - 5 * MS
    assert entry["refusal"] == "early"

    frozen.set_clock(now=RELEASE.isoformat(), frozen=True)
    assert book(s, frozen, slot).status_code == 200
    assert last_intent_entry(frozen)["refusal"] is None


def test_a_rival_set_at_t_plus_5ms_books_at_that_instant_on_the_sandbox_clock(
    frozen: SandboxServer,
) -> None:
    s = logged_in_session(frozen)
    before_rival = madrid_slot(frozen, 0, f"{RELEASED_DAY}T17:00:00")
    after_rival = madrid_slot(frozen, 1, f"{RELEASED_DAY}T17:00:00")
    rivals = http.post(
        f"{frozen.url}/_sandbox/rivals",
        json={"slots": [{**before_rival, "delay_ms": 5}, {**after_rival, "delay_ms": 5}]},
    ).json()
    assert [datetime.fromisoformat(r["due_at"]) for r in rivals] == [RELEASE + 5 * MS] * 2
    assert [r["delay_ms"] for r in rivals] == [5, 5]

    frozen.set_clock(now=(RELEASE + 4 * MS).isoformat(), frozen=True)
    assert book(s, frozen, before_rival).status_code == 200
    frozen.set_clock(now=(RELEASE + 6 * MS).isoformat(), frozen=True)
    taken = book(s, frozen, after_rival)

    assert taken.status_code == 409
    assert taken.json()["status"] == "SLOT_NOT_AVAILABLE"
    assert last_intent_entry(frozen)["refusal"] == "taken"
    states = http.get(f"{frozen.url}/_sandbox/rivals").json()
    assert [r["status"] for r in states] == ["LOST", "BOOKED"]
    [rival_booking] = [b for b in frozen.state()["bookings"] if b["owner_id"] == "rival"]
    assert rival_booking["resource_id"] == after_rival["resource_id"]


def test_on_a_running_offset_clock_a_t_plus_5ms_rival_beats_a_request_received_after_it() -> None:
    with SandboxServer(
        seed=3,
        accounts=[(EMAIL, PASSWORD)],
        demand=False,
        offset_seconds=2.7,
        drift_ppm=300,
        network=NetworkModel(inbound=Delay(base_ms=10), outbound=Delay(base_ms=10)),
    ) as sandbox:
        s = logged_in_session(sandbox)
        release, start = release_soon(sandbox, 400)
        slot = madrid_slot(sandbox, 0, start)
        [rival] = sandbox.add_rivals([{**slot, "delay_ms": 5}])

        wait_for_sandbox_time(sandbox, release + 6 * MS)
        taken = book(s, sandbox, slot)

        assert taken.status_code == 409
        entry = last_intent_entry(sandbox)
        assert received(entry) >= release + 16 * MS
        assert entry["refusal"] == "taken"
        assert rival.status == "BOOKED"
        assert datetime.fromtimestamp(rival.due, UTC) == release + 5 * MS


def test_on_a_running_clock_a_request_is_judged_at_its_arrival_not_its_sending() -> None:
    with SandboxServer(
        seed=3,
        accounts=[(EMAIL, PASSWORD)],
        demand=False,
        offset_seconds=-3.0,
        network=NetworkModel(inbound=Delay(base_ms=100)),
    ) as sandbox:
        s = logged_in_session(sandbox)
        release, start = release_soon(sandbox, 600)

        # Sent 200 ms before T, it arrives about 100 ms before: early.
        wait_for_sandbox_time(sandbox, release - 200 * MS)
        early = book(s, sandbox, madrid_slot(sandbox, 0, start))
        early_entry = last_intent_entry(sandbox)
        # Sent 60 ms before T, it arrives about 40 ms after: it books.
        wait_for_sandbox_time(sandbox, release - 60 * MS)
        on_time = book(s, sandbox, madrid_slot(sandbox, 1, start))
        on_time_entry = last_intent_entry(sandbox)

        assert (early.status_code, early_entry["refusal"]) == (409, "early")
        assert received(early_entry) < release
        assert on_time.status_code == 200
        assert received(on_time_entry) >= release


# ----- the command line -----


def test_the_command_line_sets_the_clock_offset_and_the_network_model() -> None:
    args = (
        "--offset-seconds -3 --drift-ppm 100 --inbound-ms 15 --outbound-ms 12 --processing-ms 2"
        " --jitter pareto --jitter-ms 3 --jitter-shape 1.5 --jitter-cap-ms 200 --network-seed 9"
    )
    with sandbox_command(*args.split()) as (url, _):
        clock = http.get(f"{url}/_sandbox/clock").json()
        network = http.get(f"{url}/_sandbox/network").json()

    assert clock["offset_seconds"] == pytest.approx(-3, abs=0.01)
    assert clock["drift_ppm"] == 100
    one_way = {"jitter": "pareto", "jitter_ms": 3, "shape": 1.5, "cap_ms": 200}
    assert network["inbound"] == {"base_ms": 15, **one_way}
    assert network["outbound"] == {"base_ms": 12, **one_way}
    assert network["processing"]["base_ms"] == 2 and network["processing"]["jitter"] == "none"
    assert network["seed"] == 9


def test_manage_py_sandbox_takes_a_whole_network_model_as_json() -> None:
    model = '{"inbound": {"base_ms": 20, "jitter": "lognormal", "jitter_ms": 5}}'
    args = ("--offset-seconds", "2.7", "--network", model)
    with sandbox_command(*args, manage_py=True) as (url, _):
        clock = http.get(f"{url}/_sandbox/clock").json()
        network = http.get(f"{url}/_sandbox/network").json()

    assert clock["offset_seconds"] == pytest.approx(2.7, abs=0.01)
    assert network["inbound"]["base_ms"] == 20 and network["inbound"]["jitter"] == "lognormal"
    assert network["outbound"]["base_ms"] == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--now", "2027-01-05T12:00:00", "--offset-seconds", "1"], "give one"),
        (["--offset-seconds", "nan"], "must be a finite number"),
        (["--drift-ppm", "5000000"], "a drift is between"),
        (["--inbound-ms", "-5"], "must be zero or a positive number"),
        (["--jitter-ms", "5"], "jitter_ms needs a jitter distribution"),
        (["--network", '{"inbound": {"base_ms": 5}}', "--outbound-ms", "5"], "drop --outbound-ms"),
        (["--network", "{nope"], "invalid network model"),
    ],
)
def test_the_command_line_explains_a_bad_clock_or_network_option(
    args: list[str], message: str
) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "playtomic.sandbox", "--port", "0", *args],
        capture_output=True,
        text=True,
        timeout=30,
    )

    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
