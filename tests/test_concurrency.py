"""Two people acting on the same case at the same moment: one wins, the other is told why."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from cases import services
from cases.models import Case, CaseEvent
from tests.factories import officer_of


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_it_lets_exactly_one_of_two_simultaneous_acceptances_through(make_case, city):
    first, second = officer_of(city, "sup1", "supervisor"), officer_of(city, "sup2", "supervisor")
    case = make_case()
    services.transition_case(case=case, actor=first, name="start_screening")
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def accept(actor):
        try:
            start.wait()
            services.transition_case(case=Case.objects.get(pk=case.pk), actor=actor, name="accept")
            outcomes.append("accepted")
        except ValidationError as error:
            outcomes.append(error.error_list[0].code)
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(a,)) for a in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["accepted", "wrong_state"]
    assert Case.objects.get(pk=case.pk).status == "accepted"
    assert CaseEvent.objects.filter(case=case, transition="accept").count() == 1
    assert case.deadlines.filter(kind="handling").count() == 1
