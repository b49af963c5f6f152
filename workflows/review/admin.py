from django.contrib import admin

from .models import Adviser, AwayPeriod, ExpertiseArea, LawArticle, ReviewPolicy


class AwayInline(admin.TabularInline):
    model = AwayPeriod
    extra = 1


@admin.register(Adviser)
class AdviserAdmin(admin.ModelAdmin):
    list_display = ["user", "committee", "employer_kind", "employer", "is_active"]
    list_filter = ["committee", "employer_kind", "is_active", "expertise"]
    search_fields = ["user__username", "user__display_name", "employer"]
    autocomplete_fields = ["user"]
    filter_horizontal = ["expertise", "linked_units"]
    inlines = [AwayInline]


@admin.register(ExpertiseArea)
class ExpertiseAreaAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "categories"]
    search_fields = ["code", "name", "name_en"]


@admin.register(LawArticle)
class LawArticleAdmin(admin.ModelAdmin):
    list_display = ["law", "article", "topics", "is_active"]
    list_filter = ["law", "is_active"]
    search_fields = ["law", "article", "gist", "topics"]


@admin.register(ReviewPolicy)
class ReviewPolicyAdmin(admin.ModelAdmin):
    list_display = ["organisation", "working_days"]
