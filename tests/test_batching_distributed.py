"""The Dask path: same top-k as one process, on a loopback LocalCluster.

Each test ranks the résumés in this process first. Besides giving the expected result,
that fills the stem cache, because thread workers stemming the same new word at once
can crash the shared Snowball stemmer.
"""

from __future__ import annotations

import time

import pytest

pytest.importorskip("distributed")

from mismatch_core import synthetic
from mismatch_core.batching.distributed import dask_client, distributed_top_k
from mismatch_core.matching import VectorizedMatcher


def count_tasks(dask_scheduler) -> int:
    return len(dask_scheduler.tasks)


@pytest.fixture(scope="module")
def workload():
    dataset = synthetic.generate(400, 50, seed=5, progress=False)
    jobs = synthetic.jobs_from_frame(dataset.jobs)
    resumes = synthetic.resumes_from_frame(dataset.resumes)
    return VectorizedMatcher().fit(jobs), resumes


@pytest.fixture(scope="module")
def client():
    with dask_client(n_workers=2, processes=False) as dask:
        yield dask


def test_equals_single_process(workload, client):
    matcher, resumes = workload
    expected = matcher.top_k_many(resumes, 7)
    assert distributed_top_k(matcher, resumes, 7, client=client, block_size=6) == expected


def test_block_size_larger_than_input(workload, client):
    matcher, resumes = workload
    expected = matcher.top_k_many(resumes[:3], 4)
    assert distributed_top_k(matcher, resumes[:3], 4, client=client, block_size=100) == expected


def test_empty_input(workload, client):
    matcher, _ = workload
    assert distributed_top_k(matcher, [], 5, client=client) == []


def test_index_released(workload, client):
    matcher, resumes = workload
    expected = matcher.top_k_many(resumes[:5], 3)
    assert distributed_top_k(matcher, resumes[:5], 3, client=client, block_size=2) == expected
    # The scheduler removes released keys asynchronously: poll, for a bounded time.
    deadline = time.monotonic() + 5.0
    while client.run_on_scheduler(count_tasks) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert client.run_on_scheduler(count_tasks) == 0


def test_own_local_cluster(workload):
    matcher, resumes = workload
    expected = matcher.top_k_many(resumes[:10], 5)
    assert distributed_top_k(matcher, resumes[:10], 5, block_size=4) == expected


def test_processes_by_address(workload):
    # Worker processes receive a pickled copy of the index; a second client reaches
    # the scheduler by its loopback TCP address.
    matcher, resumes = workload
    expected = matcher.top_k_many(resumes, 5)
    with dask_client(n_workers=2, processes=True) as dask:
        address = dask.scheduler.address
        assert address.startswith("tcp://127.0.0.1:")
        ranked = distributed_top_k(matcher, resumes, 5, address=address, block_size=9)
    assert ranked == expected


def test_unfitted_matcher_rejected(client):
    with pytest.raises(ValueError, match="not fitted"):
        distributed_top_k(VectorizedMatcher(), [], 5, client=client)


@pytest.mark.parametrize(
    ("options", "message"), [({"block_size": 0}, "block_size"), ({"k": 0}, "k must")]
)
def test_invalid_options(workload, client, options, message):
    matcher, resumes = workload
    with pytest.raises(ValueError, match=message):
        distributed_top_k(matcher, resumes, client=client, **options)
