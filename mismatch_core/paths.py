"""Locations of real input data and of generated data sets."""

from __future__ import annotations

import os
from pathlib import Path

DATA_DIR_ENV = "MISMATCH_DATA_DIR"


def repo_root() -> Path:
    """Return the checkout this package was installed from (editable installs) or the cwd."""
    candidate = Path(__file__).resolve().parent.parent
    if (candidate / "pyproject.toml").exists():
        return candidate
    return Path.cwd()


def shared_data_dir() -> Path | None:
    """Return the folder of real input files, or None when there is none.

    ``$MISMATCH_DATA_DIR`` wins. Otherwise ``../shared/data`` beside the checkout is used
    when it exists.
    """
    configured = os.environ.get(DATA_DIR_ENV)
    if configured:
        path = Path(configured).expanduser()
        if not path.is_dir():
            raise FileNotFoundError(
                f"{DATA_DIR_ENV}={configured!r} is not a directory; "
                "point it at the folder holding the real data files or unset it"
            )
        return path
    default = repo_root().parent / "shared" / "data"
    return default if default.is_dir() else None


def generated_data_dir() -> Path:
    """Return ``data/generated`` in the checkout, where synthetic data sets are written."""
    return repo_root() / "data" / "generated"
