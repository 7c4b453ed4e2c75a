"""Schemathesis over the playground's own OpenAPI schema: no input gives a server error.

Every operation gets bounded generated requests (valid and invalid against the schema);
no answer may be a 5xx, and each must carry the documented content type and, for documented
status codes, a body matching the documented schema. Semantic 4xx answers (a seed recipe of
1 point, an upload id that was never made) are the API doing its job, so schemathesis'
"positive data acceptance" check is left out. Small limits keep datasets and runs cheap.
"""

from __future__ import annotations

import pytest

schemathesis = pytest.importorskip("schemathesis")

from hypothesis import HealthCheck, settings  # noqa: E402

from gdlab.web import create_app  # noqa: E402
from tests.web.conftest import test_settings as web_settings  # noqa: E402

APP = create_app(
    web_settings(max_rows=2_000, max_steps=500, max_train_seconds=5.0, max_upload_bytes=2**20)
)
CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_schema_conformance,
]
schema = schemathesis.openapi.from_asgi("/api/openapi.json", APP)


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_request_gives_a_server_error(case):
    case.call_and_validate(headers={"host": "testserver"}, checks=CHECKS)
