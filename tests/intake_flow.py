"""Walking the reporting form step by step like a browser without JavaScript."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

FULL_REPORT: dict[str, Any] = {
    "incident_types": ["insult_verbal_abuse", "physical_attack"],
    "motives": ["racism"],
    "racism_subcodes": ["anti_muslim"],
    "district": "altstadt",
    "place_type": "shop_gastro_service",
    "online": "no",
    "year": "2026", "month": "10", "day": "3",
    "recurrence": "single",
    "reporter_role": "affected",
    "target_type": "individual",
    "affected_count": "1",
    "affected_age_band": "adult",
    "consequences": ["psychological"],
    "police_report": "no",
    "description": "In der Bäckerei wurde ich beleidigt und aus der Schlange gedrängt.",
    "wants_contact": "no",
}


def form_fields(html: str) -> list[tuple[str, str]]:
    """Hidden inputs of the page's report form, as a browser would send them."""
    fields = []
    for tag in re.findall(r"<input[^>]*>", html):
        if 'type="hidden"' in tag:
            name = re.search(r'name="([^"]+)"', tag)
            value = re.search(r'value="([^"]*)"', tag)
            if name:
                fields.append((name.group(1), unescape(value.group(1)) if value else ""))
    return fields


def post_step(client: Any, html: str, answers: dict[str, Any], go: str = "next", files: Any = None) -> Any:
    own = {k for k in answers}
    data: list[tuple[str, str]] = [(n, v) for n, v in form_fields(html) if n not in own]
    for name, value in answers.items():
        for item in value if isinstance(value, list) else [value]:
            data.append((name, item))
    data.append(("go", go))
    if not any(n == "_csrf_token" for n, _ in data):
        data.append(("_csrf_token", client.csrf()))
    encoded: dict[str, Any] = {}
    for name, value in data:
        encoded.setdefault(name, []).append(value)
    return client.post("/melden", data=encoded, files=files or [("files", ("", b"", "application/octet-stream"))])


STEP_ANSWERS = [
    ("what", ["incident_types", "motives", "racism_subcodes", "antisemitism_forms"]),
    ("where", ["district", "place_type", "online", "year", "month", "day", "recurrence"]),
    ("who", ["reporter_role", "target_type", "affected_count", "affected_age_band", "consequences",
             "police_report"]),
    ("story", ["description"]),
    ("contact", ["centre_id", "wants_contact", "contact"]),
]


def walk_to_review(client: Any, report: dict[str, Any], headers: dict[str, str] | None = None) -> str:
    page = client.get("/melden", headers=headers or {})
    assert page.status_code == 200, page.text
    html = page.text
    for _step, names in STEP_ANSWERS:
        answers = {n: report[n] for n in names if n in report}
        response = post_step(client, html, answers)
        assert response.status_code == 200, response.text
        html = response.text
    assert 'value="review"' in html
    return html


def solve_pow(html: str) -> str:
    import hashlib
    fields = dict(form_fields(html))
    for n in range(int(fields["pow_max"]) + 1):
        if hashlib.sha256(f"{fields['pow_salt']}{n}".encode()).hexdigest() == fields["pow_challenge"]:
            return str(n)
    raise AssertionError("no solution")


def send(client: Any, review_html: str, *, files: Any = None, extra: dict[str, Any] | None = None,
         solve: bool = True) -> Any:
    answers = dict(extra or {})
    if solve:
        answers.setdefault("pow_number", solve_pow(review_html))
    return post_step(client, review_html, answers, go="send", files=files)


def receipt_from(html: str) -> str:
    match = re.search(r'class="receipt-code"[^>]*>([\d ]+)<', html)
    assert match, "no receipt code on the page"
    return match.group(1).strip()
