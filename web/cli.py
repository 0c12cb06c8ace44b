"""The `vorort` command: serve, migrate, create-admin, import-districts, seed-demo, scheduler, demo-code."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from core import accounts
from core.actors import SYSTEM, OrganisationKind, Role
from core.clock import utcnow
from core.crypto import Argon2Params, Crypto, load_or_create_secret_key
from core.db import make_engine, session_scope
from core.errors import ValidationFailed
from core.migrate import pending, upgrade
from core.server_keys import server_key
from web.settings import Settings, SettingsError, load_settings


def _crypto(settings: Settings) -> Crypto:
    return Crypto(load_or_create_secret_key(settings.secret_key_file),
                  Argon2Params(settings.argon2_time_cost, settings.argon2_memory_kib, settings.argon2_parallelism))


def _ensure_sqlite_dir(settings: Settings) -> None:
    if settings.database_url.startswith("sqlite:///"):
        Path(settings.database_url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)


def cmd_migrate(settings: Settings, args: argparse.Namespace) -> int:
    _ensure_sqlite_dir(settings)
    engine = make_engine(settings.database_url, pool=False)
    todo = pending(engine)
    if args.check:
        if todo:
            print(f"{len(todo)} migration(s) pending: {', '.join(todo)}")
            return 1
        print("database schema is current")
        return 0
    upgrade(engine)
    print(f"applied {len(todo)} migration(s)" if todo else "database schema is current")
    return 0


def cmd_seed_demo(settings: Settings, _args: argparse.Namespace) -> int:
    from web.demo import describe, seed_demo
    engine = make_engine(settings.database_url, pool=False)
    secret = load_or_create_secret_key(settings.secret_key_file)
    with session_scope(engine) as session:
        tag_key = server_key(session, secret, "receipt-tag")
        result = seed_demo(session, _crypto(settings), tag_key=tag_key)
    print("demo data loaded" if result.created else "demo data present already")
    print(describe(result))
    return 0


def cmd_rebuild_statistics(settings: Settings, _args: argparse.Namespace) -> int:
    """Recompute the statistics rollup from all incidents (after a bulk load, or to repair it)."""
    import time

    from reporting.statistics import rebuild_rollup
    engine = make_engine(settings.database_url, pool=False)
    started = time.perf_counter()
    with session_scope(engine) as session:
        rows = rebuild_rollup(session)
    print(f"statistics rebuilt: {rows} rollup rows in {time.perf_counter() - started:.1f} s")
    return 0


def cmd_demo_code(_settings: Settings, _args: argparse.Namespace) -> int:
    from web.demo import current_codes
    for email, code in current_codes().items():
        print(f"{email:<28} {code}")
    return 0


def cmd_create_admin(settings: Settings, args: argparse.Namespace) -> int:
    engine = make_engine(settings.database_url, pool=False)
    password = args.password or getpass.getpass("Password (at least 12 characters): ")
    try:
        with session_scope(engine) as session:
            orgs = [o for o in accounts.list_organisations(session) if o.name == args.organisation]
            org = orgs[0] if orgs else accounts.create_organisation(
                session, SYSTEM, name=args.organisation, kind=OrganisationKind.OTHER, now=utcnow())
            assert org.id is not None
            accounts.create_user(session, _crypto(settings), organisation_id=org.id, email=args.email,
                                 display_name=args.name, password=password, roles=frozenset({Role.ADMIN}),
                                 now=utcnow())
    except ValidationFailed as exc:
        print("cannot create the administrator: " + ", ".join(f"{k}: {v}" for k, v in exc.errors.items()),
              file=sys.stderr)
        return 2
    print(f"administrator {args.email} created; the second factor is set up at the first log-in")
    return 0


def cmd_backup(settings: Settings, args: argparse.Namespace) -> int:
    from core.backup import BackupError, write_backup
    try:
        size = write_backup(settings.database_url, load_or_create_secret_key(settings.secret_key_file),
                            Path(args.target))
    except BackupError as exc:
        print(f"backup failed: {exc}", file=sys.stderr)
        return 2
    print(f"backup of {size} bytes written to {args.target} (encrypted; keep the secret key file separately)")
    return 0


def cmd_restore(settings: Settings, args: argparse.Namespace) -> int:
    from core.backup import BackupError, restore
    try:
        restore(Path(args.source), load_or_create_secret_key(settings.secret_key_file), settings.database_url)
    except BackupError as exc:
        print(f"restore failed: {exc}", file=sys.stderr)
        return 2
    print(f"restored {args.source}; run `vorort migrate` if the backup is older than this version")
    return 0


def cmd_rotate_secret(settings: Settings, args: argparse.Namespace) -> int:
    """Move everything the secret key file protects to a new file; the old file is kept as FILE.previous."""
    from core.server_keys import rotate_secret
    old_path, new_path = settings.secret_key_file, Path(args.new_file)
    if new_path.exists():
        print(f"{new_path} exists; give a path for the new key that does not exist yet", file=sys.stderr)
        return 2
    old_secret = load_or_create_secret_key(old_path)
    new_secret = load_or_create_secret_key(new_path)
    params = Argon2Params(settings.argon2_time_cost, settings.argon2_memory_kib, settings.argon2_parallelism)
    engine = make_engine(settings.database_url, pool=False)
    with session_scope(engine) as session:
        server_key(session, old_secret, "receipt-tag")  # make sure it is stored before moving it
        moved = rotate_secret(session, Crypto(old_secret, params), Crypto(new_secret, params), old_secret,
                              new_secret)
    print(f"re-sealed {moved} items under {new_path}. Point VORORT_SECRET_KEY_FILE at it, restart, back it up; "
          f"keep {old_path} only to open backups made before today.")
    return 0


def cmd_import_districts(settings: Settings, args: argparse.Namespace) -> int:
    """Replace the district map (and with it the list of districts) with a GeoJSON file."""
    from reporting.district_map import save_district_map
    from web.messages import FIELD_MESSAGES
    try:
        text = Path(args.file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        print(f"cannot read {args.file}: {exc}", file=sys.stderr)
        return 2
    engine = make_engine(settings.database_url, pool=False)
    try:
        with session_scope(engine) as session:
            districts = save_district_map(session, SYSTEM, text, now=utcnow())
            names = ", ".join(f"{d.code} ({d.name})" for d in districts)
    except ValidationFailed as exc:
        print("not imported: " + " ".join(FIELD_MESSAGES.get(v, v) for v in exc.errors.values()), file=sys.stderr)
        return 2
    print(f"district map imported with {len(districts)} districts: {names}")
    return 0


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    # access_log=False: uvicorn's access log would record client addresses.
    from web.logs import logging_dict
    uvicorn.run("web.app:create_app", factory=True, host=args.host, port=args.port, workers=args.workers,
                access_log=False, server_header=False, log_config=logging_dict(settings.log_json),
                proxy_headers=bool(settings.trusted_proxies),
                forwarded_allow_ips=settings.trusted_proxies or None)
    return 0


def cmd_scheduler(settings: Settings, args: argparse.Namespace) -> int:
    from web.scheduler import run_scheduler
    print(run_scheduler(settings, once=args.once))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="vorort", description="Vor Ort: reporting, counselling, action plan")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve the web application")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.set_defaults(func=cmd_serve)
    migrate = sub.add_parser("migrate", help="apply database migrations")
    migrate.add_argument("--check", action="store_true", help="only report pending migrations (exit 1 if any)")
    migrate.set_defaults(func=cmd_migrate)
    admin = sub.add_parser("create-admin", help="create an administrator account")
    admin.add_argument("--email", required=True)
    admin.add_argument("--name", default="Administrator")
    admin.add_argument("--organisation", default="Administration")
    admin.add_argument("--password", help="read from the terminal when omitted")
    admin.set_defaults(func=cmd_create_admin)
    secret = sub.add_parser("generate-secret", help="create the server's secret key file (once)")
    secret.add_argument("path")
    rotate = sub.add_parser("rotate-secret", help="re-seal all server-held secrets under a new key file")
    rotate.add_argument("new_file")
    rotate.set_defaults(func=cmd_rotate_secret)
    backup = sub.add_parser("backup", help="write a consistent, encrypted backup (while the app runs)")
    backup.add_argument("target")
    backup.set_defaults(func=cmd_backup)
    restore_cmd = sub.add_parser("restore", help="replace the database with a backup (stop the app first)")
    restore_cmd.add_argument("source")
    restore_cmd.set_defaults(func=cmd_restore)
    districts = sub.add_parser("import-districts", help="replace the district map with a GeoJSON file")
    districts.add_argument("file", help="FeatureCollection of Polygon/MultiPolygon with properties code and name")
    districts.set_defaults(func=cmd_import_districts)
    sub.add_parser("seed-demo", help="load the Musterstadt demo data (once)").set_defaults(func=cmd_seed_demo)
    sub.add_parser("rebuild-statistics", help="recompute the statistics rollup from all incidents").set_defaults(
        func=cmd_rebuild_statistics)
    sub.add_parser("demo-code", help="current authenticator codes of the demo log-ins").set_defaults(
        func=cmd_demo_code)
    scheduler = sub.add_parser("scheduler", help="run the one scheduler process (a second one stands by)")
    scheduler.add_argument("--once", action="store_true", help="run every job now (if due) and exit")
    scheduler.set_defaults(func=cmd_scheduler)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "generate-secret":
        # Before any settings: production settings refuse to load while the file is missing.
        target = Path(args.path)
        if target.exists():
            print(f"{target} exists already; not overwriting a secret key", file=sys.stderr)
            return 2
        load_or_create_secret_key(target)
        print(f"secret key written to {target} (mode 0600); copy it to the offline key backup now")
        return 0
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    result: int = args.func(settings, args)
    return result


if __name__ == "__main__":
    sys.exit(main())
