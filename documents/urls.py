from django.urls import path

from . import views

app_name = "documents"
urlpatterns = [
    path("<int:pk>/pdf/", views.download, name="download"),
    path("case/<int:case_pk>/case-file/", views.export_case_file, name="export_case_file"),
    path("case/<int:case_pk>/evidence/", views.upload_evidence, name="upload_evidence"),
]
urlpatterns += [
    path("evidence/<int:pk>/view/", views.view_evidence, name="view_evidence"),
    path("evidence/<int:pk>/pages/<int:page>.png", views.evidence_page, name="evidence_page"),
    path("<int:pk>/view/", views.view_document, name="view_document"),
    path("<int:pk>/pages/<int:page>.png", views.document_page, name="document_page"),
]
