"""`make bench`: run every benchmark and print its figures."""

from __future__ import annotations

import sys

from bench import intake


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    print(intake.run(quick=quick))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
