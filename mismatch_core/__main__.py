"""Entry point for ``python -m mismatch_core``."""

import sys

from mismatch_core.cli import main

sys.exit(main())
