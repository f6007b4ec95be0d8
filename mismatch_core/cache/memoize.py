"""``memoize``: cache a sync or async function's results in a ``CacheService``."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from mismatch_core.cache.backends.memory import check_ttl
from mismatch_core.cache.keys import argument_key, bind_arguments, function_namespace
from mismatch_core.cache.service import DEFAULT_TTL, CacheService

F = TypeVar("F", bound=Callable[..., Any])


def memoize(
    service: CacheService,
    *,
    ttl: float | None = DEFAULT_TTL,
    namespace: str | None = None,
    ignore: Iterable[str] = (),
) -> Callable[[F], F]:
    """Cache the decorated function's results in ``service``, keyed by argument values.

    Arguments are bound to parameter names with defaults applied, so positional and
    keyword forms of one call share a key, and each value is encoded with its type, so
    ``1``, ``1.0`` and ``True`` get different keys. A value that has no such encoding
    raises ``TypeError`` instead of falling back to ``id()`` or ``repr``. List such a
    parameter in ``ignore`` (``self``, a connection) when it does not change the result. ``namespace``
    defaults to the function's module and qualified name, so functions can share a
    backend. Concurrent calls with the same arguments run the function once. The
    wrapper's ``cache_key(*args, **kwargs)`` returns the key of a call.
    """
    ignored = tuple(ignore)
    if ttl is not DEFAULT_TTL:
        check_ttl(ttl)

    def decorate(function: F) -> F:
        signature = inspect.signature(function)
        unknown = set(ignored) - set(signature.parameters)
        if unknown:
            raise ValueError(
                f"ignore names {sorted(unknown)} that are not parameters of "
                f"{function.__qualname__}; its parameters are {list(signature.parameters)}"
            )
        prefix = f"memo:{namespace or function_namespace(function)}"

        def cache_key(*args: Any, **kwargs: Any) -> str:
            return argument_key(prefix, bind_arguments(signature, args, kwargs, ignored))

        if inspect.iscoroutinefunction(function):

            @functools.wraps(function)
            async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
                key = cache_key(*args, **kwargs)
                return await service.aget_or_compute(key, lambda: function(*args, **kwargs), ttl)

            async_wrapper.cache_key = cache_key  # type: ignore[attr-defined]
            return async_wrapper  # type: ignore[return-value]

        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            key = cache_key(*args, **kwargs)
            return service.get_or_compute(key, lambda: function(*args, **kwargs), ttl)

        wrapper.cache_key = cache_key  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate
