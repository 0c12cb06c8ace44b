"""Hostile and random input against every field of the form and the API: no 5xx, nothing unescaped."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reporting.intake import ALL_FIELDS, STEPS
from tests.intake_flow import FULL_REPORT, form_fields, post_step, walk_to_review
from tests.personas import add_districts, establish_centres

HOSTILE = [line.encode().decode("unicode_escape") if "\\" in line and "\\\\" not in line else line
           for line in (Path(__file__).parent / "data" / "hostile_strings.txt").read_text("utf-8").splitlines()]
DANGEROUS = ("<script", "<img", "<svg", "<a href=\"javascript", "<h1>x", "<!--", "<![CDATA")
# More examples on demand: VORORT_TEST_HYPOTHESIS_EXAMPLES=1000 make test-sqlite
RANDOM_EXAMPLES = int(os.environ.get("VORORT_TEST_HYPOTHESIS_EXAMPLES", "60"))
STEP_OF = {name: key for key, names in STEPS for name in names}


@pytest.fixture
def centres(db, crypto, personas):
    add_districts(db)
    return establish_centres(db, crypto, personas)


def _unescaped(html: str, payload: str) -> bool:
    return any(marker in payload and payload in html for marker in DANGEROUS)


def _first_page(client) -> str:
    return client.get("/melden").text


@pytest.mark.parametrize("field", ALL_FIELDS)
def test_hostile_strings_in_every_form_field(client, centres, field):
    html = _first_page(client)
    # Reach the step the field belongs to with valid answers, then send hostile values there.
    for key, names in STEPS:
        if key == STEP_OF[field]:
            break
        html = post_step(client, html, {n: FULL_REPORT[n] for n in names if n in FULL_REPORT}).text
    for payload in HOSTILE:
        response = post_step(client, html, {field: payload})
        assert response.status_code < 500, (field, payload)
        assert not _unescaped(response.text, payload), (field, payload)


def test_hostile_strings_survive_to_the_review_escaped(client, centres):
    for payload in HOSTILE[:12]:
        review = walk_to_review(client, {**FULL_REPORT, "description": payload or "x"})
        assert not _unescaped(review, payload)


@pytest.mark.parametrize("field", ["incident_types", "motives", "district", "place_type", "reporter_role",
                                   "description", "contact", "police_report", "consequences", "target_type"])
def test_hostile_strings_in_every_api_field(client, centres, field):
    for payload in HOSTILE:
        value = [payload] if field in {"incident_types", "motives", "consequences"} else payload
        body = {"incident_types": ["other"], "description": "x", field: value,
                "proof": {"salt": "s", "challenge": "c", "signature": "x", "number": 1}}
        response = client.post("/api/v1/reports", json=body)
        assert response.status_code < 500, (field, payload)
        assert response.headers["content-type"].startswith("application/json")


form_values = st.one_of(st.text(max_size=300), st.sampled_from(HOSTILE), st.integers().map(str))


@settings(max_examples=RANDOM_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.dictionaries(st.sampled_from(ALL_FIELDS), st.lists(form_values, max_size=3), max_size=12),
       go=st.sampled_from(["next", "back", "send", "edit:where", "edit:nonsense", ""]),
       step=st.sampled_from(["what", "where", "who", "story", "contact", "review", "bogus"]))
def test_random_form_submissions_never_fail(client, centres, values, go, step):
    html = _first_page(client)
    data: dict[str, list[str]] = {n: [v] for n, v in form_fields(html)}
    data.update(values)
    data["step"] = [step]
    data["go"] = [go]
    response = client.post("/melden", data=data, files=[("files", ("", b"", "application/octet-stream"))])
    assert response.status_code < 500
    for vals in values.values():
        for value in vals:
            assert not _unescaped(response.text, value)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(receipt=st.one_of(st.text(max_size=60), st.from_regex(r"[0-9 \-]{10,30}", fullmatch=True)),
       message=st.text(max_size=200))
def test_random_status_requests_never_fail(client, centres, receipt, message):
    client.get("/status")
    response = client.post("/status", data={"receipt": receipt, "action": "reply", "message": message,
                                            "_csrf_token": client.csrf()})
    assert response.status_code < 500
    assert not _unescaped(response.text, receipt)
