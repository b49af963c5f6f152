from django.urls import path

from . import views

app_name = "documents"
urlpatterns = [
    path("<int:pk>/pdf/", views.download, name="download"),
    path("case/<int:case_pk>/case-file/", views.export_case_file, name="export_case_file"),
    path("case/<int:case_pk>/evidence/", views.upload_evidence, name="upload_evidence"),
]
