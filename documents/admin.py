from django.contrib import admin

from cases.admin import ReadOnlyAdmin

from .models import Document, Evidence, NumberSequence


@admin.register(NumberSequence)
class NumberSequenceAdmin(ReadOnlyAdmin):
    """Read-only: a number edited by hand would leave a gap or a duplicate."""

    list_display = ["prefix", "year", "kind", "last_value"]
    list_filter = ["year", "kind"]


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdmin):
    """Documents are issued by the steps of a case and never edited by hand."""

    list_display = ["case", "kind", "number", "version", "status", "rendering", "issued_at"]
    list_filter = ["kind", "status", "rendering"]
    search_fields = ["case__number", "number"]


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyAdmin):
    list_display = ["case", "item", "title", "page_count", "uploaded_by", "uploaded_at"]
    list_filter = ["item"]
    search_fields = ["case__number", "title"]
