from django.contrib import admin

from cases.admin import ReadOnlyAdmin

from .models import NumberSequence


@admin.register(NumberSequence)
class NumberSequenceAdmin(ReadOnlyAdmin):
    """Read-only: a number edited by hand would leave a gap or a duplicate."""

    list_display = ["prefix", "year", "kind", "last_value"]
    list_filter = ["year", "kind"]
