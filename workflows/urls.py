from django.urls import path

from . import views

app_name = "workflows"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("tasks/<int:task_pk>/", views.task, name="task"),
    path("tasks/<int:task_pk>/claim/", views.claim, name="claim"),
    path("tasks/<int:task_pk>/release/", views.release, name="release"),
    path("tasks/<int:task_pk>/send-down/", views.send_down, name="send_down"),
    path("cases/<int:case_pk>/report-up/", views.report_up, name="report_up"),
]
