"""Rate-limit algorithms: sliding-window log, sliding-window counter and GCRA.

Each algorithm stores the limit (``limit`` requests per ``window`` seconds) and the math.
It keeps no clients: a storage owns one state object per client and passes it in with
the current time. ``MemoryStorage`` runs ``decide`` in this process, and
``RedisStorage`` runs the Lua script named by ``script`` with ``script_args``, which
implements the same math on the Redis server.
"""

from __future__ import annotations

import math
from array import array
from bisect import bisect_right
from collections.abc import Callable
from typing import Any, ClassVar

from mismatch_core.ratelimit.decision import Decision, reject_oversized
from mismatch_core.ratelimit.validation import check_limit

# Builds a Decision from a tuple in C, at about half the cost of calling the class.
_new = tuple.__new__

# Float slack for comparisons of sums of emission intervals (seconds).
_EPSILON = 1e-9

DecideFunction = Callable[[Any, float, int], Decision]


class Algorithm:
    """Base of the algorithms: the limit, the state factory and the decision.

    ``decide`` is built once per instance by ``_build_decide`` as a closure over the
    limit and window, because it runs on every request.
    """

    name: ClassVar[str] = ""
    script: ClassVar[str] = ""

    #: Seconds after a client's last request when its state equals a fresh one, as a
    #: multiple of the window.
    idle_windows: ClassVar[float] = 1.0

    def __init__(self, limit: int, window: float) -> None:
        self.limit, self.window = check_limit(limit, window)
        self.idle_timeout = self.idle_windows * self.window
        self.decide: DecideFunction = self._build_decide()

    def new_state(self) -> Any:
        """Return the state of a client that has made no request."""
        raise NotImplementedError

    def decide(self, state: Any, now: float, cost: int) -> Decision:  # replaced in __init__
        """Decide one request of ``cost`` at ``now`` (monotonic seconds), updating ``state``.

        ``cost`` must be a positive integer; a cost above ``limit`` is rejected with
        ``retry_after=math.inf`` and leaves ``state`` unchanged.
        """
        return self._build_decide()(state, now, cost)

    def _build_decide(self) -> DecideFunction:
        raise NotImplementedError

    def script_args(self, cost: int) -> list[str]:
        """Return the ARGV of this algorithm's Lua script for one request of ``cost``."""
        return [str(self.limit), repr(self.window), str(cost)]

    def __repr__(self) -> str:
        return f"{type(self).__name__}(limit={self.limit}, window={self.window:g})"


class _LogState:
    __slots__ = ("expires_at", "head", "times")

    def __init__(self) -> None:
        # A C array of doubles: 8 bytes per entry, where a list of floats needs 32.
        self.times = array("d")
        self.head = 0
        self.expires_at = 0.0


class SlidingWindowLog(Algorithm):
    """Exact sliding window: a request is admitted if fewer than ``limit`` earlier
    requests fall in the last ``window`` seconds.

    The log is a sorted array of admission times with a moving head index. Expired
    entries are found with a binary search, O(log n), and the array is compacted once
    the head passes ``limit``, so it never contains more than ``2 * limit + cost`` entries.
    """

    name = "sliding_log"
    script = "sliding_log"

    def new_state(self) -> _LogState:
        return _LogState()

    def _build_decide(self) -> DecideFunction:
        limit, window = self.limit, self.window

        def decide(state: _LogState, now: float, cost: int) -> Decision:
            if cost > limit:
                return reject_oversized(limit, cost)

            times = state.times
            head = state.head
            size = len(times)
            horizon = now - window
            if head < size and times[head] <= horizon:
                # Only search when the oldest live entry has expired.
                head = bisect_right(times, horizon, head + 1)
            count = size - head

            if count + cost <= limit:
                if head > limit:
                    del times[:head]
                    head = 0
                if cost == 1:
                    times.append(now)
                else:
                    times.extend([now] * cost)
                state.head = head
                return _new(Decision, (True, limit, limit - count - cost, window, 0.0))

            state.head = head
            # The request fits once the (count + cost - limit) oldest entries have expired.
            unblocking = times[head + count + cost - limit - 1]
            reset_after = times[-1] + window - now
            return _new(Decision, (False, limit, limit - count, reset_after, unblocking + window - now))

        return decide


class _CounterState:
    __slots__ = ("current", "expires_at", "previous", "start")

    def __init__(self) -> None:
        self.start = -math.inf
        self.previous = 0
        self.current = 0
        self.expires_at = 0.0


class SlidingWindowCounter(Algorithm):
    """Approximate sliding window from two fixed-window counters.

    Fixed windows start at multiples of ``window`` on the clock. The count of the
    previous window is weighted by the share of it that the sliding window still covers.
    Memory is three numbers per client. The estimate assumes the previous window's
    requests were spread evenly. A burst at the end of one window can therefore be
    under-counted, by at most that window's count.
    """

    name = "sliding_counter"
    script = "sliding_counter"
    idle_windows = 2.0

    def new_state(self) -> _CounterState:
        return _CounterState()

    def _build_decide(self) -> DecideFunction:
        limit, window = self.limit, self.window
        slack_limit = limit + _EPSILON

        def decide(state: _CounterState, now: float, cost: int) -> Decision:
            if cost > limit:
                return reject_oversized(limit, cost)

            start = state.start
            elapsed = now - start
            if elapsed >= window:
                new_start = (now // window) * window
                # The old current window is the new previous one only if they touch.
                state.previous = state.current if new_start - start < 1.5 * window else 0
                state.current = 0
                state.start = start = new_start
                elapsed = now - start
            previous = state.previous
            current = state.current
            used = previous * (1.0 - elapsed / window) + current if previous else current

            if used + cost <= slack_limit:
                state.current = current + cost
                # This window's requests weigh until the end of the next window.
                reset_after = 2 * window - elapsed
                return _new(Decision, (True, limit, int(slack_limit - used - cost), reset_after, 0.0))

            if current + cost <= limit:
                # Fits within this window once the previous window's weight has decayed.
                # Here previous > 0, because otherwise the request would have been admitted.
                retry_after = window * (1.0 - (limit - current - cost) / previous) - elapsed
            else:
                # Fits in the next window, where this window's count is the decaying one.
                # Here current + cost > limit, so fits_at is positive.
                fits_at = window * (1.0 - (limit - cost) / current)
                retry_after = window - elapsed + fits_at
            reset_after = 2 * window - elapsed if current else window - elapsed
            remaining = int(slack_limit - used)
            if remaining < 0:  # noqa: PLR1730 - no call on the hot path
                remaining = 0
            return _new(Decision, (False, limit, remaining, reset_after, retry_after))

        return decide


class _GcraState:
    __slots__ = ("expires_at", "tat")

    def __init__(self) -> None:
        self.tat = -math.inf
        self.expires_at = 0.0


class GCRA(Algorithm):
    """Generic cell rate algorithm, the token bucket written as one timestamp.

    NOTE: GCRA as in ITU-T I.371 (virtual scheduling form): each request moves the
    theoretical arrival time (TAT) by ``cost * window / limit``, and a request is
    admitted if the new TAT is at most ``window`` ahead of now. A full bucket contains
    ``limit`` requests and refills at ``limit / window`` per second, so a burst of
    ``limit`` followed by steady traffic admits up to ``2 * limit - 1`` requests in one
    window.
    """

    name = "gcra"
    script = "gcra"

    def new_state(self) -> _GcraState:
        return _GcraState()

    def _build_decide(self) -> DecideFunction:
        limit, window = self.limit, self.window
        interval = window / limit

        def decide(state: _GcraState, now: float, cost: int) -> Decision:
            if cost > limit:
                return reject_oversized(limit, cost)

            tat = state.tat if state.tat > now else now  # noqa: FURB136 - no call on the hot path
            new_tat = tat + cost * interval
            allow_at = new_tat - window

            if allow_at <= now + _EPSILON:
                state.tat = new_tat
                remaining = int((window - (new_tat - now)) / interval + _EPSILON)
                return _new(Decision, (True, limit, remaining, new_tat - now, 0.0))

            remaining = int((window - (tat - now)) / interval + _EPSILON)
            return _new(Decision, (False, limit, remaining, tat - now, allow_at - now))

        return decide


ALGORITHMS: dict[str, type[Algorithm]] = {
    cls.name: cls for cls in (SlidingWindowLog, SlidingWindowCounter, GCRA)
}


def make_algorithm(name: str, limit: int, window: float) -> Algorithm:
    """Return the algorithm called ``name`` (see ``ALGORITHMS``) for the given limit."""
    try:
        cls = ALGORITHMS[name]
    except KeyError:
        raise ValueError(
            f"unknown rate-limit algorithm {name!r}; use one of {', '.join(ALGORITHMS)}"
        ) from None
    return cls(limit, window)
