"""FlaskRateLimiter: identity, proxies, 429 responses and headers, per-route limits, outages."""

from __future__ import annotations

import logging

import pytest
from flask import Flask, jsonify

from mismatch_core.ratelimit.middleware import FlaskRateLimiter, whole_seconds
from mismatch_core.ratelimit.throttled_log import ThrottledLogger


class FakeClock:
    def __init__(self, start: float = 500.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def make_app(clock: FakeClock | None = None, **options) -> tuple[Flask, FlaskRateLimiter]:
    app = Flask("ratelimit-test")
    options.setdefault("default_limit", (3, 60))
    limiter = FlaskRateLimiter(app, clock=clock or FakeClock(), **options)

    @app.get("/search")
    @limiter.limit(2, 60)
    def search():
        return jsonify(ok=True)

    @app.get("/profile")
    @limiter.limit(4, 10, algorithm="gcra", name="profile")
    def profile():
        return jsonify(ok=True)

    @app.get("/export")
    @limiter.limit(6, 60, cost=3)
    def export():
        return jsonify(ok=True)

    @app.get("/health")
    @limiter.exempt
    def health():
        return jsonify(ok=True)

    @app.get("/other")
    def other():
        return jsonify(ok=True)

    return app, limiter


def get(client, path: str, address: str = "203.0.113.7", **headers):
    return client.get(path, headers=headers, environ_base={"REMOTE_ADDR": address})


def test_rejection_is_429_json():
    app, _ = make_app()
    client = app.test_client()

    statuses = [get(client, "/search").status_code for _ in range(3)]
    rejected = get(client, "/search")

    assert statuses == [200, 200, 429]
    assert rejected.status_code == 429
    assert rejected.is_json
    assert rejected.json["error"] == "too_many_requests"
    assert rejected.json["limit"] == 2
    assert rejected.json["retry_after"] == 60


def test_rejection_headers():
    clock = FakeClock()
    app, _ = make_app(clock)
    client = app.test_client()
    get(client, "/search")
    clock.advance(20.5)
    get(client, "/search")

    rejected = get(client, "/search")

    # The oldest entry leaves the window 39.5 s from now: rounded up to 40.
    assert rejected.headers["Retry-After"] == "40"
    assert rejected.headers["RateLimit-Policy"] == '"search";q=2;w=60'
    assert rejected.headers["RateLimit"] == '"search";r=0;t=60'
    assert rejected.headers["X-RateLimit-Limit"] == "2"
    assert rejected.headers["X-RateLimit-Remaining"] == "0"
    assert rejected.headers["X-RateLimit-Reset"] == "60"


def test_admitted_headers():
    app, _ = make_app()
    response = get(app.test_client(), "/search")

    assert response.status_code == 200
    assert response.headers["RateLimit"] == '"search";r=1;t=60'
    assert response.headers["X-RateLimit-Remaining"] == "1"
    assert "Retry-After" not in response.headers


def test_retry_after_never_zero():
    clock = FakeClock()
    app, _ = make_app(clock)
    client = app.test_client()
    get(client, "/search")
    get(client, "/search")
    clock.advance(59.8)

    rejected = get(client, "/search")

    assert rejected.status_code == 429
    assert rejected.headers["Retry-After"] == "1"


def test_whole_seconds_rounding():
    assert whole_seconds(0.2, minimum=1) == 1
    assert whole_seconds(0.0, minimum=1) == 1
    assert whole_seconds(12.0000000001) == 12
    assert whole_seconds(12.01) == 13
    assert whole_seconds(0.0) == 0


def test_limits_per_route():
    app, _ = make_app()
    client = app.test_client()

    search = [get(client, "/search").status_code for _ in range(3)]
    profile = [get(client, "/profile").status_code for _ in range(5)]
    other = [get(client, "/other").status_code for _ in range(4)]
    health = [get(client, "/health").status_code for _ in range(10)]

    assert search == [200, 200, 429]
    assert profile == [200] * 4 + [429]
    assert other == [200, 200, 200, 429], "the default limit applies to undecorated views"
    assert health == [200] * 10
    assert get(client, "/profile").headers["RateLimit-Policy"] == '"profile";q=4;w=10'


def test_route_cost():
    app, _ = make_app()
    client = app.test_client()

    statuses = [get(client, "/export").status_code for _ in range(3)]

    assert statuses == [200, 200, 429]


def test_cost_above_limit_rejected_at_setup():
    limiter = FlaskRateLimiter(default_limit=None)
    with pytest.raises(ValueError, match="cost 3 exceeds the limit of 2"):
        limiter.limit(2, 60, cost=3)


def test_api_key_identifies_client():
    app, _ = make_app()
    client = app.test_client()

    first = [get(client, "/search", **{"X-API-Key": "key-1"}).status_code for _ in range(3)]
    second = [get(client, "/search", **{"X-API-Key": "key-2"}).status_code for _ in range(3)]
    anonymous = get(client, "/search").status_code

    assert first == [200, 200, 429]
    assert second == [200, 200, 429]
    assert anonymous == 200, "requests without a key are limited by address"


def test_api_key_hashed_in_id():
    app, limiter = make_app()
    with app.test_request_context(headers={"X-API-Key": "secret-key"}):
        client_id = limiter.client_id()
    assert client_id.startswith("key:")
    assert "secret-key" not in client_id


def test_remote_address_identifies_client():
    app, _ = make_app()
    client = app.test_client()

    first = [get(client, "/search", address="198.51.100.1").status_code for _ in range(3)]
    second = get(client, "/search", address="198.51.100.2").status_code

    assert first == [200, 200, 429]
    assert second == 200


def test_forwarded_for_ignored_from_untrusted_peer():
    app, _ = make_app()
    client = app.test_client()

    statuses = [
        get(client, "/search", **{"X-Forwarded-For": f"10.9.9.{n}"}).status_code for n in range(3)
    ]

    assert statuses == [200, 200, 429], "a fake X-Forwarded-For must not reset the limit"


def test_forwarded_for_read_from_trusted_proxy():
    app, limiter = make_app(trusted_proxies=["10.0.0.0/8", "192.0.2.1"])
    client = app.test_client()
    proxy = "10.0.0.5"

    first = [get(client, "/search", proxy, **{"X-Forwarded-For": "198.51.100.10"}).status_code for _ in range(3)]
    second = get(client, "/search", proxy, **{"X-Forwarded-For": "198.51.100.11"}).status_code

    assert first == [200, 200, 429]
    assert second == 200
    with app.test_request_context(
        headers={"X-Forwarded-For": "6.6.6.6, 198.51.100.12, 192.0.2.1"},
        environ_base={"REMOTE_ADDR": proxy},
    ):
        # Entries left of the first untrusted hop are client-written and ignored.
        assert limiter.client_address() == "198.51.100.12"


def test_invalid_trusted_proxy_raises():
    with pytest.raises(ValueError, match="invalid trusted proxy 'gateway'"):
        FlaskRateLimiter(trusted_proxies=["gateway"])


def redis_app(url: str, fail_open: bool, clock: FakeClock) -> Flask:
    app, _ = make_app(clock, storage=url, fail_open=fail_open, warning_interval=30)
    return app


def test_redis_down_fail_open(own_redis, caplog):
    clock = FakeClock()
    app = redis_app(own_redis.url, True, clock)
    client = app.test_client()
    assert [get(client, "/search").status_code for _ in range(3)] == [200, 200, 429]
    own_redis.stop()

    with caplog.at_level(logging.WARNING, logger="mismatch_core.ratelimit.middleware"):
        statuses = [get(client, "/search").status_code for _ in range(5)]
        clock.advance(31)
        get(client, "/search")

    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert statuses == [200] * 5
    assert len(warnings) == 2, "the outage warning is rate-limited"
    assert "not enforced" in warnings[0].getMessage()
    assert "4 similar messages suppressed" in warnings[1].getMessage()


def test_redis_down_fail_closed(own_redis):
    app = redis_app(own_redis.url, False, FakeClock())
    client = app.test_client()
    own_redis.stop()

    response = get(client, "/search")

    assert response.status_code == 503
    assert response.json["error"] == "rate_limiter_unavailable"
    assert response.headers["Retry-After"] == "1"


def test_redis_limit_through_flask(redis_server):
    app, _ = make_app(storage=redis_server.url)
    client = app.test_client()

    statuses = [get(client, "/search", address="198.51.100.99").status_code for _ in range(3)]

    assert statuses == [200, 200, 429]


def test_throttled_logger_counts(caplog):
    clock = FakeClock()
    throttled = ThrottledLogger(logging.getLogger("throttle-test"), 10, clock=clock)

    with caplog.at_level(logging.WARNING, logger="throttle-test"):
        emitted = [throttled.log(logging.WARNING, "outage %s", n) for n in range(4)]
        clock.advance(10)
        emitted.append(throttled.log(logging.WARNING, "outage %s", 4))

    assert emitted == [True, False, False, False, True]
    assert [r.getMessage() for r in caplog.records] == [
        "outage 0", "outage 4 (3 similar messages suppressed)"
    ]
