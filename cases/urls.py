from django.urls import path

from . import views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.case_register, name="register"),
    path("my-settings/", views.preferences, name="preferences"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/communications/", views.add_communication, name="add_communication"),
    path("<int:pk>/notes/", views.add_note, name="add_note"),
    path("<int:pk>/participants/", views.invite, name="invite"),
    path("<int:pk>/extension/", views.extend_deadline, name="extend_deadline"),
]
