"""Every route of the app as (method, path template, handler), for sweeps over all of them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from litestar import Litestar
from litestar.routes import HTTPRoute


def template_of(path: str) -> str:
    """'/einladung/{token:str}' -> '/einladung/{token}', the form Litestar puts in the scope."""
    return re.sub(r"\{(\w+):[^}]+\}", r"{\1}", path)


def http_routes(app: Litestar) -> Iterator[tuple[str, str, Any]]:
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            for method in sorted(handler.http_methods):
                if method in {"OPTIONS", "HEAD"}:
                    continue
                yield method, template_of(route.path), handler


def concrete(path: str, values: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), "1"), path)
