from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = _("Documents")

    def ready(self) -> None:
        from cases import registry

        from .delivery import NOTICE, NOTICE_TEMPLATE

        # The notice that carries a document to a party (``delivery``).
        registry.EMAILS.add(NOTICE, NOTICE_TEMPLATE)
