from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from workflows import stages

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="workflows:queue"), name="home"),
    path("", include("workflows.urls")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("cases/", include("cases.urls")),
    path("documents/", include("documents.urls")),
    # A party's own page, opened by their link without a login (workflows.portal).
    path("p/", include("workflows.portal_urls")),
    path("admin/", admin.site.urls),
    # Each stage's own pages (workflows.stages).
    *stages.urlpatterns(),
]
