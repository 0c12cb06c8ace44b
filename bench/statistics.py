"""Dashboard figures against the size of the history (make bench BENCH_ARGS="statistics").

Synthetic triaged incidents (10^4 ... 10^7, spread over ten years) are bulk-inserted with the raw driver,
the rollup is rebuilt, and then measured in the same run: the first read of a year (deciding and storing
its suppressed snapshot), p50/p95 of one dashboard figure (district x incident type for a year, staff),
and p50/p95 of the app's trivial template page (/anmelden, in-process). Targets: the figure at the
largest size costs <= 2x the figure at the smallest, and <= 10x the trivial page.
Options: --sizes=10000,100000 --databases=sqlite,postgresql --rounds=200
"""

from __future__ import annotations

import os
import random
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bench.intake import PG_URL, _percentile
from core.db import make_engine
from core.migrate import upgrade
from reporting import taxonomy as tx

SIZES = (10_000, 100_000, 1_000_000, 10_000_000)
YEARS = range(2016, 2026)
TODAY = date(2026, 6, 1)
DISTRICTS = [f"bezirk_{n}" for n in range(8)]
COLUMNS = ("id", "taxonomy_version", "received_on", "channel", "reporter_role", "incident_date", "date_precision",
           "district", "place_type", "life_area", "online", "primary_type", "primary_motive", "affected_count",
           "perpetrator_type", "police_report", "centre_id", "state", "verification", "wants_contact",
           "key_for_centre")


def _fresh_database(kind: str, directory: Path) -> Engine:
    if kind == "sqlite":
        return make_engine(f"sqlite:///{directory}/stats.sqlite3")
    import psycopg
    with psycopg.connect(PG_URL, autocommit=True) as admin:
        admin.execute("DROP DATABASE IF EXISTS vorort_bench_stats WITH (FORCE)")
        admin.execute("CREATE DATABASE vorort_bench_stats")
    return make_engine(PG_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://") +
                       "/vorort_bench_stats")


def _rows(count: int, centre_id: int, seed: int) -> tuple[list[tuple[Any, ...]], list[tuple[str, str, str]]]:
    rng = random.Random(seed)  # nosec B311  (synthetic data)
    start = date(YEARS[0], 1, 1)
    span = (date(YEARS[-1], 12, 31) - start).days
    incidents, codes = [], []
    for n in range(count):
        incident_id = f"b{seed:04d}{n:08d}"
        day = start + timedelta(days=rng.randrange(span))
        kind = rng.choice(tx.INCIDENT_TYPE.codes)
        motive = rng.choice(tx.MOTIVE.codes)
        incidents.append((incident_id, tx.TAXONOMY_VERSION, day.isoformat(), rng.choice(tx.CHANNEL.codes),
                          rng.choice(tx.REPORTER_ROLE.codes), day.isoformat(), "day", rng.choice(DISTRICTS),
                          rng.choice(tx.PLACE_TYPE.codes), rng.choice(tx.LIFE_AREA.codes), rng.random() < 0.1, kind,
                          motive, rng.randint(1, 3), rng.choice(tx.PERPETRATOR_TYPE.codes),
                          rng.choice(tx.POLICE_REPORT.codes), centre_id, "accepted",
                          "verified" if rng.random() < 0.6 else "plausible", False, b""))
        codes.append((incident_id, "incident_types", kind))
        codes.append((incident_id, "motives", motive))
        if rng.random() < 0.2 and kind != "insult_verbal_abuse":
            codes.append((incident_id, "incident_types", "insult_verbal_abuse"))
    return incidents, codes


def load(engine: Engine, count: int) -> int:
    """Bulk-insert `count` triaged incidents; returns the centre's organisation id."""
    from core.accounts import create_organisation
    from core.actors import SYSTEM, OrganisationKind
    from core.clock import utcnow
    from reporting.models import District
    with Session(engine) as session:
        centre = create_organisation(session, SYSTEM, name="Bench centre", kind=OrganisationKind.COUNSELLING_CENTRE,
                                     now=utcnow())
        for position, code in enumerate(DISTRICTS):
            session.add(District(code=code, name=code, position=position))
        session.commit()
        assert centre.id is not None
        centre_id = centre.id
    raw: Any = engine.raw_connection()
    try:
        cursor = raw.cursor()
        chunk = 200_000
        for seed, offset in enumerate(range(0, count, chunk)):
            incidents, codes = _rows(min(chunk, count - offset), centre_id, seed)
            if engine.dialect.name == "postgresql":
                with cursor.copy(f"COPY incident ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                    for row in incidents:
                        copy.write_row(row)
                with cursor.copy("COPY incident_code (incident_id, field, code) FROM STDIN") as copy:
                    for row in codes:
                        copy.write_row(row)
            else:
                marks = ", ".join("?" for _ in COLUMNS)
                cursor.executemany(f"INSERT INTO incident ({', '.join(COLUMNS)}) VALUES ({marks})", incidents)
                cursor.executemany("INSERT INTO incident_code (incident_id, field, code) VALUES (?, ?, ?)", codes)
            raw.commit()
    finally:
        raw.close()
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    return centre_id


def _timed(function: Any, rounds: int) -> list[float]:
    timings = []
    for _ in range(rounds):
        started = time.perf_counter()
        function()
        timings.append(time.perf_counter() - started)
    return timings


def measure(kind: str, count: int, rounds: int) -> dict[str, float]:
    from litestar.testing import TestClient

    from reporting.statistics import Audience, Disclosure, Period, breakdown, rebuild_rollup
    from web.app import create_app
    from web.settings import Settings
    directory = Path(tempfile.mkdtemp(prefix="vorort-bench-stats-", dir=os.environ.get("VORORT_BENCH_DIR")))
    engine = _fresh_database(kind, directory)
    upgrade(engine)
    started = time.perf_counter()
    load(engine, count)
    loaded = time.perf_counter() - started
    started = time.perf_counter()
    with Session(engine) as session:
        rollup_rows = rebuild_rollup(session)
        session.commit()
    rebuilt = time.perf_counter() - started
    disclosure = Disclosure(k=5, public_k=10, delay_days=14)
    year = Period.parse("2025")

    def figure() -> None:
        with Session(engine) as session:
            result = breakdown(session, disclosure, Audience.STAFF, year, "district", "incident_type", today=TODAY)
            assert result.total.count is not None
            session.commit()  # keeps a snapshot decided by this read

    started = time.perf_counter()
    figure()  # the first read decides the year's suppressed snapshot
    snapshot = time.perf_counter() - started
    figure_times = _timed(figure, rounds)
    settings = Settings(database_url=str(engine.url.render_as_string(hide_password=False)),
                        secret_key_file=directory / "secret.key")
    with TestClient(create_app(settings, engine=engine)) as client:
        assert client.get("/anmelden").status_code == 200
        page_times = _timed(lambda: client.get("/anmelden"), rounds)
    engine.dispose()
    if kind == "sqlite":
        for path in directory.glob("stats.sqlite3*"):
            path.unlink()
    return {"load_s": loaded, "rebuild_s": rebuilt, "rollup_rows": rollup_rows, "snapshot_s": snapshot,
            "figure_p50": statistics.median(figure_times), "figure_p95": _percentile(figure_times, 0.95),
            "page_p50": statistics.median(page_times), "page_p95": _percentile(page_times, 0.95)}


def run(*, sizes: tuple[int, ...] = SIZES, databases: tuple[str, ...] = ("sqlite", "postgresql"),
        rounds: int = 200) -> str:
    lines = ["statistics: one dashboard figure (district x incident type, staff, 2025) from the rollup",
             f"{'db':<11}{'incidents':>11}{'load s':>9}{'rollup s':>9}{'snapshot s':>11}"
             f"{'fig p50 ms':>11}{'fig p95 ms':>11}{'page p50 ms':>12}{'page p95 ms':>12}"]
    results: dict[tuple[str, int], dict[str, float]] = {}
    for kind in databases:
        for count in sizes:
            r = measure(kind, count, rounds)
            results[(kind, count)] = r
            lines.append(f"{kind:<11}{count:>11}{r['load_s']:>9.1f}{r['rebuild_s']:>9.1f}{r['snapshot_s']:>11.2f}"
                         f"{r['figure_p50'] * 1e3:>11.2f}{r['figure_p95'] * 1e3:>11.2f}"
                         f"{r['page_p50'] * 1e3:>12.2f}{r['page_p95'] * 1e3:>12.2f}")
            print(lines[-1], flush=True)
    for kind in databases:
        small, large = results[(kind, min(sizes))], results[(kind, max(sizes))]
        lines.append(f"{kind}: figure at {max(sizes)} / at {min(sizes)} (p50) = "
                     f"{large['figure_p50'] / small['figure_p50']:.2f} (target <= 2); figure / trivial page (p50) "
                     f"at {max(sizes)} = {large['figure_p50'] / large['page_p50']:.2f} (target <= 10)")
    return "\n".join(lines)


def main(argv: list[str]) -> str:
    options = dict(a[2:].split("=", 1) for a in argv if a.startswith("--") and "=" in a)
    sizes = tuple(int(float(s)) for s in options.get("sizes", ",".join(map(str, SIZES))).split(","))
    databases = tuple(options.get("databases", "sqlite,postgresql").split(","))
    return run(sizes=sizes, databases=databases, rounds=int(options.get("rounds", "200")))
