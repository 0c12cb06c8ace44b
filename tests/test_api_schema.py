"""Schemathesis over the published OpenAPI schema: whatever the schema allows, no server error."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.personas import add_districts, establish_centres


@pytest.fixture
def api_schema(app, db, crypto, personas):
    add_districts(db)
    establish_centres(db, crypto, personas)
    return schemathesis.openapi.from_asgi("/schema/openapi.json", app)


def test_api_never_answers_with_a_server_error(api_schema):
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert {op.path for op in operations} == {"/api/v1/challenge", "/api/v1/reports", "/api/v1/status",
                                              "/api/v1/messages"}
    failures = []

    @settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(data=st.data())
    def run(data):
        operation = data.draw(st.sampled_from(operations))
        case = data.draw(operation.as_strategy())
        response = case.call()
        if response.status_code >= 500:
            failures.append(f"{operation.method} {operation.path}: {response.status_code}")

    run()
    assert failures == []
