"""`python -m bench` (make bench): run every bench/bench_*.py module's main() in turn.

The SQLite database is migrated once, here, and each child copies it (`migrated_sqlite`)
instead of running every migration again: seconds of CPU per child that no figure measures."""

from __future__ import annotations

import importlib
import os
import tempfile
import time
from pathlib import Path

from bench.common import RESULTS, SQLITE_TEMPLATE, migrated_sqlite


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="ptm-bench-template-") as directory:
        if not os.environ.get(SQLITE_TEMPLATE):
            started = time.monotonic()
            os.environ.update(migrated_sqlite(Path(directory) / "template.sqlite3"))
            print(f"  (migrated the template database: {time.monotonic() - started:.0f} s)")
        for path in sorted(Path(__file__).parent.glob("bench_*.py")):
            started = time.monotonic()
            module = importlib.import_module(f"bench.{path.stem}")
            module.main()
            print(f"  ({path.stem}: {time.monotonic() - started:.0f} s)")
    print(f"\nFigures merged into {RESULTS}")


if __name__ == "__main__":
    main()
