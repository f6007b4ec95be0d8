"""All-pairs top-k on a Dask cluster: broadcast the job index once, map résumé blocks.

The fitted ``VectorizedMatcher`` is scattered to every worker once
(``Client.scatter(..., broadcast=True)``), so each task ships only its block of
résumés and returns that block's top-k lists. Results come back in input order and
equal a single-process ``VectorizedMatcher.top_k_many`` over the same résumés.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator, Sequence

from mismatch_core.matching import MatchResult, VectorizedMatcher
from mismatch_core.model import Resume

logger = logging.getLogger(__name__)

DEFAULT_BLOCK_SIZE = 256
LOOPBACK = "127.0.0.1"


@contextlib.contextmanager
def dask_client(
    address: str | None = None,
    *,
    n_workers: int = 2,
    threads_per_worker: int = 1,
    processes: bool = False,
) -> Iterator[object]:
    """Yield a ``distributed.Client`` for ``address``, or for a new loopback ``LocalCluster``.

    A local cluster listens only on loopback and is shut down on exit.
    ``processes=False`` runs the workers as threads of this process, which start in
    about a second. ``processes=True`` gives each worker its own process: pure-Python
    work then runs in parallel, but the index is pickled to each worker.
    """
    from distributed import Client, LocalCluster

    if address is not None:
        logger.info("connecting to Dask scheduler at %s", address)
        with Client(address) as client:
            yield client
        return

    if n_workers < 1 or threads_per_worker < 1:
        raise ValueError(
            f"n_workers and threads_per_worker must be at least 1, "
            f"got {n_workers} and {threads_per_worker}"
        )
    # Thread workers talk over in-process queues (inproc://), so only worker processes
    # need a network address, and theirs is bound to loopback. The scheduler and each
    # worker start an HTTP server (health, metrics) even with the dashboard disabled
    # (distributed 2026.8), on the host's own address unless configured otherwise, so both
    # are pinned to a random loopback port.
    network = {"host": LOOPBACK} if processes else {}
    with (
        LocalCluster(
            n_workers=n_workers,
            threads_per_worker=threads_per_worker,
            processes=processes,
            dashboard_address=f"{LOOPBACK}:0",
            worker_dashboard_address=f"{LOOPBACK}:0",
            **network,
        ) as cluster,
        Client(cluster) as client,
    ):
        logger.info(
            "started local Dask cluster: %d worker(s), processes=%s, scheduler %s",
            n_workers,
            processes,
            cluster.scheduler_address,
        )
        yield client


def _top_k_block(
    matcher: VectorizedMatcher, resumes: list[Resume], k: int
) -> list[list[MatchResult]]:
    return matcher.top_k_many(resumes, k)


def distributed_top_k(
    matcher: VectorizedMatcher,
    resumes: Sequence[Resume],
    k: int = 10,
    *,
    client: object | None = None,
    address: str | None = None,
    block_size: int = DEFAULT_BLOCK_SIZE,
) -> list[list[MatchResult]]:
    """Return the top-``k`` jobs of every résumé, in input order, computed on Dask.

    Uses ``client`` when given, else connects to the scheduler at ``address``, else
    starts a ``LocalCluster`` for this call (see ``dask_client``). Each task scores
    ``block_size`` résumés against the whole index.
    """
    if matcher.corpus is None:
        raise ValueError("matcher is not fitted; call matcher.fit(jobs) before distributing it")
    if block_size < 1:
        raise ValueError(f"block_size must be at least 1, got {block_size}")
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    if client is None:
        with dask_client(address) as own_client:
            return distributed_top_k(matcher, resumes, k, client=own_client, block_size=block_size)

    resumes = list(resumes)
    if not resumes:
        return []
    blocks = [resumes[start : start + block_size] for start in range(0, len(resumes), block_size)]
    # hash=False gives this call its own key for the index: with content hashing, two
    # calls on one matcher share a key, and the first call's release can drop the
    # index from under the second.
    index = client.scatter(matcher, broadcast=True, hash=False)  # type: ignore[attr-defined]
    futures = client.map(  # type: ignore[attr-defined]
        _top_k_block, [index] * len(blocks), blocks, k=k, pure=False
    )
    try:
        ranked_blocks = client.gather(futures)  # type: ignore[attr-defined]
    finally:
        # Release the index and the results on the workers now rather than at garbage
        # collection. The scheduler removes them shortly after.
        client.cancel([*futures, index])  # type: ignore[attr-defined]
    logger.info("ranked %d résumés in %d block(s) on Dask", len(resumes), len(blocks))
    return [ranked for block in ranked_blocks for ranked in block]
