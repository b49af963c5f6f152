"""Which apps' static files are collected."""

from django.contrib.staticfiles.finders import AppDirectoriesFinder

# viewflow's own frontend (its Material pages) is switched off (VIEWFLOW AUTOREGISTER), and
# its 49 MB of scripts, fonts and styles are served by no page here; compressing them made
# `collectstatic` (and so `make demo`) take a minute on two cores.
NOT_SERVED = ("viewflow", "viewflow.workflow")


class ServedAppsFinder(AppDirectoriesFinder):
    """The static files of every installed app whose pages are served."""

    def __init__(self, app_names=None, *args, **kwargs) -> None:
        from django.apps import apps

        served = [c.name for c in apps.get_app_configs() if c.name not in NOT_SERVED]
        super().__init__(app_names or served, *args, **kwargs)
