from django.urls import path

from . import case_views, party_links, views

app_name = "workflows"
urlpatterns = [
    path("queue/", views.queue, name="queue"),
    path("queue/export.xlsx", views.queue_export, name="queue_export"),
    path("queue/tasks/<int:task_pk>/", views.task, name="task"),
    path("queue/tasks/<int:task_pk>/claim/", views.claim, name="claim"),
    path("queue/tasks/<int:task_pk>/release/", views.release, name="release"),
    path("queue/tasks/<int:task_pk>/send-down/", views.send_down, name="send_down"),
    path("queue/cases/<int:case_pk>/report-up/", views.report_up, name="report_up"),
    path("cases/new/", case_views.case_register, name="register"),
    path("cases/<int:pk>/", case_views.case_detail, name="case"),
    path("cases/<int:pk>/panels/<slug:name>/", case_views.case_panel, name="case_panel"),
    path("cases/<int:pk>/extension/", case_views.extend_deadline, name="extend_deadline"),
    path("cases/<int:pk>/withdraw/", case_views.withdraw, name="withdraw"),
    path("cases/<int:pk>/suspend/", case_views.suspend, name="suspend"),
    path("cases/<int:pk>/resume/", case_views.resume, name="resume"),
    path("cases/<int:pk>/reopen/", case_views.reopen, name="reopen"),
    path("cases/<int:pk>/links/", party_links.issue, name="issue_link"),
    path("cases/<int:pk>/links/<int:link_pk>/revoke/", party_links.revoke, name="revoke_link"),
]
