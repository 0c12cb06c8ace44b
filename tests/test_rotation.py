"""Rotating the secret key file keeps receipts, second factors and the app working."""

from __future__ import annotations

import argparse
from dataclasses import replace

import pytest
from sqlmodel import Session

from core.crypto import derive_key, unseal
from core.server_keys import WRAP_PURPOSE, ServerKey
from tests.intake_flow import FULL_REPORT, receipt_from, send, walk_to_review
from tests.personas import add_districts, establish_centres
from tests.web_client import WebClient


def test_rotation_keeps_receipts_and_second_factors(settings, engine, db, crypto, personas, tmp_path):
    from web.app import create_app
    from web.cli import cmd_rotate_secret
    old_key_file = tmp_path / "old.key"
    old_key_file.write_bytes(settings.secret_key_file.read_bytes())
    old_settings = replace(settings, secret_key_file=old_key_file)
    add_districts(db)
    establish_centres(db, crypto, personas)
    counsellor = personas["counsellor_a"]
    with WebClient(create_app(old_settings, engine=engine)) as before:
        receipt = receipt_from(send(before, walk_to_review(before, FULL_REPORT)).text)
    new_key_file = tmp_path / "new.key"
    assert cmd_rotate_secret(old_settings, argparse.Namespace(new_file=str(new_key_file))) == 0
    assert cmd_rotate_secret(old_settings, argparse.Namespace(new_file=str(new_key_file))) == 2  # no overwrite
    new_settings = replace(settings, secret_key_file=new_key_file)
    with WebClient(create_app(new_settings, engine=engine)) as after:
        after.get("/status")
        opened = after.post("/status", data={"receipt": receipt, "_csrf_token": after.csrf()})
        assert opened.status_code == 200 and 'name="action" value="reply"' in opened.text
        after.login(counsellor, code=counsellor.totp(offset_steps=1))
        assert after.get("/beratung").status_code == 200
    with Session(engine) as fresh:
        row = fresh.get(ServerKey, "receipt-tag")
        with pytest.raises(Exception):  # noqa: B017 - the old file no longer opens it
            unseal(derive_key(old_key_file.read_bytes(), WRAP_PURPOSE), row.sealed, b"receipt-tag")
