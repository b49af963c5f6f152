from django.db.models import QuerySet

from cases.selectors import visible_cases

from .casefile import contents, slot_name
from .models import Document, Evidence


def visible_documents(user) -> QuerySet[Document]:
    """Documents of the cases the user may see; nothing else is downloadable."""
    return Document.objects.filter(case__in=visible_cases(user))


def case_documents(case) -> QuerySet[Document]:
    return case.documents.select_related("replaces").order_by("issued_at", "id")


def missing_case_file_items(case) -> list[str]:
    """The required items the case file still lacks, named in the reader's language."""
    return [slot_name(label) for label in contents(case).missing]


def visible_evidence(user) -> QuerySet[Evidence]:
    """Evidence of the cases the user may see; nothing else can be viewed."""
    return Evidence.objects.filter(case__in=visible_cases(user))
