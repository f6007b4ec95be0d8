"""Cache keys: content versions and argument-value keys; the memoizing decorator."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import subprocess
import sys

import pytest

from mismatch_core.cache import CacheService, argument_key, content_version, memoize
from mismatch_core.cache.keys import encode_value
from mismatch_core.model import Job, Resume


def test_content_version_stable_and_sensitive():
    resume = Resume(id=1, title="Analyst", text="SQL", skills=("sql",))
    assert content_version(resume) == content_version(Resume(1, "Analyst", "SQL", ("sql",)))
    assert content_version(resume) != content_version(dataclasses.replace(resume, text="SQL."))
    assert content_version(resume) != content_version(dataclasses.replace(resume, skills=()))


def test_content_version_same_in_new_process():
    code = (
        "from mismatch_core.cache import content_version;"
        "from mismatch_core.model import Job;"
        "print(content_version(Job(3, 'QA', skills=('selenium',))))"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert output == content_version(Job(3, "QA", skills=("selenium",)))


def test_content_version_rejects_non_dataclass():
    with pytest.raises(TypeError, match="dataclass instance"):
        content_version({"id": 1})


def test_encoding_keeps_number_types():
    keys = {argument_key("f", {"x": value}) for value in (1, 1.0, True, "1", None, 0, False)}
    assert len(keys) == 7


def test_encoding_distinguishes_containers():
    values = ([1, 2], (1, 2), {1, 2}, frozenset({1, 2}), {"1": 2})
    assert len({argument_key("f", {"x": value}) for value in values}) == len(values)


def test_encoding_order_independent_for_sets_and_dicts():
    assert encode_value({"b": 1, "a": 2}) == encode_value({"a": 2, "b": 1})
    assert encode_value({3, 1, 2}) == encode_value({2, 3, 1})


def test_encoding_dates_and_negative_zero():
    assert encode_value(0.0) != encode_value(-0.0)
    assert encode_value(dt.date(2024, 1, 2)) != encode_value(dt.datetime(2024, 1, 2))


def test_encoding_rejects_plain_objects():
    with pytest.raises(TypeError, match="cannot build a cache key from a value of type object"):
        encode_value(object())


def test_memoize_positional_and_keyword_share_key():
    service = CacheService()
    calls = []

    @memoize(service)
    def top(resume_id: int, k: int = 10) -> list[int]:
        calls.append((resume_id, k))
        return list(range(k))

    top(1)
    top(1, 10)
    top(resume_id=1, k=10)
    top(k=10, resume_id=1)
    assert calls == [(1, 10)]
    assert top.cache_key(1) == top.cache_key(resume_id=1, k=10)


def test_memoize_one_float_true_distinct():
    service = CacheService()
    calls = []

    @memoize(service)
    def identity(value):
        calls.append(value)
        return value

    assert identity(1) == 1
    assert identity(1.0) == 1.0
    assert isinstance(identity(1.0), float)
    assert identity(True) is True
    assert len(calls) == 3


def test_memoize_namespaces_apart():
    service = CacheService()

    @memoize(service)
    def double(x: int) -> int:
        return 2 * x

    @memoize(service)
    def triple(x: int) -> int:
        return 3 * x

    assert double(5) == 10
    assert triple(5) == 15
    assert double.cache_key(5) != triple.cache_key(5)


def test_memoize_explicit_namespace_shared():
    service = CacheService()

    @memoize(service, namespace="score")
    def first(x: int) -> int:
        return 1

    @memoize(service, namespace="score")
    def second(x: int) -> int:
        return 2

    assert first(0) == 1
    assert second(0) == 1  # same namespace, same arguments: one entry


def test_memoize_ignore_self():
    service = CacheService()

    class Scorer:
        calls = 0

        @memoize(service, ignore=("self",))
        def score(self, resume_id: int) -> int:
            Scorer.calls += 1
            return resume_id * 2

    assert Scorer().score(3) == 6
    assert Scorer().score(3) == 6
    assert Scorer.calls == 1


def test_memoize_unknown_ignore_rejected():
    with pytest.raises(ValueError, match="not parameters"):
        memoize(CacheService(), ignore=("nope",))(lambda x: x)


def test_memoize_invalid_ttl_rejected():
    with pytest.raises(ValueError, match="ttl must be above 0"):
        memoize(CacheService(), ttl=0)


def test_memoize_unhashable_object_rejected():
    @memoize(CacheService())
    def echo(value):
        return value

    with pytest.raises(TypeError, match="cannot build a cache key"):
        echo(object())


def test_memoize_ttl_expires():
    now = [0.0]
    service = CacheService(clock=lambda: now[0])
    calls = []

    @memoize(service, ttl=5)
    def value(x: int) -> int:
        calls.append(x)
        return x

    value(1)
    now[0] = 4.9
    value(1)
    now[0] = 5.0
    value(1)
    assert calls == [1, 1]


def test_memoize_async():
    service = CacheService()
    calls = []

    @memoize(service)
    async def fetch(resume_id: int, k: int = 10) -> list[int]:
        calls.append(resume_id)
        await asyncio.sleep(0.01)
        return [resume_id] * k

    async def main():
        return await asyncio.gather(*(fetch(2, k=3) for _ in range(20)), fetch(2, 3))

    results = asyncio.run(main())
    assert calls == [2]
    assert all(result == [2, 2, 2] for result in results)
    assert asyncio.run(fetch(resume_id=2, k=3)) == [2, 2, 2]
    assert calls == [2]
