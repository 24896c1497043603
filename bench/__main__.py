"""`python -m bench` (make bench): run every bench/bench_*.py module's main() in turn."""

from __future__ import annotations

import importlib
import time
from pathlib import Path

from bench.common import RESULTS


def main() -> None:
    for path in sorted(Path(__file__).parent.glob("bench_*.py")):
        started = time.monotonic()
        module = importlib.import_module(f"bench.{path.stem}")
        module.main()
        print(f"  ({path.stem}: {time.monotonic() - started:.0f} s)")
    print(f"\nFigures merged into {RESULTS}")


if __name__ == "__main__":
    main()
