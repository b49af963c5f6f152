"""A party's own page (``workflows.portal``), under ``p/<token>/``: the token is the key."""

from django.urls import path

from . import portal

app_name = "portal"
urlpatterns = [
    path("<str:token>/", portal.home, name="home"),
    path("<str:token>/documents/<int:pk>/", portal.document, name="document"),
    path("<str:token>/send/", portal.send, name="send"),
    path("<str:token>/language/", portal.language, name="language"),
    path("<str:token>/s/<slug:section>/<slug:name>/", portal.section, name="section"),
]
