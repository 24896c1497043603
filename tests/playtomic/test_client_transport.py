"""The client's transport rules (headers, error taxonomy, retries, token handling, clock
probe) against a tiny scripted HTTP server on 127.0.0.1. Each test scripts the responses it
needs; the client itself is exercised unmodified over real HTTP."""

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from playtomic import PlaytomicClient, Tokens, errors
from tests.support.observers import HostRecorder


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: object


@dataclass
class Reply:
    status: int = 200
    body: object = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


Handler = Callable[[Seen], Reply]


class ScriptedServer:
    def __init__(self, handler: Handler):
        self.handler = handler
        self.seen: list[Seen] = []
        outer = self

        class RequestHandler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out in two writes; without this, Nagle plus delayed ACKs
            # add 40 ms to every response.
            disable_nagle_algorithm = True

            def log_message(self, *args):
                pass

            def _serve(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                seen = Seen(
                    method=self.command,
                    path=parts.path,
                    query={k: v[0] for k, v in parse_qs(parts.query).items()},
                    headers=dict(self.headers.items()),
                    body=json.loads(raw) if raw else None,
                )
                outer.seen.append(seen)
                reply = outer.handler(seen)
                if reply.delay:
                    time.sleep(reply.delay)
                if isinstance(reply.body, bytes | str):
                    data = reply.body.encode() if isinstance(reply.body, str) else reply.body
                    ctype = "text/html"
                elif reply.body is None:
                    data, ctype = b"", "application/json"
                else:
                    data, ctype = json.dumps(reply.body).encode(), "application/json"
                headers = {"Content-Type": ctype, "Date": formatdate(usegmt=True)}
                headers.update(reply.headers)
                try:
                    self.send_response_only(reply.status)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            do_GET = do_POST = do_PATCH = _serve

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), RequestHandler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self):
        threading.Thread(target=self._server.serve_forever, args=(0.01,), daemon=True).start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()


NOW = datetime(2026, 7, 18, 5, 0, tzinfo=UTC)


def fresh_tokens(*, access="ACCESS-1", refresh="REFRESH-1", expires_in=timedelta(hours=1)):
    return Tokens(
        access_token=access,
        access_expires_at=datetime.now(UTC) + expires_in,
        refresh_token=refresh,
        refresh_expires_at=datetime.now(UTC) + timedelta(days=60),
        user_id="0123456",
    )


def token_body(n):
    return {
        "access_token": f"ACCESS-{n}",
        "access_token_expiration": (datetime.now(UTC) + timedelta(hours=1))
        .replace(tzinfo=None, microsecond=0)
        .isoformat(),
        "refresh_token": f"REFRESH-{n}",
        "refresh_token_expiration": "2026-12-31T00:00:00",
        "user_id": "0123456",
    }


def make_client(server, **kwargs):
    kwargs.setdefault("tokens", fresh_tokens())
    kwargs.setdefault("backoff_base", 0.001)
    kwargs.setdefault("read_timeout", 2.0)
    return PlaytomicClient(server.url, **kwargs)


MATCH = {"match_id": "m-1", "status": "PENDING", "start_date": "2026-03-02T17:30:00"}


def test_it_sends_bearer_user_agent_and_json_accept_on_reads():
    with ScriptedServer(lambda r: Reply(body=MATCH)) as server:
        make_client(server, user_agent="playtomic-monitor/test (+ops@example.test)").get_match(
            "m-1"
        )

    (req,) = server.seen
    assert req.path == "/v1/matches/m-1"
    assert req.headers["Authorization"] == "Bearer ACCESS-1"
    assert req.headers["User-Agent"] == "playtomic-monitor/test (+ops@example.test)"
    assert req.headers["Accept"] == "application/json"


def test_it_logs_in_without_a_bearer_and_stores_the_tokens():
    stored: list[Tokens] = []

    def handler(req):
        return Reply(body=token_body(1))

    with ScriptedServer(handler) as server:
        client = make_client(server, tokens=None, token_store=stored.append)
        tokens = client.login("a@x.test", "pw")

    (req,) = server.seen
    assert req.path == "/v3/auth/login"
    assert "Authorization" not in req.headers
    assert req.body == {
        "email": "a@x.test",
        "password": "pw",
        "requested_user_roles": ["ROLE_CUSTOMER"],
    }
    assert stored == [tokens]
    assert client.tokens is tokens
    assert tokens.access_token == "ACCESS-1"


def test_it_maps_bad_credentials_to_unauthorized():
    reply = Reply(401, {"status": "UNAUTHORIZED", "localized_message": "Bad credentials"})
    with ScriptedServer(lambda r: reply) as server, pytest.raises(errors.Unauthorized) as caught:
        make_client(server, tokens=None).login("a@x.test", "wrong-pw")

    assert caught.value.status_code == "UNAUTHORIZED"
    assert "wrong-pw" not in str(caught.value)


def test_it_refuses_authenticated_calls_before_login_without_sending():
    with ScriptedServer(lambda r: Reply(body=MATCH)) as server, pytest.raises(errors.Unauthorized):
        make_client(server, tokens=None).get_match("m-1")

    assert server.seen == []


def test_it_refreshes_shortly_before_expiry_and_stores_the_pair_before_using_it():
    events: list[tuple[str, ...]] = []

    def handler(req):
        events.append(("request", req.path, req.headers.get("Authorization")))
        if req.path == "/v3/auth/token":
            return Reply(body=token_body(2))
        return Reply(body=MATCH)

    def store(tokens):
        events.append(("stored", tokens.refresh_token))

    with ScriptedServer(handler) as server:
        client = make_client(
            server, tokens=fresh_tokens(expires_in=timedelta(seconds=30)), token_store=store
        )
        client.get_match("m-1")

    assert events == [
        ("request", "/v3/auth/token", None),
        ("stored", "REFRESH-2"),
        ("request", "/v1/matches/m-1", "Bearer ACCESS-2"),
    ]
    assert server.seen[0].body == {
        "refresh_token": "REFRESH-1",
        "requested_user_roles": ["ROLE_CUSTOMER"],
    }


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_it_refreshes_once_and_retries_once_after_a_401(method):
    def handler(req):
        if req.path == "/v3/auth/token":
            return Reply(body=token_body(2))
        if req.headers["Authorization"] == "Bearer ACCESS-1":
            return Reply(401, {"status": "UNAUTHORIZED"})
        return Reply(body=MATCH)

    stored: list[Tokens] = []
    with ScriptedServer(handler) as server:
        client = make_client(server, token_store=stored.append)
        if method == "GET":
            client.get_match("m-1")
        else:
            client.cancel_match("m-1")

    assert [r.path for r in server.seen] == [
        server.seen[0].path,
        "/v3/auth/token",
        server.seen[0].path,
    ]
    assert [t.refresh_token for t in stored] == ["REFRESH-2"]


def test_it_gives_up_after_a_second_401():
    def handler(req):
        if req.path == "/v3/auth/token":
            return Reply(body=token_body(2))
        return Reply(401, {"status": "UNAUTHORIZED"})

    with ScriptedServer(handler) as server, pytest.raises(errors.Unauthorized):
        make_client(server).get_match("m-1")

    assert [r.path for r in server.seen] == ["/v1/matches/m-1", "/v3/auth/token", "/v1/matches/m-1"]


def test_it_raises_unauthorized_when_the_refresh_token_was_rotated_away():
    reply = Reply(401, {"status": "USER_NOT_FOUND", "localized_message": "Invalid code."})
    with ScriptedServer(lambda r: reply) as server, pytest.raises(errors.Unauthorized) as caught:
        make_client(server).refresh()

    assert caught.value.status_code == "USER_NOT_FOUND"
    assert "REFRESH-1" not in str(caught.value) and "REFRESH-1" not in repr(caught.value)


def test_it_raises_the_401_itself_when_it_has_no_refresh_token():
    with (
        ScriptedServer(lambda r: Reply(401, {"status": "UNAUTHORIZED"})) as server,
        pytest.raises(errors.Unauthorized) as caught,
    ):
        make_client(server, tokens=fresh_tokens(refresh=None)).get_match("m-1")

    assert caught.value.http_status == 401
    assert len(server.seen) == 1


HTML_BLOCK = "<HTML><BODY><H1>403 ERROR</H1>Request blocked. Generated by cloudfront</BODY></HTML>"


@pytest.mark.parametrize(
    ("reply", "error", "kind", "code"),
    [
        (
            Reply(400, {"status": "INCORRECT_PARAMETERS", "localized_message": "bad"}),
            errors.BadRequest,
            "bad_request",
            "INCORRECT_PARAMETERS",
        ),
        (
            Reply(422, {"status": "PAYMENT_INTENT_STATUS_INVALID"}),
            errors.BadRequest,
            "bad_request",
            "PAYMENT_INTENT_STATUS_INVALID",
        ),
        (Reply(403, HTML_BLOCK, {"server": "CloudFront"}), errors.Blocked, "blocked", None),
        (Reply(403, {"status": "FORBIDDEN"}), errors.Forbidden, "forbidden", "FORBIDDEN"),
        (Reply(404, {"status": "NOT_FOUND"}), errors.NotFound, "not_found", "NOT_FOUND"),
        (
            Reply(409, {"status": "SLOT_NOT_AVAILABLE", "localized_message": "taken"}),
            errors.SlotUnavailable,
            "slot_unavailable",
            "SLOT_NOT_AVAILABLE",
        ),
        (
            Reply(409, {"error": "Conflict", "details": {"x": 1}}),
            errors.SlotUnavailable,
            None,
            None,
        ),
        (Reply(409, b""), errors.SlotUnavailable, None, None),
        (
            Reply(429, {"status": "TOO_MANY"}, {"Retry-After": "7"}),
            errors.RateLimited,
            "rate_limited",
            "TOO_MANY",
        ),
        (Reply(502, "<html>Bad gateway</html>"), errors.ServerError, "server_error", None),
        (Reply(200, "<html>an SPA</html>"), errors.SchemaError, "schema", None),
    ],
)
def test_it_maps_responses_to_the_error_taxonomy_without_retrying_posts(reply, error, kind, code):
    with ScriptedServer(lambda r: reply) as server, pytest.raises(error) as caught:
        make_client(server).confirm_payment_intent("pi-1")

    assert len(server.seen) == 1
    if kind:
        assert caught.value.kind == kind
    assert caught.value.status_code == code
    assert "ACCESS-1" not in str(caught.value)
    assert "/v1/payment_intents/pi-1/confirmation" in str(caught.value)


def test_it_marks_an_edge_block_not_retryable_and_does_not_quote_the_html():
    with (
        ScriptedServer(lambda r: Reply(403, HTML_BLOCK)) as server,
        pytest.raises(errors.Blocked) as caught,
    ):
        make_client(server).get_match("m-1")

    assert caught.value.retryable is False
    assert "<HTML>" not in str(caught.value)
    assert len(server.seen) == 1


def test_it_reads_the_legacy_error_shape():
    body = {"error": "Invalid resource", "details": {"resource_id": "r"}}
    with (
        ScriptedServer(lambda r: Reply(400, body)) as server,
        pytest.raises(errors.BadRequest, match="Invalid resource"),
    ):
        make_client(server).get_match("m-1")


def test_it_reads_retry_after_on_a_rate_limit():
    reply = Reply(429, {"status": "TOO_MANY_REQUESTS"}, {"Retry-After": "120"})
    with ScriptedServer(lambda r: reply) as server, pytest.raises(errors.RateLimited) as caught:
        make_client(server, retry_after_cap=60).get_match("m-1")

    assert caught.value.retry_after == 120
    # Over the cap: given up at once rather than sleeping two minutes.
    assert len(server.seen) == 1


def test_it_retries_gets_on_server_errors_and_calls_the_hook_before_every_attempt():
    replies = iter([Reply(503), Reply(500, {"status": "INTERNAL"}), Reply(body=MATCH)])
    hosts: list[str] = []
    sleeps: list[float] = []
    with ScriptedServer(lambda r: next(replies)) as server:
        client = make_client(server, observer=HostRecorder(hosts), sleep=sleeps.append)
        match = client.get_match("m-1")

    assert match.match_id == "m-1"
    assert len(server.seen) == 3
    assert hosts == [server.url.removeprefix("http://")] * 3
    assert len(sleeps) == 2
    # Exponential: the second wait is drawn from a range twice as high as the first.
    assert 0.0005 <= sleeps[0] <= 0.001 and 0.001 <= sleeps[1] <= 0.002


def test_it_stops_retrying_after_max_retries():
    with ScriptedServer(lambda r: Reply(500)) as server, pytest.raises(errors.ServerError):
        make_client(server, max_retries=2).get_match("m-1")

    assert len(server.seen) == 3


def test_it_honours_retry_after_on_gets():
    replies = iter([Reply(429, None, {"Retry-After": "0.05"}), Reply(body=MATCH)])
    sleeps: list[float] = []
    with ScriptedServer(lambda r: next(replies)) as server:
        make_client(server, sleep=sleeps.append).get_match("m-1")

    assert sleeps == [0.05]


@pytest.mark.parametrize("status", [500, 503, 429])
def test_it_never_retries_a_booking_post(status):
    with ScriptedServer(lambda r: Reply(status)) as server, pytest.raises(errors.PlaytomicError):
        make_client(server).create_payment_intent(
            tenant_id="t",
            resource_id="r",
            start=datetime(2026, 3, 2, 18, tzinfo=UTC),
            duration_minutes=90,
        )

    assert len(server.seen) == 1


def test_it_never_retries_a_patch():
    with ScriptedServer(lambda r: Reply(503)) as server, pytest.raises(errors.ServerError):
        make_client(server).select_payment_method("pi-1", "CASH")

    assert len(server.seen) == 1


def test_it_times_out_reads_and_retries_only_gets():
    with ScriptedServer(lambda r: Reply(body=MATCH, delay=0.3)) as server:
        client = make_client(server, read_timeout=0.05, max_retries=1)
        with pytest.raises(errors.Timeout) as caught:
            client.get_match("m-1")
        assert caught.value.kind == "timeout"
        assert len(server.seen) == 2
        with pytest.raises(errors.Timeout):
            client.confirm_payment_intent("pi-1")
        assert len(server.seen) == 3


def test_it_reports_a_refused_connection():
    with ScriptedServer(lambda r: Reply()) as server:
        url = server.url
    with pytest.raises(errors.ConnectionFailed) as caught:
        PlaytomicClient(url, tokens=fresh_tokens(), max_retries=0).get_match("m-1")

    assert caught.value.kind == "connection"


def test_it_refuses_an_availability_window_over_25_hours_before_sending():
    with ScriptedServer(lambda r: Reply(body=[])) as server:
        client = make_client(server)
        start = datetime(2026, 3, 1, tzinfo=UTC)
        with pytest.raises(errors.WindowTooLarge) as caught:
            client.get_availability(
                "t", start_min=start, start_max=start + timedelta(hours=25, seconds=1)
            )
        client.get_availability("t", start_min=start, start_max=start + timedelta(hours=25))

    assert isinstance(caught.value, ValueError) and isinstance(caught.value, errors.BadRequest)
    assert len(server.seen) == 1
    assert server.seen[0].query == {
        "tenant_id": "t",
        "sport_id": "PADEL",
        "start_min": "2026-03-01T00:00:00",
        "start_max": "2026-03-02T01:00:00",
    }


def test_it_queries_a_local_day_in_utc_and_keeps_only_that_days_slots():
    # Madrid, 2026-03-29: DST starts, the local day runs 2026-03-28T23:00Z..2026-03-29T21:59:59Z.
    body = [
        {
            "resource_id": "r",
            "start_date": "2026-03-28",
            "slots": [
                {"start_time": "22:30:00", "duration": 60, "price": "20 EUR"},
                {"start_time": "23:00:00", "duration": 60, "price": "20 EUR"},
            ],
        },
        {
            "resource_id": "r",
            "start_date": "2026-03-29",
            "slots": [
                {"start_time": "21:30:00", "duration": 60, "price": "20 EUR"},
                {"start_time": "22:00:00", "duration": 60, "price": "20 EUR"},
            ],
        },
    ]
    with ScriptedServer(lambda r: Reply(body=body)) as server:
        entries = make_client(server).availability_for_local_day(
            "t", date(2026, 3, 29), "Europe/Madrid"
        )

    assert server.seen[0].query["start_min"] == "2026-03-28T23:00:00"
    assert server.seen[0].query["start_max"] == "2026-03-29T21:59:59"
    starts = [s.start for e in entries for s in e.slots]
    assert starts == [
        datetime(2026, 3, 28, 23, tzinfo=UTC),
        datetime(2026, 3, 29, 21, 30, tzinfo=UTC),
    ]


def tenant(n):
    return {"tenant_id": f"t-{n}", "tenant_name": f"Club {n}", "address": {"timezone": "UTC"}}


@pytest.mark.parametrize(("total", "requests"), [(60, 3), (50, 3), (10, 2), (0, 1)])
def test_it_paginates_tenants_past_a_silent_size_cap(total, requests):
    everything = [tenant(n) for n in range(total)]
    cap = 25

    def handler(req):
        page, size = int(req.query["page"]), min(int(req.query["size"]), cap)
        return Reply(body=everything[page * size : (page + 1) * size])

    with ScriptedServer(handler) as server:
        found = list(make_client(server).iter_tenants(coordinate=(40.4, -3.7), radius_m=50000))

    assert [t.tenant_id for t in found] == [t["tenant_id"] for t in everything]
    assert len(server.seen) == requests
    assert server.seen[0].query["size"] == "40"
    assert server.seen[0].query["coordinate"] == "40.4,-3.7"
    assert server.seen[0].query["playtomic_status"] == "ACTIVE"


def test_it_stops_paginating_when_the_server_ignores_the_page():
    with ScriptedServer(lambda r: Reply(body=[tenant(1), tenant(2)])) as server:
        found = list(make_client(server).iter_tenants(size=2))

    assert [t.tenant_id for t in found] == ["t-1", "t-2"]
    assert len(server.seen) == 2


def test_it_filters_inactive_clubs_even_if_the_server_returns_them():
    inactive = {**tenant(2), "playtomic_status": "INACTIVE"}
    with ScriptedServer(lambda r: Reply(body=[tenant(1), inactive])) as server:
        found = make_client(server).search_tenants(name="club")
        everything = make_client(server).search_tenants(name="club", active_only=False)

    assert [t.tenant_id for t in found] == ["t-1"]
    assert len(everything) == 2
    assert server.seen[0].query["tenant_name"] == "club"
    assert "playtomic_status" not in server.seen[1].query


def test_it_probes_the_server_clock_from_the_date_header():
    offset = 42.3  # seconds the server is ahead of us

    def handler(req):
        return Reply(body=[], headers={"Date": formatdate(time.time() + offset, usegmt=True)})

    with ScriptedServer(handler) as server:
        estimate = make_client(server).probe_clock(max_seconds=1.5, min_interval=0.005)

    assert estimate.samples >= 2
    assert abs(estimate.offset_ms - offset * 1000) <= estimate.uncertainty_ms + 1
    assert estimate.uncertainty_ms < 30
    assert estimate.rtt_ms < 100


def test_it_reports_a_missing_date_header_as_a_schema_error():
    with (
        ScriptedServer(lambda r: Reply(body=[], headers={"Date": "garbage"})) as server,
        pytest.raises(errors.SchemaError, match="Date"),
    ):
        make_client(server).probe_clock(max_seconds=0.2)
