"""Fuzz every API operation from its OpenAPI document (schemathesis), bounded in count:
whatever a client sends, the answer is never a 500 and always matches the document."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from qhall.auth import issue_api_token
from tests.factories import gen_staff, gen_unit

EXAMPLES_PER_OPERATION = 12


def test_no_input_gets_a_server_error_or_an_undocumented_answer(app, clock):
    # A hall to aim at, and a staff member's token so that staff operations are reached,
    # not only refused.
    gen_staff("clerk", gen_unit("MZJ"))
    headers = {"Authorization": f"Bearer {issue_api_token('clerk', clock.now())}"}
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 50

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        def answers_well(case):
            case.call_and_validate(
                headers=headers, checks=[not_a_server_error, response_schema_conformance]
            )

        answers_well()
