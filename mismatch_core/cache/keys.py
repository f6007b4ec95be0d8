"""Cache keys: content versions of résumés and jobs, and keys built from argument values.

A key never depends on ``id()`` or on a default ``repr``, so it is the same in every
process and changes whenever a value that the cached result depends on changes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import hashlib
import inspect
import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any

DIGEST_BYTES = 16


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=DIGEST_BYTES).hexdigest()


def encode_value(value: Any) -> Any:
    """Return a JSON-ready form of ``value`` that keeps its type, so ``1``, ``1.0`` and ``True`` differ.

    Supported: None, bool, int, float, str, bytes, tuple, list, dict, set, frozenset,
    enum members, dates and times, and dataclass instances made of these. Anything else
    raises ``TypeError``, because its only generic identity would be ``id()`` or ``repr``.
    """
    # bool first: it is a subclass of int.
    if value is None:
        return ["none"]
    if isinstance(value, bool):
        return ["bool", value]
    if isinstance(value, enum.Enum):
        return ["enum", type(value).__qualname__, encode_value(value.value)]
    if isinstance(value, int):
        return ["int", str(value)]
    if isinstance(value, float):
        # float.hex is exact and keeps -0.0 apart from 0.0.
        return ["float", value.hex()]
    if isinstance(value, str):
        return ["str", value]
    if isinstance(value, (bytes, bytearray)):
        return ["bytes", bytes(value).hex()]
    if isinstance(value, (tuple, list)):
        return [type(value).__name__, [encode_value(item) for item in value]]
    if isinstance(value, (set, frozenset)):
        items = sorted(json.dumps(encode_value(item)) for item in value)
        return [type(value).__name__, items]
    if isinstance(value, Mapping):
        pairs = sorted((json.dumps(encode_value(k)), encode_value(v)) for k, v in value.items())
        return ["dict", pairs]
    if isinstance(value, (dt.datetime, dt.date, dt.time, dt.timedelta)):
        return [type(value).__name__, str(value)]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: encode_value(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return ["dataclass", type(value).__qualname__, sorted(fields.items())]
    raise TypeError(
        f"cannot build a cache key from a value of type {type(value).__qualname__}; "
        "pass plain values (numbers, strings, tuples, dicts, dataclasses) "
        "or give the decorator a key function"
    )


def content_version(record: Any) -> str:
    """Return a stable hash of a dataclass's field values: BLAKE2b over canonical JSON.

    Two records with equal fields get the same version in any process; editing any field
    gives a new one.
    """
    if not dataclasses.is_dataclass(record) or isinstance(record, type):
        raise TypeError(
            f"content_version needs a dataclass instance such as Resume or Job, "
            f"got {type(record).__qualname__}"
        )
    return _digest(json.dumps(encode_value(record), separators=(",", ":")))


def bind_arguments(
    signature: inspect.Signature,
    args: tuple[Any, ...],
    kwargs: Mapping[str, Any],
    ignore: Iterable[str] = (),
) -> dict[str, Any]:
    """Return the call's arguments by parameter name, defaults filled in.

    ``f(1, b=2)``, ``f(a=1, b=2)`` and ``f(1, 2)`` bind to the same mapping, so they share
    one key.
    """
    bound = signature.bind(*args, **kwargs)
    bound.apply_defaults()
    skipped = set(ignore)
    return {name: value for name, value in bound.arguments.items() if name not in skipped}


def argument_key(namespace: str, arguments: Mapping[str, Any]) -> str:
    """Return ``namespace`` plus a hash of the encoded argument values."""
    payload = json.dumps(encode_value(dict(arguments)), separators=(",", ":"))
    return f"{namespace}:{_digest(payload)}"


def function_namespace(function: Callable[..., Any]) -> str:
    """Return the default namespace of a memoized function: its module and qualified name."""
    return f"{function.__module__}.{function.__qualname__}"
