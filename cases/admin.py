from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from . import services
from .models import (
    Association,
    CalendarOverride,
    Case,
    CaseEvent,
    CaseParticipant,
    Deadline,
    Membership,
    Message,
    Organisation,
    Party,
    Person,
    User,
)
from .pii import mask


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records only the application writes: the admin shows them, nothing more."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


admin.site.site_header = _("Qiaowei case management")
admin.site.site_title = _("Qiaowei")


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["organisation"]


@admin.register(User)
class QiaoweiUserAdmin(UserAdmin):
    inlines = [MembershipInline]
    fieldsets = (
        *UserAdmin.fieldsets,
        (_("Preferences"), {"fields": ("display_name", "time_zone", "language")}),
    )
    list_display = ["username", "display_name", "email", "is_active", "is_superuser"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "level", "parent", "number_prefix"]
    list_filter = ["kind", "level"]
    search_fields = ["name", "region"]
    autocomplete_fields = ["parent"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role"]
    list_filter = ["role", "organisation"]
    autocomplete_fields = ["user", "organisation"]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["__str__", "residence_country", "time_zone", "masked_id"]
    search_fields = ["name_zh", "name_latin", "phone", "email"]
    list_filter = ["residence_country"]

    @admin.display(description=_("ID document number"))
    def masked_id(self, person: Person) -> str:
        return mask(person.id_document_number)


@admin.register(Association)
class AssociationAdmin(admin.ModelAdmin):
    list_display = ["name", "name_latin", "country"]
    search_fields = ["name", "name_latin"]
    filter_horizontal = ["representatives"]


class PartyInline(admin.TabularInline):
    model = Party
    fk_name = "case"
    extra = 0
    autocomplete_fields = ["person", "association", "organisation"]


class DeadlineInline(admin.TabularInline):
    model = Deadline
    extra = 0
    can_delete = False
    readonly_fields = [f.name for f in Deadline._meta.fields]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Deadline)
class DeadlineAdmin(ReadOnlyAdmin):
    """Clocks move with the case; the supervisor's extension is a service, not an edit."""

    list_display = ["case", "kind", "starts_on", "due_on", "extension_days", "stopped_on"]
    list_filter = ["kind"]
    search_fields = ["case__number"]


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    # Status is changed only through the case process, never by editing the field.
    list_display = ["number", "title", "category", "status", "handling_organisation", "received_on"]
    list_filter = ["status", "category", "channel", "handling_organisation"]
    search_fields = ["number", "title"]
    # Who handles the case moves with its tasks: only by reporting up, referring or
    # sending down, never by editing these fields here.
    readonly_fields = [
        "number",
        "status",
        "suspended_from",
        "accepted_on",
        "settled_on",
        "handling_organisation",
        "referred_to",
    ]
    inlines = [PartyInline, DeadlineInline]

    def has_add_permission(self, request) -> bool:
        return False  # cases are registered through the intake form, which numbers them


@admin.register(CaseEvent)
class CaseEventAdmin(ReadOnlyAdmin):
    """The timeline is append-only: the admin can read it, nothing more."""

    list_display = [
        "case",
        "kind",
        "transition",
        "from_status",
        "to_status",
        "actor",
        "occurred_at",
    ]
    list_filter = ["kind"]
    search_fields = ["case__number", "summary", "reason"]


@admin.register(CaseParticipant)
class CaseParticipantAdmin(ReadOnlyAdmin):
    """Advisers, mediators and departments are brought in on the case page, on the timeline."""

    list_display = ["case", "relation", "user", "organisation", "added_by", "added_at"]
    list_filter = ["relation"]
    search_fields = ["case__number"]


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    """The outbox: what was sent, what waits for the mail server, and why it failed."""

    list_display = ["to_address", "subject", "kind", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status", "kind"]
    search_fields = ["to_address", "subject", "case__number"]
    # A notice's PDF, as bytes, is no reading for the page: its name and type are shown.
    exclude = ["attachment_data"]


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    list_display = ["day", "is_working_day", "note"]
    actions = None  # a bulk delete would skip recomputing the clocks

    def save_model(self, request, obj, form, change) -> None:
        services.set_calendar_override(
            day=obj.day, is_working_day=obj.is_working_day, note=obj.note
        )

    def delete_model(self, request, obj) -> None:
        services.remove_calendar_override(day=obj.day)
