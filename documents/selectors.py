from django.db.models import Prefetch, QuerySet, prefetch_related_objects

from cases.selectors import visible_cases

from .casefile import contents, slot_name
from .models import Document, Evidence


def visible_documents(user) -> QuerySet[Document]:
    """Documents of the cases the user may see; nothing else is downloadable."""
    return Document.objects.filter(case__in=visible_cases(user))


def case_documents(case) -> list[Document]:
    """The case's documents as issued, each with the version it replaces. Prefetched onto
    the case: the case file's check (``casefile.contents``) reads them from there."""
    documents = Document.objects.select_related("replaces").order_by("issued_at", "id")
    prefetch_related_objects([case], Prefetch("documents", queryset=documents))
    return list(case.documents.all())


def missing_case_file_items(case) -> list[str]:
    """The required items the case file still lacks, named in the reader's language."""
    return [slot_name(label) for label in contents(case).missing]


def visible_evidence(user) -> QuerySet[Evidence]:
    """Evidence of the cases the user may see; nothing else can be viewed."""
    return Evidence.objects.filter(case__in=visible_cases(user))
