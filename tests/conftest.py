"""Shared fixtures: a small skill vocabulary and the real data folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Notebooks collected by nbval read the scale from the environment; tests run them small.
os.environ.setdefault("MISMATCH_SCALE", "small")

from mismatch_core.paths import shared_data_dir  # noqa: E402


@pytest.fixture(scope="session")
def real_data_dir() -> Path:
    """Return the real data folder, or skip when this machine does not have it."""
    directory = shared_data_dir()
    if directory is None:
        pytest.skip("no real data: ../shared/data is absent and MISMATCH_DATA_DIR is unset")
    return directory
