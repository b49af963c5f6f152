from django.urls import path

from . import views

app_name = "agreements"
urlpatterns = [
    path("cases/<int:case_pk>/", views.case_page, name="case"),
    path("cases/<int:case_pk>/draft/", views.draft, name="draft"),
    path("cases/<int:case_pk>/paper/", views.paper, name="paper"),
    path("cases/<int:case_pk>/judicial/apply/", views.judicial_apply, name="judicial_apply"),
    path("cases/<int:case_pk>/judicial/filed/", views.judicial_filed, name="judicial_filed"),
    path("cases/<int:case_pk>/judicial/ruling/", views.judicial_ruling, name="judicial_ruling"),
    path("cases/<int:case_pk>/terms/<int:term_pk>/done/", views.term_done, name="term_done"),
    path("cases/<int:case_pk>/terms/<int:term_pk>/undone/", views.term_undone, name="term_undone"),
    path(
        "cases/<int:case_pk>/terms/<int:term_pk>/resolve/",
        views.term_resolve,
        name="term_resolve",
    ),
    path("cases/<int:case_pk>/visits/", views.visit, name="visit"),
]
