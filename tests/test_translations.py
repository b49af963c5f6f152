"""Chinese is the first language of the interface: the catalogue has no gaps."""

import subprocess
from pathlib import Path

from django.conf import settings

PO = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def test_it_translates_every_message():
    untranslated = subprocess.run(
        ["msgattrib", "--untranslated", "--no-obsolete", str(PO)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    fuzzy = subprocess.run(
        ["msgattrib", "--only-fuzzy", "--no-obsolete", str(PO)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "msgid" not in untranslated, untranslated
    assert "msgid" not in fuzzy, fuzzy


def test_it_compiles_without_errors():
    subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(PO)], check=True)
