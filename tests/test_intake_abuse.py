"""Abuse resistance without third parties: honeypot, proof of work, rate limit; nothing persisted."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from core.clock import utcnow
from reporting import challenges
from reporting.models import Incident
from tests.intake_flow import FULL_REPORT, post_step, send, walk_to_review
from tests.personas import add_districts, establish_centres


@pytest.fixture
def centres(db, crypto, personas):
    add_districts(db)
    return establish_centres(db, crypto, personas)


@pytest.fixture(autouse=True)
def english(client):
    client.cookies.set("lang", "en", domain="testserver.local")


def _count(db) -> int:
    db.expire_all()
    return len(db.exec(select(Incident)).all())


def test_filled_honeypot_is_refused_with_an_explanation(client, db, centres):
    response = send(client, walk_to_review(client, FULL_REPORT), extra={"website": "http://spam.example"})
    assert response.status_code == 422
    assert "a field that must stay empty was filled in" in response.text
    assert "In der Bäckerei" in response.text
    assert _count(db) == 0


def test_sending_without_proof_too_quickly_is_refused(client, db, centres):
    response = send(client, walk_to_review(client, FULL_REPORT), solve=False)
    assert response.status_code == 422
    assert "That was very quick" in response.text
    assert _count(db) == 0


def test_without_javascript_an_old_enough_challenge_is_the_proof(client, db, app, centres):
    review = walk_to_review(client, FULL_REPORT)
    old = challenges.issue(app.state.pow_key, now=utcnow() - timedelta(seconds=30))
    answers = {"pow_salt": old.salt, "pow_challenge": old.challenge, "pow_signature": old.signature,
               "pow_number": ""}
    response = post_step(client, review, answers, go="send")
    assert response.status_code == 200, response.text
    assert _count(db) == 1


def test_replayed_proof_is_refused(client, db, centres):
    review = walk_to_review(client, FULL_REPORT)
    assert send(client, review).status_code == 200
    replay = send(client, review)
    assert replay.status_code == 422
    assert "sent already" in replay.text
    assert _count(db) == 1


def test_wrong_or_forged_proof_is_refused(client, db, centres):
    review = walk_to_review(client, FULL_REPORT)
    assert send(client, review, extra={"pow_number": "999999"}).status_code == 422
    forged = send(client, review.replace('name="pow_signature" value="', 'name="pow_signature" value="00'))
    assert forged.status_code == 422
    assert _count(db) == 0


def test_expired_challenge_asks_to_send_again(client, db, app, centres):
    review = walk_to_review(client, FULL_REPORT)
    old = challenges.issue(app.state.pow_key, now=utcnow() - challenges.VALIDITY - timedelta(minutes=1))
    response = post_step(client, review, {"pow_salt": old.salt, "pow_challenge": old.challenge,
                                          "pow_signature": old.signature, "pow_number": ""}, go="send")
    assert response.status_code == 422
    assert "open for a long time" in response.text
    assert send(client, response.text).status_code == 200  # a fresh challenge came with the answer


def test_rate_limit_stops_a_flood_and_says_why(client, db, app, centres):
    limiter = app.state.intake_limiter
    limiter.reset()
    sent = 0
    for _ in range(limiter.limit):
        assert send(client, walk_to_review(client, FULL_REPORT)).status_code == 200
        sent += 1
    blocked = send(client, walk_to_review(client, FULL_REPORT))
    assert blocked.status_code == 429
    assert "Please wait an hour" in blocked.text
    assert _count(db) == sent
    limiter.reset()


def test_rate_limit_keys_are_keyed_hashes_not_addresses():
    from web.ratelimit import RateLimiter
    limiter = RateLimiter(limit=1, window_seconds=60)
    identity = limiter.identity("203.0.113.9")
    assert "203.0.113.9" not in identity and len(identity) == 32
    assert limiter.hit(identity) and not limiter.hit(identity)
    assert RateLimiter(limit=1, window_seconds=60).identity("203.0.113.9") != identity


def test_lookups_take_the_same_minimum_time(settings, engine, db, crypto, personas):
    import time
    from dataclasses import replace

    from tests.web_client import WebClient
    from web.app import create_app
    add_districts(db)
    establish_centres(db, crypto, personas)
    slow = create_app(replace(settings, lookup_floor_ms=300), engine=engine)
    with WebClient(slow) as client:
        from tests.intake_flow import receipt_from
        receipt = receipt_from(send(client, walk_to_review(client, FULL_REPORT)).text)
        timings: dict[str, float] = {}
        # The least of three tries each: a busy machine only ever adds time, the floor is what is compared.
        for _ in range(3):
            for label, code in (("known", receipt), ("unknown", "1111 2222 3333 4444")):
                started = time.monotonic()
                client.post("/status", data={"receipt": code, "_csrf_token": client.csrf()})
                timings[label] = min(timings.get(label, 60.0), time.monotonic() - started)
        assert min(timings.values()) >= 0.3
        assert abs(timings["known"] - timings["unknown"]) < 0.15


def test_too_many_wrong_codes_are_throttled(client, app, centres):
    limiter = app.state.lookup_limiter
    limiter.reset()
    client.get("/status")
    for _ in range(limiter.limit):
        assert client.post("/status", data={"receipt": "1111 2222 3333 4444",
                                            "_csrf_token": client.csrf()}).status_code == 422
    throttled = client.post("/status", data={"receipt": "1111 2222 3333 4444", "_csrf_token": client.csrf()})
    assert throttled.status_code == 429
    assert "Too many attempts" in throttled.text
    limiter.reset()


def test_redis_limits_are_shared_by_workers_and_hold_no_address():
    import redis

    from web.ratelimit import RedisRateLimiter
    try:
        redis.Redis.from_url("redis://127.0.0.1:6379/15").ping()
    except redis.ConnectionError:
        if __import__("os").environ.get("CI"):
            raise
        pytest.skip("no Redis on 127.0.0.1:6379 (CI has one)")
    secret = b"s" * 32
    one = RedisRateLimiter("redis://127.0.0.1:6379/15", secret, name="test", limit=2, window_seconds=60)
    two = RedisRateLimiter("redis://127.0.0.1:6379/15", secret, name="test", limit=2, window_seconds=60)
    one.reset()
    identity = one.identity("203.0.113.50")
    assert identity == two.identity("203.0.113.50")  # both workers name the bucket alike
    assert one.hit(identity) and two.hit(identity)
    assert not one.hit(identity) and two.blocked(identity)
    keys = [k.decode() for k in one._redis.scan_iter("vorort:rl:test:*")]
    assert keys and not any("203.0.113.50" in k for k in keys)
    one.reset()
