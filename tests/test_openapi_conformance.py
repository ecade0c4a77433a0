"""schemathesis against /openapi.json: every API operation, with a valid staff token, never
answers 5xx and every answer matches the schema the document gives for its status.

schemathesis' pytest plugin does not run on pytest 9 (it sets ``Function._nodeid``), so
this test drives its Python API with Hypothesis: each operation's strategy, a modest
number of derandomized examples, and the checks of ``call_and_validate``.
"""

from datetime import date

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import positive_data_acceptance

from app.models import Observation, Partner, Role
from tests.factories import bearer, make_area, make_indicator, make_narrative, make_theme

EXAMPLES = 6
#: The API answers 422 for a well-formed reference to something that does not exist
#: (an unknown theme, area or period); no schema can say which names exist, so
#: "schema-valid data must be accepted" does not hold by design.
EXCLUDED = [positive_data_acceptance]


@pytest.fixture
def staff(session) -> dict[str, str]:
    """An admin token, over a few rows of each kind so that lists answer real items."""
    theme = make_theme(session, slug="zorg")
    area = make_area(session, code="WK019301")
    indicator = make_indicator(session, themes=[theme], slug="meldingen", frequency="month")
    for month, value in enumerate([9, 3, 12, 30], start=1):
        session.add(
            Observation(indicator_id=indicator.id, period_start=date(2024, month, 1), value=value)
        )
    session.add(Partner(name="Buurtteam"))
    session.commit()
    make_narrative(session, area_id=area.id)
    headers = bearer(session, role=Role.admin)
    session.close()
    return headers


@pytest.fixture
def api(app, staff):
    return schemathesis.openapi.from_asgi("/openapi.json", app)


def failures_of(operation, headers: dict[str, str], statuses: set[int]) -> str | None:
    """Run one operation's examples, adding each answer's status to ``statuses``; return
    schemathesis' report of what failed, if any."""

    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def check(case):
        response = case.call_and_validate(headers=headers, excluded_checks=EXCLUDED)
        statuses.add(response.status_code)

    try:
        check()
    except Exception as error:  # schemathesis raises a group of distinct failures
        return f"{operation.label}: {error}"
    return None


def test_every_operation_answers_as_documented(api, staff):
    operations = [result.ok() for result in api.get_all_operations()]
    assert len(operations) >= 20
    statuses: dict[str, set[int]] = {op.label: set() for op in operations}
    found = [f for op in operations if (f := failures_of(op, staff, statuses[op.label]))]
    assert not found, "\n\n".join(found)
    # The token was accepted: every list answered, and no operation saw only 401s.
    assert all(
        200 in statuses[label] for label in statuses if label.startswith("GET") and "{" not in label
    )
    assert not [label for label, seen in statuses.items() if seen == {401}]


def test_the_document_describes_errors_as_handlers_return_them(client):
    document = client.get("/openapi.json").json()
    detail = document["components"]["schemas"]["Error"]["properties"]["detail"]
    kinds = {part.get("type") for part in detail["anyOf"]}
    assert kinds == {"array", "string"}
    story = document["paths"]["/api/v1/narratives"]["post"]["responses"]
    assert story["422"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }
    assert {"401", "403", "404", "409", "422"} <= set(story)
    assert document["paths"]["/api/v1/themes"]["get"]["security"] == [{"bearer": []}]
