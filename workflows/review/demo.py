"""The review's part of ``make demo`` (``workflows.demo``): the city committee's advisers,
and the demo's review steps a person takes outside a task (declaring, drafting, asking,
answering), as they would on the screens."""

from __future__ import annotations

import datetime

from cases.calendar import organisation_today
from cases.models import Case, Organisation, User
from workflows.stages import Demo

from . import selectors, services
from .forms import DraftForm
from .models import Adviser, AwayPeriod, ExpertiseArea, LawArticle, Question

CITY = "河源市归国华侨联合会"
COUNTY = "紫金县归国华侨联合会"
YIRONG = "紫金县义容镇侨胞之家"

# The committee (法顾委) of the city 侨联: username, employer kind, employer, title (Chinese,
# English), areas of expertise (codes of workflows/review/catalogue.py), linked units
# (挂钩联系), days away from today (start, end) or None.
ADVISERS = [
    (
        "adviser",
        "law_firm",
        "广东河源公益律师事务所",
        ("律师", "Lawyer"),
        ["ancestral_graves", "neighbouring_relations", "property_law", "burial_administration"],
        [YIRONG],
        None,
    ),
    (
        "adviser2",
        "justice_bureau",
        "河源市司法局",
        ("公职律师", "Public-sector lawyer"),
        ["petition_procedure", "mediation_law", "land", "overseas_chinese_policy"],
        [COUNTY],
        None,
    ),
    (
        "adviser3",
        "court",
        "河源市中级人民法院",
        ("审判员", "Judge"),
        ["inheritance", "inheritance_law", "civil_procedure", "family_law"],
        [],
        None,
    ),
    (
        "adviser4",
        "bar",
        "河源市律师协会",
        ("律师", "Lawyer"),
        ["ancestral_graves", "houses", "property_law"],
        [YIRONG],
        (-2, 10),
    ),
]


def _prepare(organisations: dict[str, Organisation], users: dict[str, User]) -> None:
    # Migrations seed the catalogue; a database emptied since (a test's flush) gets it here.
    services.seed_catalogue()
    today = organisation_today()
    for username, kind, employer, title, expertise, linked, away in ADVISERS:
        adviser, created = Adviser.objects.get_or_create(
            user=users[username],
            defaults={
                "committee": organisations[CITY],
                "employer_kind": kind,
                "employer": employer,
                "title": title[0],
                "title_en": title[1],
            },
        )
        if not created:
            continue
        adviser.expertise.set(ExpertiseArea.objects.filter(code__in=expertise))
        adviser.linked_units.set([organisations[name] for name in linked])
        if away:
            AwayPeriod.objects.create(
                adviser=adviser,
                starts_on=today + datetime.timedelta(days=away[0]),
                ends_on=today + datetime.timedelta(days=away[1]),
                note="出差",
            )


def _as_sent(data: dict, users: dict[str, User], case: Case) -> dict:
    """Reviewers by key, laws by the catalogue's key, a dissent per adviser."""
    sent = dict(data)
    if "lead" in data:
        sent["lead"] = users[data["lead"]].pk
        sent["members"] = [users[name].pk for name in data["members"]]
    if "laws" in data:
        sent["laws"] = [LawArticle.objects.get(law=law, article=a).pk for law, a in data["laws"]]
    for name, view in sent.pop("dissents", {}).items():
        sent[f"dissent_{users[name].pk}"] = view
    return sent


def _declare(case: Case, user: User, data: dict) -> None:
    seat = selectors.seat_in(case, user)
    services.declare(seat_pk=seat.pk, actor=user, has_conflict=False)


def _draft(case: Case, user: User, data: dict) -> None:
    seat = selectors.seat_in(case, user)
    form = DraftForm({**data, "revision": seat.opinion.revision})
    form.is_valid()
    services.save_draft(
        seat_pk=seat.pk, actor=user, data=form.cleaned_data, revision=seat.opinion.revision
    )


def _ask(case: Case, user: User, data: dict) -> None:
    seat = selectors.seat_in(case, user)
    services.ask_question(seat_pk=seat.pk, actor=user, text=data["text"])


def _answer(case: Case, user: User, data: dict) -> None:
    question = Question.objects.get(reviewer__review__case=case, answered_at__isnull=True)
    services.answer_question(question_pk=question.pk, actor=user, answer=data["answer"])


DEMO = Demo(
    prepare=_prepare,
    steps={"declare": _declare, "draft": _draft, "ask": _ask, "answer": _answer},
    as_sent=_as_sent,
)
