"""Flask extension: per-route rate limits with standard rate-limit response headers.

Headers on every limited response:

- ``RateLimit-Policy: "<name>";q=<limit>;w=<window>`` and
  ``RateLimit: "<name>";r=<remaining>;t=<seconds to reset>``, the structured-field
  form of the IETF httpapi draft "RateLimit header fields for HTTP"
  (draft-ietf-httpapi-ratelimit-headers-08 and later);
- ``X-RateLimit-Limit``, ``X-RateLimit-Remaining`` and ``X-RateLimit-Reset``, the last
  in seconds from now (not a Unix time, so client clock skew does not matter);
- on a 429, ``Retry-After`` in whole seconds, rounded up and at least 1.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import Flask, Response, current_app, g, jsonify, request

from mismatch_core.ratelimit.decision import Decision
from mismatch_core.ratelimit.limiter import RateLimiter
from mismatch_core.ratelimit.storage import Storage, StorageUnavailable, storage_from_uri
from mismatch_core.ratelimit.throttled_log import ThrottledLogger
from mismatch_core.ratelimit.validation import check_cost, check_limit

logger = logging.getLogger(__name__)

View = TypeVar("View", bound=Callable[..., Any])

_ROUTE_ATTRIBUTE = "_mismatch_rate_limit"
_EXEMPT = "exempt"
# Float slack so that a retry time of 12.000000001 s is sent as 12, not 13.
_ROUNDING_SLACK = 1e-6


@dataclass(frozen=True, slots=True)
class RouteLimit:
    """A limit declared on one view with ``FlaskRateLimiter.limit``."""

    max_requests: int
    window: float
    cost: int = 1
    algorithm: str | None = None
    name: str | None = None


def whole_seconds(seconds: float, *, minimum: int = 0) -> int:
    """Return ``seconds`` rounded up to a whole number, and at least ``minimum``."""
    return max(minimum, math.ceil(seconds - _ROUNDING_SLACK))


class FlaskRateLimiter:
    """Rate limits for a Flask app, per route, keyed by API key or client address.

    ``default_limit`` is ``(max_requests, window)`` for views without ``@limit``, or None
    for no default. ``api_key_header`` names the header that identifies a client; the
    key is hashed before it is stored. Without it, the client is the remote address,
    and ``X-Forwarded-For`` is read only when the peer is in ``trusted_proxies``
    (addresses or CIDR networks). When the storage is unreachable, ``fail_open=True``
    admits the request and logs a warning at most once per ``warning_interval``
    seconds; ``fail_open=False`` replies 503.

    NOTE: an API key identifies the client but is not checked here, so an app that
    accepts any key lets a client escape its limit with fresh keys. Validate keys
    before this extension runs, or pass ``api_key_header=None``.
    """

    def __init__(
        self,
        app: Flask | None = None,
        *,
        default_limit: tuple[int, float] | None = (100, 60),
        storage: str | Storage = "memory://",
        algorithm: str = "sliding_log",
        api_key_header: str | None = "X-API-Key",
        trusted_proxies: Iterable[str] = (),
        fail_open: bool = True,
        warning_interval: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.default_limit = None if default_limit is None else check_limit(*default_limit)
        self.storage = storage_from_uri(storage, clock=clock) if isinstance(storage, str) else storage
        self.algorithm = algorithm
        self.api_key_header = api_key_header
        self.trusted_proxies = tuple(_parse_network(value) for value in trusted_proxies)
        self.fail_open = fail_open
        self.outage_log = ThrottledLogger(logger, warning_interval, clock=clock)
        self._clock = clock
        self._limiters: dict[str, tuple[RateLimiter, int] | None] = {}
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask) -> None:
        """Check every request of ``app`` against its route's limit."""
        app.extensions["mismatch_ratelimit"] = self
        app.before_request(self._check_request)
        app.after_request(self._add_headers)

    def limit(
        self,
        max_requests: int,
        window: float,
        *,
        cost: int = 1,
        algorithm: str | None = None,
        name: str | None = None,
    ) -> Callable[[View], View]:
        """Decorate a view to give it its own limit, in place of the default one."""
        max_requests, window = check_limit(max_requests, window)
        check_cost(cost)
        if cost > max_requests:
            raise ValueError(
                f"cost {cost} exceeds the limit of {max_requests} requests, so every request "
                "would be rejected; lower the cost or raise the limit"
            )
        route_limit = RouteLimit(max_requests, window, cost, algorithm, name)

        def decorate(view: View) -> View:
            setattr(view, _ROUTE_ATTRIBUTE, route_limit)
            return view

        return decorate

    def exempt(self, view: View) -> View:
        """Decorate a view so that no limit applies to it."""
        setattr(view, _ROUTE_ATTRIBUTE, _EXEMPT)
        return view

    def client_id(self) -> str:
        """Return the current request's client: its hashed API key or its address."""
        if self.api_key_header:
            api_key = request.headers.get(self.api_key_header)
            if api_key:
                return "key:" + hashlib.sha256(api_key.encode("utf-8")).hexdigest()[:32]
        return "ip:" + self.client_address()

    def client_address(self) -> str:
        """Return the client's address, read from ``X-Forwarded-For`` only via trusted proxies."""
        peer = request.remote_addr or "unknown"
        if not self.trusted_proxies or not self._is_trusted(peer):
            return peer

        forwarded = request.headers.get("X-Forwarded-For", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        # Walk from the nearest hop outwards: each trusted proxy vouches for the one before.
        for hop in reversed(hops):
            if not self._is_trusted(hop):
                return hop
            peer = hop
        return peer

    def _is_trusted(self, address: str) -> bool:
        try:
            parsed = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(parsed in network for network in self.trusted_proxies)

    def _limiter_for_endpoint(self, endpoint: str | None) -> tuple[RateLimiter, int] | None:
        key = endpoint or "<unmatched>"
        if key in self._limiters:
            return self._limiters[key]

        view = current_app.view_functions.get(endpoint) if endpoint else None
        route_limit = getattr(view, _ROUTE_ATTRIBUTE, None)
        if route_limit == _EXEMPT:
            entry = None
        elif isinstance(route_limit, RouteLimit):
            limiter = RateLimiter(
                route_limit.max_requests,
                route_limit.window,
                algorithm=route_limit.algorithm or self.algorithm,
                storage=self.storage,
                namespace=route_limit.name or key,
            )
            entry = (limiter, route_limit.cost)
        elif self.default_limit is not None:
            limiter = RateLimiter(
                *self.default_limit, algorithm=self.algorithm, storage=self.storage, namespace="default"
            )
            entry = (limiter, 1)
        else:
            entry = None
        self._limiters[key] = entry
        return entry

    def _check_request(self) -> Response | None:
        entry = self._limiter_for_endpoint(request.endpoint)
        if entry is None:
            return None
        limiter, cost = entry
        client = self.client_id()

        try:
            decision = limiter.hit(client, cost)
        except StorageUnavailable as error:
            return self._on_storage_error(error, limiter)

        g.mismatch_rate_limit = (limiter, decision)
        if decision.allowed:
            return None
        # DEBUG, not INFO: a client over its limit would otherwise log at request rate.
        logger.debug(
            "rate limit %s exceeded by %s on %s; retry after %.3f s",
            limiter.namespace, client, request.path, decision.retry_after,
        )
        response = jsonify(
            error="too_many_requests",
            message=f"rate limit of {limiter.max_requests} requests per {limiter.window:g} s exceeded",
            limit=limiter.max_requests,
            window=limiter.window,
            retry_after=whole_seconds(decision.retry_after, minimum=1),
        )
        response.status_code = 429
        return response

    def _on_storage_error(self, error: StorageUnavailable, limiter: RateLimiter) -> Response | None:
        if self.fail_open:
            self.outage_log.log(
                logging.WARNING, "rate limit %s not enforced, admitting %s: %s",
                limiter.namespace, request.path, error,
            )
            return None
        self.outage_log.log(
            logging.ERROR, "rate limit %s storage unavailable, rejecting %s with 503: %s",
            limiter.namespace, request.path, error,
        )
        response = jsonify(error="rate_limiter_unavailable", message="rate limiter storage is unavailable")
        response.status_code = 503
        response.headers["Retry-After"] = "1"
        return response

    def _add_headers(self, response: Response) -> Response:
        entry: tuple[RateLimiter, Decision] | None = g.pop("mismatch_rate_limit", None)
        if entry is None:
            return response
        limiter, decision = entry
        set_rate_limit_headers(response.headers, limiter, decision)
        return response


def set_rate_limit_headers(headers: Any, limiter: RateLimiter, decision: Decision) -> None:
    """Set the rate-limit headers of ``decision`` on a response's ``headers``."""
    policy = limiter.namespace.replace("\\", "\\\\").replace('"', '\\"')
    window = whole_seconds(limiter.window, minimum=1)
    reset = whole_seconds(decision.reset_after)
    headers["RateLimit-Policy"] = f'"{policy}";q={decision.limit};w={window}'
    headers["RateLimit"] = f'"{policy}";r={decision.remaining};t={reset}'
    headers["X-RateLimit-Limit"] = str(decision.limit)
    headers["X-RateLimit-Remaining"] = str(decision.remaining)
    headers["X-RateLimit-Reset"] = str(reset)
    if not decision.allowed and math.isfinite(decision.retry_after):
        headers["Retry-After"] = str(whole_seconds(decision.retry_after, minimum=1))


def _parse_network(value: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    try:
        return ipaddress.ip_network(value, strict=False)
    except ValueError:
        raise ValueError(
            f"invalid trusted proxy {value!r}; pass an IP address or a CIDR network such as 10.0.0.0/8"
        ) from None
