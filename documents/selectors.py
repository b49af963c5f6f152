from django.db.models import QuerySet

from cases.selectors import visible_cases

from .casefile import contents
from .models import Document


def visible_documents(user) -> QuerySet[Document]:
    """Documents of the cases the user may see; nothing else is downloadable."""
    return Document.objects.filter(case__in=visible_cases(user))


def case_documents(case) -> QuerySet[Document]:
    return case.documents.select_related("replaces").order_by("issued_at", "id")


def missing_case_file_items(case) -> list[str]:
    return contents(case).missing
