from django.urls import path

from . import views

app_name = "coordination"
urlpatterns = [
    path("meetings/<int:pk>/", views.meeting, name="meeting"),
    path("meetings/<int:pk>/meeting.ics", views.calendar, name="calendar"),
    path("meetings/<int:pk>/move/", views.move, name="move"),
    path("meetings/<int:pk>/draft/", views.draft, name="draft"),
    path("meetings/<int:pk>/reissue/", views.reissue, name="reissue"),
    path("meetings/<int:pk>/corrections/", views.correction, name="correction"),
    path("invitations/<int:pk>/delegate/", views.delegate, name="delegate"),
    path("invitations/<int:pk>/position/", views.position, name="position"),
    path("cases/<int:case_pk>/override/", views.override, name="override"),
    path("items/", views.items, name="items"),
    path("items/<int:pk>/progress/", views.progress, name="progress"),
]
