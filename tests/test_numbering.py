"""Document numbers (文号): format, separate sequences, no gaps, safe under concurrency."""

import pytest
from django.db import transaction

from documents.models import NumberSequence
from documents.numbering import DocumentNumber
from documents.services import allocate_number

from .conftest import at_once


def test_it_formats_numbers_without_di_or_padding():
    assert str(DocumentNumber("河侨维", 2026, 12)) == "河侨维〔2026〕12号"
    assert str(DocumentNumber("河侨维", 2026, 3)) == "河侨维〔2026〕3号"


def test_it_numbers_each_prefix_year_and_kind_separately(db):
    take = allocate_number
    assert str(take(organisation_prefix="河侨维", kind="notice", year=2026)) == "河侨维〔2026〕1号"
    assert str(take(organisation_prefix="河侨维", kind="notice", year=2026)) == "河侨维〔2026〕2号"
    assert (
        str(take(organisation_prefix="河侨维", kind="letter", year=2026)) == "河侨维函〔2026〕1号"
    )
    assert str(take(organisation_prefix="河侨维", kind="notice", year=2027)) == "河侨维〔2027〕1号"
    assert str(take(organisation_prefix="紫侨维", kind="notice", year=2026)) == "紫侨维〔2026〕1号"


def test_it_gives_a_rolled_back_number_back(db):
    allocate_number(organisation_prefix="河侨维", kind="notice", year=2026)
    with pytest.raises(RuntimeError), transaction.atomic():
        allocate_number(organisation_prefix="河侨维", kind="notice", year=2026)
        raise RuntimeError("the document was not stored")
    number = allocate_number(organisation_prefix="河侨维", kind="notice", year=2026)
    assert number.sequence == 2


def test_it_refuses_an_organisation_without_prefix(db):
    with pytest.raises(ValueError):
        allocate_number(organisation_prefix="", kind="notice", year=2026)


def test_it_numbers_cases_at_registration(case, intake):
    second = intake(title="第二件")
    assert case.number == "河侨维案〔2026〕1号"
    assert second.number == "河侨维案〔2026〕2号"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_it_has_no_duplicate_and_no_gap_under_concurrency():
    def work(index):
        taken = []
        for n in range(10):
            with transaction.atomic():
                number = allocate_number(organisation_prefix="河侨维", kind="notice", year=2026)
                if (index + n) % 7 == 0:
                    # Some callers roll back: their numbers must be reissued.
                    transaction.set_rollback(True)
                    continue
            taken.append(number.sequence)
        return taken

    results = at_once(*[lambda i=i: work(i) for i in range(12)])

    taken = [n for result in results for n in result]
    assert len(taken) == len(set(taken)), "a number was issued twice"
    assert sorted(taken) == list(range(1, len(taken) + 1)), "the sequence has a gap"
    assert NumberSequence.objects.get(kind="notice").last_value == len(taken)
