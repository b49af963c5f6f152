"""`seed_demo` loads the Zijin example and cases at every stage, and is idempotent.

The demo is seeded once for the module (conftest.built_once); each test runs in a savepoint
of its own, so what one writes (a login, a second seeding) is gone before the next."""

import pytest
from django.apps import apps
from django.core.management import call_command
from django.http import HttpRequest

from cases.models import Case, Party
from workflows.demo import DEMO_PASSWORD

from .conftest import built_once


def _counts() -> dict[str, int]:
    return {
        m._meta.label: m.objects.count()
        for m in apps.get_models()
        if m._meta.app_label in {"cases", "documents", "auth", "mediation_sessions", "agreements"}
    }


def _seed() -> None:
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


module_media, media_root, built = built_once(_seed)


@pytest.fixture
def seeded(db, built):
    pass


def test_it_is_idempotent(seeded):
    before = _counts()
    numbers = sorted(Case.objects.values_list("number", "status"))
    _seed()
    assert _counts() == before
    assert sorted(Case.objects.values_list("number", "status")) == numbers


def test_it_registers_the_zijin_case_for_the_clan_association(seeded):
    case = Case.objects.get(title__contains="谭氏宗亲会")
    assert case.status == "closed"
    assert case.category == "ancestral_graves"
    assert case.handling_organisation.name == "紫金县义容镇侨胞之家"
    claimant = case.parties.get(role=Party.Role.CLAIMANT)
    assert claimant.association.name == "马来西亚谭氏宗亲会"
    representatives = case.parties.filter(role=Party.Role.REPRESENTATIVE, on_behalf_of=claimant)
    assert representatives.count() == 2
    assert {str(p.person.time_zone) for p in representatives} == {"Asia/Kuala_Lumpur"}


def test_it_has_cases_in_many_states_and_categories(seeded):
    assert sorted(Case.objects.values_list("status", "category")) == [
        ("accepted", "houses"),
        ("closed", "ancestral_graves"),
        ("closed", "returnee_affairs"),
        ("coordinating", "investment"),
        ("declined", "marriage_family"),
        ("following_up", "land"),
        ("legal_review", "inheritance"),
        ("mediating", "houses"),
        ("mediating", "houses"),
        ("mediating", "land"),
        ("referred", "land"),
        ("screening", "houses"),
        ("settled", "ancestral_graves"),
        ("settled", "houses"),
        ("unresolved", "investment"),
    ]


@pytest.mark.parametrize(
    ("username", "permission", "allowed"),
    [
        ("admin", "cases.approve_closure", True),
        ("officer", "cases.add_note", True),
        ("yirong_head", "cases.decide_acceptance", True),
        ("officer", "cases.decide_acceptance", False),
        ("city_officer", "cases.read_case", False),
        # 钟伟's natural resources bureau was invited to the Zijin coordination meeting.
        ("liaison", "cases.read_case", True),
        ("supervisor", "cases.read_case", True),  # the city supervises the township
        ("supervisor", "cases.add_note", False),
        # Membership of the city 侨联 is no permission: an adviser reads the cases they
        # were seated on (adviser: the Zijin review's lead), not the others'.
        ("adviser", "cases.read_case", True),
        ("adviser3", "cases.read_case", False),
        ("adviser", "cases.add_note", False),
        # The county mediator mediates the Zijin case (declared no conflict).
        ("mediator", "cases.read_case", True),
        ("mediator", "cases.add_note", False),
        ("mediator_my", "cases.read_case", False),
    ],
)
def test_it_creates_the_demo_logins(
    seeded, client, django_user_model, username, permission, allowed
):
    # django-axes checks every authentication and needs the request it comes with.
    assert client.login(request=HttpRequest(), username=username, password=DEMO_PASSWORD)
    zijin = Case.objects.get(title__contains="谭氏宗亲会")
    user = django_user_model.objects.get(username=username)
    assert user.has_perm(permission, zijin) is allowed


def test_it_gives_the_officer_only_her_organisation_s_cases(seeded, client):
    client.login(request=HttpRequest(), username="officer", password=DEMO_PASSWORD)
    page = client.get("/cases/").content.decode()
    assert "谭氏宗亲会" in page
    assert "侨商投资合同纠纷" not in page


def test_it_takes_the_zijin_case_through_the_committee_s_review(seeded):
    """Two advisers (adviser as lead, adviser2), a question answered, a signed 法律意见书;
    the officer's route is next, the committee's recommendation chosen."""
    from workflows.review.models import LegalReview, Question

    case = Case.objects.get(title__contains="谭氏宗亲会")
    review = LegalReview.objects.get(case=case)
    assert review.status == "signed"
    seats = {s.adviser.username: s for s in review.reviewers.all()}
    assert seats.keys() == {"adviser", "adviser2"} and seats["adviser"].is_lead
    question = Question.objects.get(reviewer__review=review)
    assert question.reviewer.adviser.username == "adviser2" and question.answer
    assert review.opinion.document.kind == "legal_opinion"
    assert review.opinion.dissents.get().adviser.username == "adviser2"
    # The officer took the committee's recommendation: coordination, then mediation.
    assert review.opinion.route == "both"
    assert case.processes.get().route == "both"


def test_it_holds_the_zijin_meeting_with_the_seven_bodies(seeded):
    """Seven bodies invited; the housing bureau's reply handed to a colleague; the
    petitions bureau excused; the 纪要 final; four action items: two done, one in
    progress, one overdue and escalated to its department's head; the supervisor then
    let the case go on to mediation without the two still open."""
    from cases.models import Message
    from mediation.coordination.models import Meeting

    meeting = Meeting.objects.get(case__title__contains="谭氏宗亲会")
    replies = {i.organisation.name: i for i in meeting.invitations.all()}
    assert len(replies) == 7 and "紫金县归国华侨联合会" in replies
    assert replies["紫金县住房和城乡建设局"].delegated_to.username == "housing2"
    assert replies["紫金县信访局"].status == "declined"
    assert meeting.status == "finalised" and meeting.minutes.number == "义侨维纪〔2026〕1号"
    items = {a.organisation.name: a.status for a in meeting.actions.all()}
    assert sorted(items.values()) == ["done", "done", "overridden", "overridden"]
    assert meeting.actions.get(organisation__name="紫金县自然资源局").clock.escalated_at
    told = Message.objects.filter(kind="escalation", case=meeting.case)
    assert "resources_head" in set(told.values_list("recipient__username", flat=True))
    snapshot = meeting.minutes.snapshot["meeting"]
    assert [p["name"] for p in snapshot["excused"]] == ["曾静"]
    assert [p["name"] for p in snapshot["non_voting"]] == ["李明"]


def test_it_leaves_a_case_waiting_on_adviser3_with_a_draft(seeded):
    from workflows.review.models import Reviewer

    seat = Reviewer.objects.get(adviser__username="adviser3", status="reviewing")
    assert seat.opinion.facts and not seat.opinion.submitted_at
    assert seat.review.case.title == "归侨遗产继承公证受阻"


def test_it_mediates_the_zijin_case_online_with_the_representatives_consent(seeded):
    """The county mediator serves; both Malaysian representatives consented (online
    mediation, e-mail, documents abroad); two rounds held online, each with its 调解笔录
    issued, the second set in Kuala Lumpur time; the mediator recorded a written
    agreement."""
    from cases.models import Consent
    from cases.selectors import has_consent
    from mediation.sessions.models import MediationSession
    from mediation.sessions.selectors import serving_mediator

    case = Case.objects.get(title__contains="谭氏宗亲会")
    assert serving_mediator(case).user.username == "mediator"
    for party in case.parties.filter(role=Party.Role.REPRESENTATIVE):
        for purpose in Consent.Purpose.values:
            assert has_consent(party, purpose), (party, purpose)
    first, second = MediationSession.objects.filter(case=case).order_by("round")
    assert (first.status, first.record.status) == ("held", "issued")
    assert first.record.document.kind == "session_record"
    assert (second.status, second.mode, str(second.set_in_zone)) == (
        "held",
        "online",
        "Asia/Kuala_Lumpur",
    )
    assert second.record.status == "issued" and first.starts_at < second.starts_at
    assert case.deadlines.get(kind="mediation").starts_on is not None
    assert case.mediation_results.get().kind == "written"


def _zijin_agreement():
    from mediation.agreements.models import SettlementAgreement

    return SettlementAgreement.objects.get(case__title__contains="谭氏宗亲会")


def test_it_closes_the_zijin_case_on_its_agreement(seeded):
    """Drafted from the two proposals both sides accepted; the representatives confirmed
    through their links with an e-mailed code (谭永康 the first version, void once the
    English was changed; both the second), 谭伯华 on paper, the mediator signed last;
    the agreement is in effect, signed with the organisation's seal."""
    agreement = _zijin_agreement()
    assert agreement.status == "effective" and agreement.effective_on
    assert agreement.effective_document.snapshot["signed"] is True
    confirmations = {
        (c.method, c.party.person.name_zh if c.party_id else "", c.voided_at is None)
        for c in agreement.confirmations.select_related("party__person")
    }
    assert confirmations == {
        ("link", "谭永康", False),
        ("link", "谭永康", True),
        ("link", "谭丽珍", True),
        ("paper", "谭伯华", True),
        ("mediator", "", True),
    }
    online = agreement.confirmations.filter(method="link")
    assert all(c.ip and "Mozilla" in c.user_agent and c.email for c in online)
    assert sorted(c.document.version for c in online) == [1, 2, 2]
    paper = agreement.confirmations.get(method="paper")
    assert paper.evidence.item == "08" and paper.sha256 == paper.document.sha256
    texts = [t.text for t in agreement.terms.order_by("order")]
    assert texts[0].startswith("谭伯华移除墓地周边两米") and "原有规模" in texts[1]


def test_it_performs_the_zijin_agreement_and_follows_it_up(seeded):
    """The joint application for judicial confirmation drawn up and filed within the 30
    days; both terms performed with their 履行凭证; a visit to 谭伯华 and 谭永康's answer
    through his link, each satisfied (5) with its 回访记录; closure approved."""
    agreement = _zijin_agreement()
    judicial = agreement.judicial_confirmation
    assert judicial.application.kind == "judicial_application" and judicial.applied_on
    assert judicial.court == "紫金县人民法院"
    for term in agreement.terms.all():
        assert term.status == "done"
        assert term.events.get(kind="performed").evidence.item == "09"
    visits = list(agreement.case.follow_up_visits.all())
    assert {(v.method, v.satisfaction) for v in visits} == {("visit", 5), ("link", 5)}
    assert {v.document.kind for v in visits} == {"follow_up_record"}
    assert agreement.case.events.filter(to_status="closed").exists()


def test_it_exports_the_zijin_case_file_with_nothing_missing(seeded):
    case = Case.objects.get(title__contains="谭氏宗亲会")
    case_file = case.documents.get(kind="case_file")
    assert case_file.rendering == "ready" and case_file.snapshot["missing"] == []
    assert case_file.page_count > 30
    titles = {entry["title"].split()[0] for entry in case_file.snapshot["entries"]}
    assert {"人民调解协议书", "司法确认申请书", "回访记录", "结案报告"} <= titles


@pytest.mark.parametrize(
    ("title", "status", "state", "task"),
    [
        # The draft saved: the mediator's signing task waits for it to be sent.
        ("马来西亚华人祖屋出租收益分配纠纷", "mediating", "draft", "sign_agreement"),
        ("新加坡华侨祖屋通道相邻纠纷", "mediating", "confirming", "sign_agreement"),
        ("香港同胞祖屋修缮款返还纠纷", "settled", "effective", "track_performance"),
        ("泰国华人祖坟迁葬补偿纠纷", "settled", "effective", "follow_up_visit"),
    ],
)
def test_it_leaves_cases_waiting_at_each_step_of_the_agreement(seeded, title, status, state, task):
    from mediation.agreements.models import SettlementAgreement
    from workflows.selectors import open_tasks_of

    case = Case.objects.get(title=title)
    assert (case.status, SettlementAgreement.objects.get(case=case).status) == (status, state)
    assert [t.flow_task.name for t in open_tasks_of(case)] == [task]


def test_it_leaves_one_party_to_confirm(seeded):
    from mediation.agreements import selectors

    agreement = selectors.agreement_of(Case.objects.get(title="新加坡华侨祖屋通道相邻纠纷"))
    assert [c.party.person.name_zh for c in selectors.party_confirmations(agreement)] == ["罗志坚"]
    assert [p.person.name_zh for p in selectors.unconfirmed(agreement)] == ["刘德胜"]


def test_it_leaves_a_term_overdue_and_one_said_not_performed(seeded):
    """The day's sweep found term one past its date and told the officer; term two went
    back to the mediator on the claimant's word through her link."""
    from cases.models import Message
    from mediation.agreements import selectors

    agreement = selectors.agreement_of(Case.objects.get(title="香港同胞祖屋修缮款返还纠纷"))
    first, second = agreement.terms.order_by("order")
    assert first.status == "pending" and first.overdue_alerted_on
    assert second.status == "disputed"
    assert second.events.get(kind="disputed").party.person.name_zh == "古月娥"
    assert Message.objects.filter(
        case=agreement.case, kind="agreements_term", recipient__username="city_officer"
    ).exists()
