"""The stages' own templates come first.

Every app's ``templates/`` folder shares one namespace: with the app-directories loader, a
stage's ``documents/print/<kind>.html`` would be hidden by one of the same name in an app
listed before it. This loader reads only the folders the stages registered
(``cases.registry.TEMPLATE_DIRS``) and stands first in ``TEMPLATES``, so a stage's template
is the one found, and a stage may live outside ``INSTALLED_APPS`` (one under ``tests/``).
"""

from __future__ import annotations

from django.template.loaders.filesystem import Loader as FilesystemLoader

from .registry import template_dirs


class StageLoader(FilesystemLoader):
    def get_dirs(self):
        return template_dirs()
