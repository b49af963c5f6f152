from django.urls import path

from . import views

app_name = "agreements"
urlpatterns = [
    path("cases/<int:case_pk>/", views.case_page, name="case"),
]
