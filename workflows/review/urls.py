from django.urls import path

from . import views

app_name = "review"
urlpatterns = [
    path("seats/<int:seat_pk>/declare/", views.declare, name="declare"),
    path("seats/<int:seat_pk>/draft/", views.save_draft, name="save_draft"),
    path("seats/<int:seat_pk>/questions/", views.ask, name="ask"),
    path("seats/<int:seat_pk>/replace/", views.replace, name="replace"),
    path("questions/<int:question_pk>/answer/", views.answer, name="answer"),
    path("committee/", views.committee, name="committee"),
]
