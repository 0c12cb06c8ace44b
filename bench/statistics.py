"""Dashboard figures against the size of the history (make bench BENCH_ARGS="statistics").

Synthetic triaged incidents (10^4 ... 10^7 over ten years, see `_chunk`) are bulk-loaded with the raw driver
(COPY on PostgreSQL; on SQLite without journal and fsync, for this bench database only), the rollup is
rebuilt, and then measured in the same run, in-process: the first read of a year (deciding and storing its
suppressed snapshot); p50/p95 of one dashboard figure (district x incident type for a year, staff); p50/p95
of the whole dashboard page (/statistik with that breakdown and the year's months, for a logged-in member of
the strategy group); p50/p95 of the app's trivial template page (/anmelden).
Targets: the figure at the largest size costs <= 2x the figure at the smallest, and <= 10x the trivial page.
Options: --sizes=10000,100000 --databases=sqlite,postgresql --rounds=200
"""

from __future__ import annotations

import logging
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
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
YEAR = 2025
DATABASE = "bench2_stats"  # our own PostgreSQL database, dropped after each size
DISTRICTS = [("altstadt", "Altstadt"), ("nordviertel", "Nordviertel"), ("hafen", "Hafen"), ("suedstadt", "Südstadt"),
             ("am-bahnhof", "Am Bahnhof"), ("weststadt", "Weststadt"), ("lindenhof", "Lindenhof"),
             ("ostend", "Ostend"), ("mitte", "Mitte"), ("neustadt", "Neustadt"), ("am-see", "Am See"),
             ("gewerbegebiet", "Gewerbegebiet")]
MEMBER_EMAIL = "strategie@bench.example.org"
# A throwaway account of the bench database, dropped with it.
MEMBER_PASSWORD = "bench password, not a secret"  # noqa: S105  # nosec B105
DASHBOARD = f"/statistik?year={YEAR}&rows=district&columns=incident_type&granularity=month"
COLUMNS = ("id", "taxonomy_version", "received_on", "channel", "reporter_role", "incident_date", "date_precision",
           "district", "place_type", "life_area", "online", "primary_type", "primary_motive", "affected_count",
           "perpetrator_type", "police_report", "centre_id", "state", "verification", "wants_contact",
           "key_for_centre")
CHUNK = 250_000


def _fresh_database(kind: str, directory: Path) -> Engine:
    if kind == "sqlite":
        return make_engine(f"sqlite:///{directory}/stats.sqlite3")
    import psycopg
    with psycopg.connect(PG_URL, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {DATABASE}")
    return make_engine(PG_URL.rsplit("/", 1)[0] + f"/{DATABASE}")


def _drop_database(kind: str, directory: Path) -> None:
    """The bench database (gigabytes at 10^7) and its directory with the secret key, gone after measuring."""
    shutil.rmtree(directory, ignore_errors=True)
    if kind == "sqlite":
        return
    import psycopg
    with psycopg.connect(PG_URL, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")


class _Picker:
    """Codes of a list drawn with Zipf-like weights (a few common, a long tail of rare ones), as in real
    registers; the order of commonness is shuffled once, so it is not the list's order."""

    def __init__(self, rng: np.random.Generator, codes: tuple[str, ...] | list[str], *, not_stated: float = 0.0
                 ) -> None:
        order = rng.permutation(len(codes))
        weights = 1.0 / (np.arange(len(codes)) + 1.0)
        self.codes = np.array([*(codes[i] for i in order), None], dtype=object)
        self.p = np.append(weights / weights.sum() * (1 - not_stated), not_stated)

    def indices(self, rng: np.random.Generator, count: int) -> np.ndarray:
        return rng.choice(len(self.codes), size=count, p=self.p)

    def draw(self, rng: np.random.Generator, count: int) -> list[Any]:
        return list(self.codes[self.indices(rng, count)])


def _pickers(rng: np.random.Generator) -> dict[str, _Picker]:
    return {"type": _Picker(rng, tx.INCIDENT_TYPE.codes), "motive": _Picker(rng, tx.MOTIVE.codes),
            "district": _Picker(rng, [c for c, _ in DISTRICTS], not_stated=0.08),
            "place_type": _Picker(rng, tx.PLACE_TYPE.codes, not_stated=0.05),
            "life_area": _Picker(rng, tx.LIFE_AREA.codes, not_stated=0.05),
            "perpetrator_type": _Picker(rng, tx.PERPETRATOR_TYPE.codes, not_stated=0.10),
            "police_report": _Picker(rng, tx.POLICE_REPORT.codes, not_stated=0.10),
            "channel": _Picker(rng, tx.CHANNEL.codes), "reporter_role": _Picker(rng, tx.REPORTER_ROLE.codes)}


_FIRST_DAY = date(YEARS[0], 1, 1)
_DAYS = [_FIRST_DAY + timedelta(days=n) for n in range((date(YEARS[-1], 12, 31) - _FIRST_DAY).days + 1)]
_ISO = np.array([d.isoformat() for d in _DAYS] + [(_DAYS[-1] + timedelta(days=n)).isoformat() for n in range(1, 61)],
                dtype=object)
# Reports grow as a service becomes known: the last year has about three times the first year's.
_YEAR_OF_DAY = np.array([d.year - YEARS[0] for d in _DAYS])
_DAY_WEIGHTS = (1.0 + 0.22 * _YEAR_OF_DAY) / (1.0 + 0.22 * _YEAR_OF_DAY).sum()
_VERIFICATIONS = np.array(["verified", "plausible", "not_verifiable", "spam", "duplicate"], dtype=object)
_VERIFICATION_P = [0.60, 0.28, 0.07, 0.03, 0.02]  # 88 % counted
_PERSONS = np.array([1, 2, 3, 4, 5, None], dtype=object)
_PERSONS_P = [0.70, 0.15, 0.05, 0.03, 0.02, 0.05]


def _chunk(rng: np.random.Generator, pickers: dict[str, _Picker], first: int, count: int, centre_id: int
           ) -> tuple[list[tuple[Any, ...]], list[tuple[str, str, str]]]:
    """`count` triaged incidents over ten years: every dimension from the real code lists (a few percent not
    stated), a quarter with a second type and some with a third, some with a second motive, 5 % without an
    incident date (they count on the day received), 12 % of them uncounted (not verifiable, spam, duplicates)."""
    ids = [f"b{n:011d}" for n in range(first, first + count)]
    day = rng.choice(len(_DAYS), size=count, p=_DAY_WEIGHTS)
    received = _ISO[day + rng.integers(0, 60, size=count)]
    happened: list[Any] = list(_ISO[day])
    for n in np.flatnonzero(rng.random(count) < 0.05).tolist():
        happened[n] = None
    types = pickers["type"].indices(rng, count)
    motives = pickers["motive"].indices(rng, count)
    type_codes, motive_codes = pickers["type"].codes, pickers["motive"].codes
    columns = {name: pickers[name].draw(rng, count) for name in
               ("district", "place_type", "life_area", "perpetrator_type", "police_report", "channel",
                "reporter_role")}
    online = (rng.random(count) < 0.12).tolist()
    verification = _VERIFICATIONS[rng.choice(len(_VERIFICATIONS), size=count, p=_VERIFICATION_P)]
    persons = _PERSONS[rng.choice(len(_PERSONS), size=count, p=_PERSONS_P)]
    precision = np.where(rng.random(count) < 0.9, "day", "month")
    incidents = list(zip(ids, [tx.TAXONOMY_VERSION] * count, received, columns["channel"], columns["reporter_role"],
                         happened, precision, columns["district"], columns["place_type"], columns["life_area"],
                         online, type_codes[types], motive_codes[motives], persons, columns["perpetrator_type"],
                         columns["police_report"], [centre_id] * count, ["accepted"] * count, verification,
                         [False] * count, [b""] * count, strict=True))
    codes = [(i, "incident_types", c) for i, c in zip(ids, type_codes[types], strict=True)]
    codes += [(i, "motives", c) for i, c in zip(ids, motive_codes[motives], strict=True)]
    extra = {"incident_types": (pickers["type"], types, 0.25, 0.05), "motives": (pickers["motive"], motives, 0.15, 0.0)}
    for field, (picker, primary, second, third) in extra.items():
        for share in (second, third):
            chosen = np.flatnonzero(rng.random(count) < share)
            other = picker.indices(rng, len(chosen))
            codes += [(ids[n], field, picker.codes[o]) for n, o in zip(chosen.tolist(), other.tolist(), strict=True)
                      if o != primary[n]]
    # The primary key (incident, field, code): a third code may repeat the second.
    return incidents, list(dict.fromkeys(codes))


def _setup(engine: Engine, settings: Any) -> int:
    """The receiving centre, the districts and a member of the strategy group; returns the centre's id."""
    from core.accounts import create_organisation, create_user
    from core.actors import SYSTEM, OrganisationKind, Role
    from core.clock import utcnow
    from core.crypto import Argon2Params, Crypto, load_or_create_secret_key
    from reporting.models import District
    crypto = Crypto(load_or_create_secret_key(settings.secret_key_file),
                    Argon2Params(settings.argon2_time_cost, settings.argon2_memory_kib, settings.argon2_parallelism))
    with Session(engine) as session:
        centre = create_organisation(session, SYSTEM, name="Bench centre", kind=OrganisationKind.COUNSELLING_CENTRE,
                                     now=utcnow())
        group = create_organisation(session, SYSTEM, name="Bench strategy group",
                                    kind=OrganisationKind.MIGRANT_ORGANISATION, now=utcnow())
        for position, (code, name) in enumerate(DISTRICTS):
            session.add(District(code=code, name=name, position=position))
        session.commit()
        assert centre.id is not None and group.id is not None
        create_user(session, crypto, organisation_id=group.id, email=MEMBER_EMAIL, display_name="Bench member",
                    password=MEMBER_PASSWORD, roles=frozenset({Role.STRATEGY_MEMBER}), now=utcnow())
        session.commit()
        return centre.id


def load(engine: Engine, count: int, centre_id: int) -> None:
    """Bulk-insert `count` triaged incidents and their codes."""
    rng = np.random.default_rng(2026)
    pickers = _pickers(rng)
    engine.dispose()  # SQLite changes its journal mode only with no other connection open
    raw: Any = engine.raw_connection()
    try:
        cursor = raw.cursor()
        if engine.dialect.name == "sqlite":
            # Only for loading the bench database: a crash would lose it, and it is thrown away anyway.
            cursor.execute("PRAGMA journal_mode=OFF")
            cursor.execute("PRAGMA synchronous=OFF")
            cursor.execute("PRAGMA cache_size=-1000000")
        else:
            cursor.execute("SET synchronous_commit = off")
        for offset in range(0, count, CHUNK):
            incidents, codes = _chunk(rng, pickers, offset, min(CHUNK, count - offset), centre_id)
            if engine.dialect.name == "postgresql":
                with cursor.copy(f"COPY incident ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                    for row in incidents:
                        copy.write_row(row)
                with cursor.copy("COPY incident_code (incident_id, field, code) FROM STDIN") as copy:
                    for code_row in codes:
                        copy.write_row(code_row)
            else:
                marks = ", ".join("?" for _ in COLUMNS)
                cursor.executemany(f"INSERT INTO incident ({', '.join(COLUMNS)}) VALUES ({marks})",  # nosec B608
                                   incidents)
                cursor.executemany("INSERT INTO incident_code (incident_id, field, code) VALUES (?, ?, ?)", codes)
            raw.commit()
        if engine.dialect.name == "sqlite":
            cursor.execute("PRAGMA journal_mode=WAL")  # back to what the app runs with
    finally:
        raw.close()
    engine.dispose()
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))


def _timed(function: Callable[[], Any], rounds: int) -> list[float]:
    timings = []
    for _ in range(rounds):
        started = time.perf_counter()
        function()
        timings.append(time.perf_counter() - started)
    return timings


@dataclass(frozen=True)
class Measured:
    load_s: float
    rebuild_s: float
    rollup_rows: int
    first_s: float
    figure: list[float]
    dashboard: list[float]
    trivial: list[float]


def _p50(values: list[float]) -> float:
    return statistics.median(values)


def _p95(values: list[float]) -> float:
    return _percentile(values, 0.95)


def _log_in(client: Any) -> None:
    client.get("/")
    token = client.cookies.get("csrftoken")
    response = client.post("/anmelden", data={"email": MEMBER_EMAIL, "password": MEMBER_PASSWORD,
                                              "_csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303, response.text


def _progress(message: str) -> None:
    print(f"  [{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def measure(kind: str, count: int, rounds: int) -> Measured:
    from litestar.testing import TestClient

    from reporting.statistics import Audience, Disclosure, Period, breakdown, rebuild_rollup
    from web.app import create_app
    from web.settings import Settings
    directory = Path(tempfile.mkdtemp(prefix="vorort-bench-stats-", dir=os.environ.get("VORORT_BENCH_DIR")))
    engine = _fresh_database(kind, directory)
    try:
        upgrade(engine)
        # Argon2 cheap: the bench logs in once and measures pages, not password hashing.
        settings = Settings(database_url=str(engine.url.render_as_string(hide_password=False)),
                            secret_key_file=directory / "secret.key", argon2_time_cost=1, argon2_memory_kib=8,
                            argon2_parallelism=1)
        centre_id = _setup(engine, settings)
        started = time.perf_counter()
        load(engine, count, centre_id)
        loaded = time.perf_counter() - started
        _progress(f"{kind} {count}: loaded in {loaded:.1f} s")
        started = time.perf_counter()
        with Session(engine) as session:
            rollup_rows = rebuild_rollup(session)
            session.commit()
        rebuilt = time.perf_counter() - started
        _progress(f"{kind} {count}: rollup of {rollup_rows} rows rebuilt in {rebuilt:.1f} s")
        disclosure = Disclosure(k=settings.suppression_k, public_k=settings.public_suppression_k,
                                delay_days=settings.publication_delay_days)
        year = Period.parse(str(YEAR))

        def figure() -> None:
            with Session(engine) as session:
                result = breakdown(session, disclosure, Audience.STAFF, year, "district", "incident_type", today=TODAY)
                assert result.total.count is not None
                session.commit()  # keeps a snapshot decided by this read

        started = time.perf_counter()
        figure()  # the first read decides the year's suppressed snapshot
        first = time.perf_counter() - started
        figure_times = _timed(figure, rounds)
        with TestClient(create_app(settings, engine=engine)) as client:
            assert client.get("/anmelden").status_code == 200
            trivial_times = _timed(lambda: client.get("/anmelden"), rounds)
            _log_in(client)
            page = client.get(DASHBOARD)
            assert page.status_code == 200 and 'id="breakdown"' in page.text, page.status_code
            dashboard_times = _timed(lambda: client.get(DASHBOARD), rounds)
        return Measured(loaded, rebuilt, rollup_rows, first, figure_times, dashboard_times, trivial_times)
    finally:
        engine.dispose()
        _drop_database(kind, directory)


def _row(kind: str, count: int, r: Measured) -> str:
    return (f"{kind:<11}{count:>10}{r.load_s:>8.1f}{r.rebuild_s:>10.1f}{r.rollup_rows:>10}{r.first_s * 1e3:>10.0f}"
            f"{_p50(r.figure) * 1e3:>9.2f}{_p95(r.figure) * 1e3:>8.2f}"
            f"{_p50(r.dashboard) * 1e3:>9.1f}{_p95(r.dashboard) * 1e3:>8.1f}"
            f"{_p50(r.trivial) * 1e3:>9.2f}{_p95(r.trivial) * 1e3:>8.2f}"
            f"{_p50(r.figure) / _p50(r.trivial):>9.2f}")


def _verdict(ratio: float, target: float) -> str:
    return f"{ratio:.2f} (target <= {target:g}: {'pass' if ratio <= target else 'FAIL'})"


def run(*, sizes: tuple[int, ...] = SIZES, databases: tuple[str, ...] = ("sqlite", "postgresql"),
        rounds: int = 200) -> str:
    for chatty in ("httpx", "alembic"):  # a line per request, per migration otherwise
        logging.getLogger(chatty).setLevel(logging.WARNING)
    lines = [f"statistics: figure = district x incident type, staff, {YEAR}; dashboard = {DASHBOARD} (logged in);"
             " trivial = /anmelden; in-process, times in ms unless s",
             f"{'db':<11}{'incidents':>10}{'load s':>8}{'rebuild s':>10}{'rollup':>10}{'1st read':>10}"
             f"{'fig p50':>9}{'p95':>8}{'dash p50':>9}{'p95':>8}{'triv p50':>9}{'p95':>8}{'fig/triv':>9}"]
    print("\n".join(lines), file=sys.stderr, flush=True)
    results: dict[tuple[str, int], Measured] = {}
    for kind in databases:
        for count in sizes:
            results[(kind, count)] = measure(kind, count, rounds)
            lines.append(_row(kind, count, results[(kind, count)]))
            print(lines[-1], file=sys.stderr, flush=True)
    lines.extend(_targets(results, sizes, databases))
    return "\n".join(lines)


def _targets(results: dict[tuple[str, int], Measured], sizes: tuple[int, ...], databases: tuple[str, ...]
             ) -> Iterator[str]:
    for kind in databases:
        small, large = results[(kind, min(sizes))], results[(kind, max(sizes))]
        yield (f"{kind}: figure p50 at {max(sizes)} / at {min(sizes)} = "
               f"{_verdict(_p50(large.figure) / _p50(small.figure), 2)}; p95 ratio "
               f"{_p95(large.figure) / _p95(small.figure):.2f}")
        yield (f"{kind}: figure / trivial page p50 at {max(sizes)} = "
               f"{_verdict(_p50(large.figure) / _p50(large.trivial), 10)}; worst size "
               f"{max(_p50(results[(kind, n)].figure) / _p50(results[(kind, n)].trivial) for n in sizes):.2f}; "
               f"p95 ratio at {max(sizes)} {_p95(large.figure) / _p95(large.trivial):.2f}")


def main(argv: list[str]) -> str:
    options = dict(a[2:].split("=", 1) for a in argv if a.startswith("--") and "=" in a)
    sizes = tuple(int(float(s)) for s in options.get("sizes", ",".join(map(str, SIZES))).split(","))
    databases = tuple(options.get("databases", "sqlite,postgresql").split(","))
    return run(sizes=sizes, databases=databases, rounds=int(options.get("rounds", "200")))
