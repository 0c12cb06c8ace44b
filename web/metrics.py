"""Optional Prometheus text endpoint: request counts and durations per route template, job outcomes.

Labels are route templates (never concrete paths, which can hold ids or tokens), methods and status
classes; nothing about who asked. Enabled only with VORORT_METRICS_TOKEN, sent as a bearer token."""

from __future__ import annotations

import hmac
import threading
import time
from collections import defaultdict
from typing import Any

from litestar import Request, Response, get
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from sqlmodel import Session

from core.jobs import last_runs

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests: dict[tuple[str, str, str], int] = defaultdict(int)
        self.durations: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0] * (len(BUCKETS) + 2))

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        with self._lock:
            self.requests[(method, route, f"{status // 100}xx")] += 1
            cells = self.durations[(method, route)]
            for index, bound in enumerate(BUCKETS):
                if seconds <= bound:
                    cells[index] += 1
            cells[len(BUCKETS)] += 1  # count
            cells[len(BUCKETS) + 1] += seconds  # sum

    def render(self, job_lines: list[str]) -> str:
        lines = ["# HELP vorort_requests_total HTTP requests by route template and status class.",
                 "# TYPE vorort_requests_total counter"]
        with self._lock:
            for (method, route, status), count in sorted(self.requests.items()):
                lines.append(f'vorort_requests_total{{method="{method}",route="{route}",status="{status}"}} {count}')
            lines += ["# HELP vorort_request_seconds Request duration by route template.",
                      "# TYPE vorort_request_seconds histogram"]
            for (method, route), cells in sorted(self.durations.items()):
                labels = f'method="{method}",route="{route}"'
                for index, bound in enumerate(BUCKETS):
                    lines.append(f'vorort_request_seconds_bucket{{{labels},le="{bound}"}} {int(cells[index])}')
                lines.append(f'vorort_request_seconds_bucket{{{labels},le="+Inf"}} {int(cells[len(BUCKETS)])}')
                lines.append(f"vorort_request_seconds_count{{{labels}}} {int(cells[len(BUCKETS)])}")
                lines.append(f"vorort_request_seconds_sum{{{labels}}} {cells[len(BUCKETS) + 1]:.6f}")
        return "\n".join(lines + job_lines) + "\n"


class MetricsMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def record_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, record_status)
        finally:
            metrics: Metrics = scope["litestar_app"].state.metrics
            route = scope.get("path_template") or "unmatched"
            metrics.observe(str(scope.get("method", "GET")), route, status, time.perf_counter() - started)


@get("/metrics", include_in_schema=False, sync_to_thread=True)
def metrics_endpoint(request: Request[Any, Any, Any]) -> Response[str]:
    token = request.app.state.settings.metrics_token
    sent = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
    if not token or not hmac.compare_digest(sent.encode(), token.encode()):
        return Response("not found\n", status_code=404, media_type="text/plain")
    with Session(request.app.state.engine) as db:
        runs = last_runs(db)
    job_lines = ["# HELP vorort_job_last_run_timestamp_seconds Start of the last run of each job.",
                 "# TYPE vorort_job_last_run_timestamp_seconds gauge"]
    job_lines += [f'vorort_job_last_run_timestamp_seconds{{job="{run.job}"}} {run.started_at.timestamp():.0f}'
                  for run in runs]
    return Response(request.app.state.metrics.render(job_lines), media_type="text/plain; version=0.0.4")
