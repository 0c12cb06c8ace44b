"""`make bench`: run every benchmark and print its figures."""

from __future__ import annotations

import sys

from bench import intake, load


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    only = [a for a in argv if not a.startswith("--")]
    if not only or "intake" in only:
        print(intake.run(quick=quick), flush=True)
    if not only or "load" in only:
        print(load.run(quick=quick), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
