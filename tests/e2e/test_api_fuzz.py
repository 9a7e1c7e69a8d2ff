"""Property-based requests from the app's own OpenAPI schema (schemathesis): whatever a client
sends, the server answers with a 2xx or a 4xx, never a 500, with a status and a body the schema
documents. Examples are bounded to stay fast."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from engine.api import ApiServer, ServerSettings, create_app

SETTINGS = ServerSettings(port=0, max_upload_bytes=200_000)
# The schema comes from the app itself (no model is needed to build it); the requests go to a
# real server. (schemathesis.pytest.from_fixture does not work with pytest 9.)
schema = schemathesis.openapi.from_dict(create_app(SETTINGS).openapi())


@pytest.fixture(scope="module")
def server(tiny_recognizer) -> Iterator[ApiServer]:  # type: ignore[no-untyped-def]
    with ApiServer(SETTINGS, tiny_recognizer) as srv:
        yield srv


@schema.parametrize()
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,
)
def test_no_request_makes_the_server_fail(case, server: ApiServer) -> None:  # type: ignore[no-untyped-def]
    response = case.call(base_url=server.url, timeout=60)
    assert response.status_code < 500, (
        f"{case.method} {case.path}: {response.status_code} {response.text[:300]}"
    )
    # The schema tells the truth: every status is documented, every body has its schema.
    case.validate_response(response, checks=[status_code_conformance, response_schema_conformance])
    if response.status_code >= 400 and case.path.startswith("/v1/"):
        error = response.json()["error"]
        assert error["message"] and error["type"], "errors under /v1 have OpenAI's shape"
