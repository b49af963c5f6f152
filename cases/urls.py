from django.urls import path

from . import views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("export.xlsx", views.case_list_export, name="export"),
    path("my-settings/", views.preferences, name="preferences"),
    path("<int:pk>/communications/", views.add_communication, name="add_communication"),
    path("<int:pk>/notes/", views.add_note, name="add_note"),
    path("<int:pk>/participants/", views.invite, name="invite"),
    path("<int:pk>/parties/new/", views.add_party, name="add_party"),
    path("<int:pk>/parties/<int:party_pk>/", views.correct_party, name="correct_party"),
]
