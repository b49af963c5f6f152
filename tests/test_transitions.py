"""Every transition of the case status machine, allowed and refused, and its timeline row.

This is the floor's own test: cases come from intake like everywhere else, then the status
machine's service (``cases.services.transition_case``) is driven directly, which the rest
of the code leaves to the process's tasks."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cases import services
from cases.models import Case, CaseEvent, CaseStatus, Party
from cases.services import PartyInput

ACTIVE = [
    "registered",
    "screening",
    "accepted",
    "legal_review",
    "coordinating",
    "mediating",
    "following_up",
]
WORK = ["legal_review", "coordinating", "mediating"]

# transition → {source: target}, as the issue describes the process.
EXPECTED = {
    "start_screening": {"registered": "screening"},
    "accept": {"screening": "accepted"},
    "decline": {"screening": "declined"},
    "refer": {"screening": "referred"},
    "start_legal_review": {"accepted": "legal_review"},
    "start_coordination": {"legal_review": "coordinating", "mediating": "coordinating"},
    "start_mediation": {"legal_review": "mediating", "coordinating": "mediating"},
    "settle": dict.fromkeys(WORK, "settled"),
    "mark_unresolved": dict.fromkeys(WORK, "unresolved"),
    "start_follow_up": {"settled": "following_up", "unresolved": "following_up"},
    "close": {"legal_review": "closed", "following_up": "closed"},
    "withdraw": dict.fromkeys(ACTIVE, "withdrawn"),
    "suspend": dict.fromkeys(ACTIVE, "suspended"),
    "resume": {"suspended": "legal_review"},  # back where it was suspended (see PATHS)
    "reopen": {"closed": "screening", "withdrawn": "screening", "declined": "screening"},
    "return_referral": {"referred": "screening"},
}

# How to bring a new case to each state.
PATHS = {
    "registered": [],
    "screening": ["start_screening"],
    "accepted": ["start_screening", "accept"],
    "legal_review": ["start_screening", "accept", "start_legal_review"],
    "coordinating": ["start_screening", "accept", "start_legal_review", "start_coordination"],
    "mediating": ["start_screening", "accept", "start_legal_review", "start_mediation"],
    "settled": ["start_screening", "accept", "start_legal_review", "start_mediation", "settle"],
    "unresolved": [
        "start_screening",
        "accept",
        "start_legal_review",
        "start_mediation",
        "mark_unresolved",
    ],
    "following_up": [
        "start_screening",
        "accept",
        "start_legal_review",
        "start_mediation",
        "settle",
        "start_follow_up",
    ],
    "closed": ["start_screening", "accept", "start_legal_review", "close"],
    "declined": ["start_screening", "decline"],
    "referred": ["start_screening", "refer"],
    "withdrawn": ["withdraw"],
    "suspended": ["start_screening", "accept", "start_legal_review", "suspend"],
}


def codes(error) -> list[str]:
    return [e.code for e in error.value.error_list]


@pytest.fixture
def step(supervisor, other_city, outsider):
    """Perform a transition as the supervisor (who holds every case permission); the
    objection to a referral comes from the organisation it was referred to."""

    def perform(case, name, actor=None, **params):
        if name == "refer":
            params.setdefault("to", other_city)
        if name == "return_referral":
            actor = actor or outsider
        params.setdefault("reason", "理由")
        return services.transition_case(case=case, actor=actor or supervisor, name=name, **params)

    return perform


@pytest.fixture
def case_in(intake, step):
    def bring(state):
        case = intake()
        for name in PATHS[state]:
            case = step(case, name)
        assert case.status == state
        return case

    return bring


def test_it_covers_every_transition_of_the_model():
    names = {t.name for t in Case._meta.get_field("status").get_all_transitions(Case)}
    assert names == set(EXPECTED)


ALLOWED = [
    (name, source, target) for name, moves in EXPECTED.items() for source, target in moves.items()
]


@pytest.mark.parametrize(("name", "source", "target"), ALLOWED)
def test_it_performs_allowed_transition(case_in, step, supervisor, outsider, name, source, target):
    case = case_in(source)
    events = CaseEvent.objects.filter(case=case).count()

    case = step(case, name, reason="当事人同意")

    assert Case.objects.get(pk=case.pk).status == target
    event = CaseEvent.objects.filter(case=case).order_by("-id").first()
    assert CaseEvent.objects.filter(case=case).count() == events + 1
    assert (event.kind, event.transition, event.from_status, event.to_status) == (
        "transition",
        name,
        source,
        target,
    )
    assert event.actor == (outsider if name == "return_referral" else supervisor)
    assert event.reason == "当事人同意"


REFUSED = [
    (name, state)
    for name, moves in EXPECTED.items()
    for state in CaseStatus.values
    if state not in moves
]


@pytest.mark.parametrize(("name", "state"), REFUSED)
def test_it_refuses_transition_from_wrong_state(case_in, step, name, state):
    case = case_in(state)
    events = CaseEvent.objects.filter(case=case).count()

    with pytest.raises(ValidationError) as error:
        step(case, name)

    assert codes(error) == ["wrong_state"]
    assert Case.objects.get(pk=case.pk).status == state
    assert CaseEvent.objects.filter(case=case).count() == events


@pytest.mark.parametrize(
    "name", ["decline", "refer", "close", "reopen", "withdraw", "suspend", "mark_unresolved"]
)
def test_it_requires_a_reason(case_in, step, name):
    source = next(iter(EXPECTED[name]))
    case = case_in(source)

    with pytest.raises(ValidationError) as error:
        step(case, name, reason="   ")

    assert codes(error) == ["reason_required"]
    assert Case.objects.get(pk=case.pk).status == source


def test_it_refuses_referral_without_target(case_in, step):
    case = case_in("screening")
    with pytest.raises(ValidationError) as error:
        step(case, "refer", to=None)
    assert codes(error) == ["referral_target"]
    assert Case.objects.get(pk=case.pk).status == "screening"


def test_it_records_referral_target(case_in, step, other_city):
    case = step(case_in("screening"), "refer", to=other_city)
    assert Case.objects.get(pk=case.pk).referred_to == other_city


def test_it_needs_a_claimant_at_intake(intake, association):
    with pytest.raises(ValidationError) as error:
        intake(parties=[PartyInput(role=Party.Role.RESPONDENT, association=association)])
    assert codes(error) == ["no_claimant"]
    assert not Case.objects.exists()


@pytest.mark.parametrize("name", ["accept", "decline", "refer"])
def test_it_leaves_acceptance_decisions_to_the_supervisor(case_in, step, officer, name):
    case = case_in("screening")
    with pytest.raises(PermissionDenied):
        step(case, name, actor=officer)
    assert Case.objects.get(pk=case.pk).status == "screening"


def test_it_leaves_closure_to_the_supervisor(case_in, step, officer):
    case = case_in("following_up")
    with pytest.raises(PermissionDenied):
        step(case, "close", actor=officer)
    assert Case.objects.get(pk=case.pk).status == "following_up"


def test_it_lets_the_officer_route_the_case(case_in, step, officer):
    case = step(case_in("accepted"), "start_legal_review", actor=officer)
    assert case.status == "legal_review"


def test_it_refuses_users_of_another_organisation(case, step, outsider):
    with pytest.raises(PermissionDenied):
        step(case, "start_screening", actor=outsider)
    assert Case.objects.get(pk=case.pk).status == "registered"


def test_it_takes_the_objection_only_from_the_receiving_organisation(case_in, step, supervisor):
    case = case_in("referred")
    with pytest.raises(PermissionDenied):
        step(case, "return_referral", actor=supervisor)
    case = step(case, "return_referral")
    assert (case.status, case.referred_to) == ("screening", None)


def test_it_resumes_where_the_case_was_suspended(case_in, step):
    case = step(case_in("mediating"), "suspend")
    assert case.suspended_from == "mediating"
    case = step(case, "resume")
    assert (case.status, case.suspended_from) == ("mediating", "")


def test_it_refuses_unknown_steps(case, step):
    with pytest.raises(ValidationError) as error:
        step(case, "delete")
    assert codes(error) == ["unknown_step"]


def test_it_forbids_setting_the_status_directly(case):
    with pytest.raises(AttributeError):
        case.status = "closed"


def test_it_records_registration_on_the_timeline(case, officer):
    event = case.events.get()
    assert (event.kind, event.to_status, event.actor) == ("registration", "registered", officer)
