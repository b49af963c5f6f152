"""Two people acting on the same case at the same moment: one wins, the other is told why."""

import pytest

from cases import services
from cases.models import Case, CaseEvent
from tests.conftest import at_once
from tests.factories import officer_of


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_it_lets_exactly_one_of_two_simultaneous_acceptances_through(intake, city):
    first, second = officer_of(city, "sup1", "supervisor"), officer_of(city, "sup2", "supervisor")
    case = intake()
    services.transition_case(case=case, actor=first, name="start_screening")

    def accept(actor):
        services.transition_case(case=Case.objects.get(pk=case.pk), actor=actor, name="accept")
        return "accepted"

    results = at_once(lambda: accept(first), lambda: accept(second))

    outcomes = [r if isinstance(r, str) else r.error_list[0].code for r in results]
    assert sorted(outcomes) == ["accepted", "wrong_state"]
    assert Case.objects.get(pk=case.pk).status == "accepted"
    assert CaseEvent.objects.filter(case=case, transition="accept").count() == 1
    assert case.deadlines.filter(kind="handling").count() == 1
