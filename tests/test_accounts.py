"""Log-in, second factor, log-out, sessions, CSRF, invitations and password change."""

from __future__ import annotations

from datetime import timedelta

import pyotp
from sqlmodel import select

from core import accounts
from core.actors import Role
from core.clock import utcnow
from core.sessions import StaffSession, resume_session
from tests.web_client import text_of


def test_login_without_second_factor_lands_on_overview(client, personas):
    member = personas["strategy_member"]
    response = client.submit("/anmelden", {"email": member.email, "password": member.password})
    assert response.status_code == 303
    assert response.headers["location"] == "/start"
    page = client.get("/start")
    assert page.status_code == 200
    assert "Strategy Member" in page.text


def test_unknown_user_and_wrong_password_get_the_same_answer(client, personas):
    member = personas["strategy_member"]
    wrong_password = client.submit("/anmelden", {"email": member.email, "password": "not the password"})
    unknown_user = client.submit("/anmelden", {"email": "nobody@example.org", "password": "not the password"})
    assert wrong_password.status_code == unknown_user.status_code == 422
    strip = lambda html: text_of(html).replace(member.email, "").replace("nobody@example.org", "")  # noqa: E731
    assert strip(wrong_password.text).replace(client.csrf(), "") == strip(unknown_user.text).replace(client.csrf(), "")


def test_failed_login_keeps_the_email_and_explains(client, personas):
    member = personas["strategy_member"]
    response = client.submit("/anmelden", {"email": member.email, "password": "wrong wrong wrong"},
                             headers={"accept-language": "en"})
    assert f'value="{member.email}"' in response.text
    assert "E-mail address or password is wrong." in response.text
    assert 'aria-invalid="true"' in response.text


def test_counsellor_needs_the_second_factor(client, personas):
    counsellor = personas["counsellor_a"]
    response = client.submit("/anmelden", {"email": counsellor.email, "password": counsellor.password})
    assert response.headers["location"].startswith("/anmelden/zweiter-faktor")
    # Half logged-in: protected pages send to the second factor, not inside.
    assert client.get("/start").headers["location"].startswith("/anmelden/zweiter-faktor")
    wrong = client.submit("/anmelden/zweiter-faktor", {"code": "000000"})
    assert wrong.status_code == 422
    right = client.submit("/anmelden/zweiter-faktor", {"code": counsellor.totp(), "next": "/start"})
    assert right.status_code == 303
    assert client.get("/start").status_code == 200


def test_a_totp_code_cannot_be_used_twice(client, personas, app):
    counsellor = personas["counsellor_a"]
    code = counsellor.totp()
    client.login(counsellor, code=code)
    client.submit("/abmelden")
    client.submit("/anmelden", {"email": counsellor.email, "password": counsellor.password})
    assert client.submit("/anmelden/zweiter-faktor", {"code": code}).status_code == 422


def test_recovery_code_works_once(client, personas, db, crypto):
    counsellor = personas["counsellor_b"]
    user = db.get(accounts.User, counsellor.user_id)
    codes = accounts.enrol_totp(db, crypto, user, secret=counsellor.totp_secret,
                                code=counsellor.totp(offset_steps=1), now=utcnow())
    db.commit()
    client.submit("/anmelden", {"email": counsellor.email, "password": counsellor.password})
    assert client.submit("/anmelden/zweiter-faktor", {"code": codes[0]}).status_code == 303
    client.submit("/abmelden")
    client.submit("/anmelden", {"email": counsellor.email, "password": counsellor.password})
    assert client.submit("/anmelden/zweiter-faktor", {"code": codes[0]}).status_code == 422


def test_too_many_wrong_codes_end_the_half_open_session(client, personas):
    counsellor = personas["counsellor_a"]
    client.submit("/anmelden", {"email": counsellor.email, "password": counsellor.password})
    for _ in range(4):
        assert client.submit("/anmelden/zweiter-faktor", {"code": "123456"}).status_code == 422
    last = client.submit("/anmelden/zweiter-faktor", {"code": "123456"})
    assert last.status_code == 303
    assert "too_many_attempts" in last.headers["location"]
    again = client.submit("/anmelden/zweiter-faktor", {"code": counsellor.totp()})
    assert again.headers["location"].startswith("/anmelden?")


def test_required_second_factor_is_enrolled_at_first_login(client, db, crypto, personas):
    org = personas.organisation("Beratungsstelle C", accounts.OrganisationKind.COUNSELLING_CENTRE)
    accounts.create_user(db, crypto, organisation_id=org, email="new@example.org", display_name="New",
                         password="a long enough password", roles=frozenset({Role.COUNSELLOR}), now=utcnow())
    db.commit()
    response = client.submit("/anmelden", {"email": "new@example.org", "password": "a long enough password"})
    assert response.headers["location"].startswith("/anmelden/zweiter-faktor/einrichten")
    form = client.get("/anmelden/zweiter-faktor/einrichten")
    assert form.status_code == 200 and "<svg" in form.text
    secret = form.text.split('name="secret" value="')[1].split('"')[0]
    bad = client.submit("/anmelden/zweiter-faktor/einrichten", {"secret": secret, "code": "000000"})
    assert bad.status_code == 422
    done = client.submit("/anmelden/zweiter-faktor/einrichten",
                         {"secret": secret, "code": pyotp.TOTP(secret).now(), "next": "/start"})
    assert done.status_code == 200
    assert done.text.count("<code>") == accounts.RECOVERY_CODE_COUNT
    assert client.get("/start").status_code == 200


def test_half_logged_in_user_cannot_replace_an_enrolled_factor(client, personas):
    counsellor = personas["counsellor_a"]
    client.submit("/anmelden", {"email": counsellor.email, "password": counsellor.password})
    response = client.get("/anmelden/zweiter-faktor/einrichten")
    assert response.status_code == 303
    assert response.headers["location"] == "/anmelden/zweiter-faktor"
    own_secret = pyotp.random_base32()
    forged = client.submit("/anmelden/zweiter-faktor/einrichten",
                           {"secret": own_secret, "code": pyotp.TOTP(own_secret).now()})
    assert forged.status_code == 303
    assert client.get("/start").status_code == 303


def test_session_is_rotated_at_each_login_step(client, personas, db):
    counsellor = personas["counsellor_a"]
    client.get("/")
    client.cookies.set("vorort_session", "planted-by-an-attacker", domain="testserver.local")
    client.submit("/anmelden", {"email": counsellor.email, "password": counsellor.password})
    after_password = client.cookies.get("vorort_session")
    assert after_password and after_password != "planted-by-an-attacker"
    client.submit("/anmelden/zweiter-faktor", {"code": counsellor.totp()})
    after_factor = client.cookies.get("vorort_session")
    assert after_factor and after_factor != after_password
    assert len(db.exec(select(StaffSession)).all()) == 1


def test_logout_ends_the_session_on_the_server(client, personas, db):
    member = personas["strategy_member"]
    client.login(member)
    token = client.cookies.get("vorort_session")
    response = client.submit("/abmelden")
    assert response.status_code == 303
    client.cookies.set("vorort_session", token, domain="testserver.local")
    assert client.get("/start").status_code == 303
    assert db.exec(select(StaffSession)).all() == []


def test_idle_and_absolute_timeouts(db, personas):
    from core.sessions import start_session
    member = personas["strategy_member"]
    now = utcnow()
    token = start_session(db, member.user_id, second_factor_done=True, now=now)
    idle, absolute = timedelta(minutes=30), timedelta(hours=12)
    assert resume_session(db, token, now=now + timedelta(minutes=29), idle=idle, absolute=absolute)
    assert resume_session(db, token, now=now + timedelta(minutes=29 + 31), idle=idle, absolute=absolute) is None
    token = start_session(db, member.user_id, second_factor_done=True, now=now)
    later = now
    for _ in range(30):  # active all the time, but for longer than the absolute limit
        later += timedelta(minutes=25)
        row = resume_session(db, token, now=later, idle=idle, absolute=absolute)
        if later - now > absolute:
            assert row is None
            break
        assert row is not None
    else:
        raise AssertionError("absolute timeout never reached")


def test_timed_out_session_sends_back_to_login(client, personas, db):
    member = personas["strategy_member"]
    client.login(member)
    for row in db.exec(select(StaffSession)).all():
        row.last_seen_at = utcnow() - timedelta(hours=1)
        db.add(row)
    db.commit()
    response = client.get("/start")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/anmelden")


def test_unsafe_request_without_csrf_token_is_rejected(client, personas):
    member = personas["strategy_member"]
    response = client.post("/anmelden", data={"email": member.email, "password": member.password})
    assert response.status_code == 403
    client.login(member)
    assert client.post("/abmelden").status_code == 403
    assert client.post("/abmelden", data={"_csrf_token": "forged" * 20}).status_code == 403
    assert client.get("/start").status_code == 200


def test_invite_flow_creates_an_account_once(client, personas, db):
    admin = personas["admin"]
    org = personas.organisation("Jugendamt", accounts.OrganisationKind.MUNICIPAL_DEPARTMENT)
    client.login(admin)
    created = client.submit("/admin/einladungen", {"email": "Neu@Example.org", "organisation_id": str(org),
                                                   "roles": ["strategy_member"]})
    assert created.status_code == 200
    link = created.text.split('class="invite-link">')[1].split("<")[0]
    path = link.split("127.0.0.1:8000")[1]
    client.submit("/abmelden")
    assert client.get(path).status_code == 200
    mismatch = client.submit(path, {"display_name": "Neu", "password": "long password one", "confirm": "other"})
    assert mismatch.status_code == 422
    assert 'value="Neu"' in mismatch.text
    accepted = client.submit(path, {"display_name": "Neu", "password": "long password one",
                                    "confirm": "long password one"})
    assert accepted.status_code == 303
    assert client.get(path).status_code == 404
    assert client.submit(path, {"display_name": "X", "password": "long password two",
                                "confirm": "long password two"}).status_code == 404
    response = client.submit("/anmelden", {"email": "neu@example.org", "password": "long password one"})
    assert response.headers["location"] == "/start"
    user = db.exec(select(accounts.User).where(accounts.User.email == "neu@example.org")).one()
    assert accounts.roles_of(db, user.id) == {Role.STRATEGY_MEMBER}


def test_expired_invite_is_refused(client, personas, db):
    admin = personas["admin"]
    org = personas.organisation("Jobcenter", accounts.OrganisationKind.MUNICIPAL_DEPARTMENT)
    _invite, token = accounts.create_invite(db, admin.actor, organisation_id=org, email="late@example.org",
                                           roles=frozenset({Role.STRATEGY_MEMBER}),
                                           now=utcnow() - timedelta(days=8))
    db.commit()
    assert client.get(f"/einladung/{token}").status_code == 404


def test_counselling_roles_only_in_counselling_centres(client, personas):
    admin = personas["admin"]
    org = personas.organisation("Jobcenter", accounts.OrganisationKind.MUNICIPAL_DEPARTMENT)
    client.login(admin)
    response = client.submit("/admin/einladungen", {"email": "x@example.org", "organisation_id": str(org),
                                                    "roles": ["counsellor"]}, headers={"accept-language": "en"})
    assert response.status_code == 422
    assert "Counsellor and centre lead roles need a counselling centre." in response.text
    assert 'value="x@example.org"' in response.text


def test_password_change_requires_the_current_password_and_logs_out_elsewhere(client, personas, app):
    from tests.web_client import WebClient
    member = personas["strategy_member"]
    with WebClient(app) as other_device:
        other_device.login(member)
        client.login(member)
        wrong = client.submit("/konto/passwort", {"current": "nope", "new": "a new long password",
                                                  "confirm": "a new long password"})
        assert wrong.status_code == 422
        short = client.submit("/konto/passwort", {"current": member.password, "new": "short", "confirm": "short"})
        assert short.status_code == 422
        ok = client.submit("/konto/passwort", {"current": member.password, "new": "a new long password",
                                               "confirm": "a new long password"})
        assert ok.status_code == 303
        assert client.get("/konto").status_code == 200
        assert other_device.get("/konto").status_code == 303
    client.submit("/abmelden")
    assert client.submit("/anmelden", {"email": member.email, "password": member.password}).status_code == 422
    assert client.submit("/anmelden", {"email": member.email,
                                       "password": "a new long password"}).status_code == 303


def test_deactivated_account_loses_its_sessions(client, personas, app):
    from tests.web_client import WebClient
    admin, member = personas["admin"], personas["strategy_member"]
    with WebClient(app) as member_client:
        member_client.login(member)
        client.login(admin)
        assert client.submit(f"/admin/konten/{member.user_id}/deaktivieren").status_code == 303
        assert member_client.get("/start").status_code == 303



def test_unknown_user_costs_the_same_password_check_as_a_wrong_password(client, personas, monkeypatch):
    from argon2 import PasswordHasher
    calls = []
    original = PasswordHasher.verify

    def counting(self, stored, password):
        calls.append(stored)
        return original(self, stored, password)

    monkeypatch.setattr(PasswordHasher, "verify", counting)
    member = personas["strategy_member"]
    client.submit("/anmelden", {"email": member.email, "password": "wrong wrong wrong"})
    client.submit("/anmelden", {"email": "nobody@example.org", "password": "wrong wrong wrong"})
    assert len(calls) == 2  # one Argon2id verification each: against the account, against a dummy hash
    assert calls[0] != calls[1] and all(c.startswith("$argon2id$") for c in calls)
