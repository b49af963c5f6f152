"""The agreement on a party's own page (``workflows.stages.PortalSection``)."""

SECTIONS = ()
