"""A test client that speaks forms like a browser: CSRF token included, redirects not followed."""

from __future__ import annotations

import re
from typing import Any

from litestar.testing import TestClient

from tests.personas import Persona


class WebClient(TestClient):  # type: ignore[type-arg]
    def __init__(self, app: Any, **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        self.follow_redirects = False

    def csrf(self) -> str:
        token = self.cookies.get("csrftoken")
        if token is None:
            self.get("/")
            token = self.cookies.get("csrftoken")
        assert token, "no CSRF cookie was set"
        return str(token)

    def submit(self, url: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        """POST a form the way a browser does, with the CSRF field from the cookie."""
        form = dict(data or {})
        form["_csrf_token"] = self.csrf()
        return self.post(url, data=form, **kwargs)

    def login(self, persona: Persona, *, code: str | None = None) -> Any:
        response = self.submit("/anmelden", {"email": persona.email, "password": persona.password})
        assert response.status_code == 303, response.text
        if "/anmelden/zweiter-faktor" in response.headers["location"]:
            response = self.submit("/anmelden/zweiter-faktor", {"code": code or persona.totp(), "next": "/start"})
            assert response.status_code == 303, response.text
        return response


def text_of(html: str) -> str:
    """The visible text of a page, whitespace collapsed, for assertions on wording."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
