"""The Traditional Chinese catalogue (zh_Hant), made from the Simplified one (zh_Hans).

`make messages` runs it after makemessages has collected the messages into both catalogues;
run it again (`manage.py traditional_catalogue`) after translating new messages in zh_Hans.

Which entries it writes: an entry of zh_Hant is the machine's while it carries the
translator comment ``opencc <digest>`` and the digest is still that of its text. Those, and
the untranslated and fuzzy ones, get OpenCC's conversion of the zh_Hans translation, so
they follow every change there. Any other translated entry is a person's and is kept: one
who corrects a conversion edits the text (its digest no longer matches, and the comment is
dropped) and need not remember to remove the mark. To hand an entry back to the machine,
empty its msgstr. An entry whose zh_Hans translation is missing or fuzzy is left as it is:
the tests flag the gap in zh_Hans first.

polib reads and writes the catalogue, and msgcat then lays it out as makemessages does, so
a second run changes nothing.
"""

import hashlib
import subprocess
from collections.abc import Callable, Iterable
from pathlib import Path

import opencc
import polib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

# Characters only, in the forms of Hong Kong print ("s2hk": 為, 説, 裏): those that readers
# of traditional characters in Hong Kong and Macau, and in the communities abroad that
# came from there (Vancouver, Malaysia's Cantonese towns), know from their newspapers. The
# words stay those of the zh_Hans text: the cases are under the law of the mainland, and
# its terms (信息, 调解, 复核) should read the same in both scripts, which "s2twp" would
# rewrite into Taiwan's vocabulary (資訊, 軟體). Plain "s2t" gives OpenCC's etymological
# forms (爲, 着), rare in any print today.
CONVERSION = "s2hk"
# Where OpenCC's longest match takes the wrong word, its text and the right one: 侨维系统
# (the product's system) read as 维系 (to maintain) + 统.
CORRECTIONS = {"僑維繫統": "僑維系統"}
MARK = "opencc"

HEADER = (
    "Qiaowei: Traditional Chinese, made from zh_Hans by `manage.py traditional_catalogue`\n"
    "(see that command for which entries a person may edit)."
)
# The header fields that say who keeps the catalogue and when it was last revised: as
# zh_Hans has them, since this one follows it.
SHARED_HEADER_FIELDS = (
    "Project-Id-Version",
    "PO-Revision-Date",
    "Last-Translator",
    "Language-Team",
    "Content-Type",
    "Content-Transfer-Encoding",
    "Plural-Forms",
)


def catalogue_path(locale: str) -> Path:
    """The interface catalogue of ``locale`` (``zh_Hans``, ``zh_Hant``)."""
    return Path(settings.LOCALE_PATHS[0]) / locale / "LC_MESSAGES" / "django.po"


def converter() -> Callable[[str], str]:
    """The conversion the zh_Hant catalogue is made with: OpenCC's, then the corrections."""
    opencc_converter = opencc.OpenCC(CONVERSION)

    def convert(text: str) -> str:
        text = opencc_converter.convert(text)
        for wrong, right in CORRECTIONS.items():
            text = text.replace(wrong, right)
        return text

    return convert


def _texts(entry: polib.POEntry) -> list[str]:
    if entry.msgid_plural:
        return [entry.msgstr_plural[index] for index in sorted(entry.msgstr_plural)]
    return [entry.msgstr]


def _digest(texts: Iterable[str]) -> str:
    return hashlib.sha256("\0".join(texts).encode()).hexdigest()[:12]


def _comments(entry: polib.POEntry) -> list[str]:
    return entry.tcomment.splitlines() if entry.tcomment else []


def _mark(entry: polib.POEntry) -> str | None:
    """The digest the machine left on ``entry``, if any."""
    for line in _comments(entry):
        word, _, digest = line.partition(" ")
        if word == MARK:
            return digest
    return None


def _set_mark(entry: polib.POEntry, digest: str | None) -> None:
    lines = [line for line in _comments(entry) if line.partition(" ")[0] != MARK]
    if digest:
        lines.append(f"{MARK} {digest}")
    entry.tcomment = "\n".join(lines)


def _is_machines(entry: polib.POEntry) -> bool:
    return entry.fuzzy or not entry.translated() or _mark(entry) == _digest(_texts(entry))


def _key(entry: polib.POEntry) -> tuple[str | None, str, str]:
    return entry.msgctxt, entry.msgid, entry.msgid_plural


def _convert(entry: polib.POEntry, source: polib.POEntry, convert: Callable[[str], str]) -> None:
    if source.msgid_plural:
        entry.msgstr_plural = {index: convert(text) for index, text in source.msgstr_plural.items()}
    else:
        entry.msgstr = convert(source.msgstr)
    if entry.fuzzy:
        entry.flags.remove("fuzzy")
    entry.previous_msgctxt = entry.previous_msgid = entry.previous_msgid_plural = None
    _set_mark(entry, _digest(_texts(entry)))


def make_traditional(simplified: polib.POFile, traditional: polib.POFile) -> dict[str, int]:
    """Fills ``traditional`` from ``simplified`` (the rule in this module's docstring);
    returns how many entries were converted, kept as a person wrote them, and left
    untranslated for want of a zh_Hans translation."""
    convert = converter()
    sources = {_key(entry): entry for entry in simplified.translated_entries()}
    counts = {"converted": 0, "kept": 0, "waiting": 0}
    for entry in traditional:
        if entry.obsolete:
            continue
        source = sources.get(_key(entry))
        if not _is_machines(entry):
            _set_mark(entry, None)  # edited by a person who left the mark: theirs now
            counts["kept"] += 1
        elif source is None:
            counts["waiting"] += 1
        else:
            _convert(entry, source, convert)
            counts["converted"] += 1
    _set_header(traditional, simplified)
    return counts


def _set_header(traditional: polib.POFile, simplified: polib.POFile) -> None:
    traditional.header = HEADER
    for field in SHARED_HEADER_FIELDS:
        traditional.metadata[field] = simplified.metadata[field]
    traditional.metadata["Language"] = "zh_Hant"
    traditional.metadata_is_fuzzy = []  # a new catalogue's header is fuzzy until filled in


class Command(BaseCommand):
    help = (
        "Fill the Traditional Chinese catalogue (zh_Hant) with the conversion of the "
        "Simplified one, keeping the entries a person edited. Run after makemessages."
    )

    def handle(self, *args, **options) -> None:
        source_path, target_path = catalogue_path("zh_Hans"), catalogue_path("zh_Hant")
        if not target_path.exists():
            raise CommandError(
                f"{target_path} does not exist: run `make messages` "
                "(manage.py makemessages -l zh_Hant) first."
            )
        traditional = polib.pofile(str(target_path))
        counts = make_traditional(polib.pofile(str(source_path)), traditional)
        # Written in makemessages' own layout (gettext's wrapping, which breaks between
        # Chinese characters), so that running makemessages again rewrites nothing.
        subprocess.run(
            ["msgcat", "-o", str(target_path), "-"], input=str(traditional), text=True, check=True
        )
        self.stdout.write(
            "zh_Hant: {converted} converted from zh_Hans, {kept} kept as a person wrote "
            "them, {waiting} waiting for a zh_Hans translation.".format(**counts)
        )
