"""Async batch processing: bounded batches, micro-batching and a Dask path.

``AsyncProcessor`` and ``MicroBatcher`` import only the standard library and tqdm;
the Dask path lives in ``mismatch_core.batching.distributed`` and imports
``distributed`` when it is called.
"""

from mismatch_core.batching.microbatch import (
    BatcherClosed,
    BatcherStats,
    MicroBatcher,
    ResultCountError,
)
from mismatch_core.batching.processor import DEFAULT_MAX_CONCURRENCY, AsyncProcessor, BatchError

__all__ = [
    "DEFAULT_MAX_CONCURRENCY",
    "AsyncProcessor",
    "BatchError",
    "BatcherClosed",
    "BatcherStats",
    "MicroBatcher",
    "ResultCountError",
]
