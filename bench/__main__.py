"""`make bench`: run every benchmark module in bench/ (each has a `main()`), one after another.

Each benchmark sets up its own throw-away database, so none touches var/harambee.sqlite3.
"""

import importlib
import pkgutil
import subprocess
import sys
from pathlib import Path


def main() -> int:
    here = Path(__file__).parent
    names = sorted(m.name for m in pkgutil.iter_modules([str(here)]) if m.name.endswith("_bench"))
    if len(sys.argv) > 1:
        names = [n for n in names if any(arg in n for arg in sys.argv[1:])]
    failed = 0
    for name in names:
        print(f"\n=== {name} ===", flush=True)
        # A process per benchmark: each configures Django with its own database.
        result = subprocess.run([sys.executable, "-m", f"bench.{name}"], cwd=here.parent)
        failed += result.returncode != 0
    importlib.invalidate_caches()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
