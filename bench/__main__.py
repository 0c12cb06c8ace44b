"""`make bench`: run every benchmark and print its figures."""

from __future__ import annotations

import sys

from bench import intake, load
from bench import statistics as statistics_bench


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    only = [a for a in argv if not a.startswith("--")]
    if quick and not any(a.startswith("--sizes=") for a in argv):
        argv = [*argv, "--sizes=10000,100000"]
    if not only or "intake" in only:
        print(intake.run(quick=quick), flush=True)
    if not only or "load" in only:
        print(load.run(quick=quick), flush=True)
    if not only or "statistics" in only:
        print(statistics_bench.main(argv), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
