from django.urls import path

from . import views

app_name = "sessions"
urlpatterns = [
    path("mine/", views.mine, name="mine"),
    path("cases/<int:pk>/", views.case_page, name="case"),
    path("cases/<int:pk>/sessions/", views.schedule, name="schedule"),
    path("cases/<int:pk>/consent/", views.consent, name="consent"),
    path("cases/<int:pk>/extend/", views.extend, name="extend"),
    path("sessions/<int:pk>/move/", views.move, name="move"),
    path("sessions/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("sessions/<int:pk>/record/", views.record, name="record"),
    path("sessions/<int:pk>/calendar.ics", views.calendar_file, name="calendar"),
]
