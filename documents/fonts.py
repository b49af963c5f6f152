"""The print fonts: GB2312-trimmed subsets of free Debian CJK faces.

Song (宋) and Hei (黑) come from Noto CJK SC (``fonts-noto-cjk``), Kai (楷, the second-level
headings of GB/T 9704) from LXGW WenKai (``fonts-lxgw-wenkai``). No free FangSong (仿宋)
covering simplified characters is packaged for Debian or PyPI, so the body stays in Song
until a licensed FangSong is installed (the stylesheet names it first).

Subsetting the ~65,000-glyph system collection for every PDF is slow and heavy; the ~7,500
characters of GB2312 (plus ASCII and the punctuation used in official documents) cover
nearly all text, so documents name these small faces first. The full system fonts stay in
the stack after them, so rare characters (喆, 堃, 𠮷) still render. The subsets are built
once by ``manage.py build_print_fonts`` (``make`` runs it) into FONT_DIR; the SIL Open Font
Licence of the originals applies (``/usr/share/doc/fonts-noto-cjk/copyright``,
``/usr/share/doc/fonts-lxgw-wenkai/copyright``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

FONT_DIR = Path(settings.PRINT_FONT_DIR)
SYSTEM_FONTS = Path("/usr/share/fonts/opentype/noto")
LXGW_FONTS = Path("/usr/share/fonts/truetype/lxgw-wenkai")


@dataclass(frozen=True)
class PrintFont:
    family: str  # the name print CSS uses in @font-face
    source: Path  # the system font file
    source_family: str  # family inside the collection; a single-face file has just that one
    weight: int

    @property
    def path(self) -> Path:
        # Noto's collections hold CFF outlines (.otf); a single .ttf keeps its TrueType ones.
        suffix = ".otf" if self.source.suffix == ".ttc" else self.source.suffix
        return FONT_DIR / f"{self.family.replace(' ', '')}-{self.weight}{suffix}"


PRINT_FONTS = [
    PrintFont("Qiaowei Song", SYSTEM_FONTS / "NotoSerifCJK-Regular.ttc", "Noto Serif CJK SC", 400),
    PrintFont("Qiaowei Song", SYSTEM_FONTS / "NotoSerifCJK-Bold.ttc", "Noto Serif CJK SC", 700),
    PrintFont("Qiaowei Hei", SYSTEM_FONTS / "NotoSansCJK-Regular.ttc", "Noto Sans CJK SC", 400),
    PrintFont("Qiaowei Kai", LXGW_FONTS / "LXGWWenKai-Regular.ttf", "LXGW WenKai", 400),
]


def gb2312_characters() -> str:
    """Every character of GB2312 (rows 0xA1–0xF7, cells 0xA1–0xFE), plus printable ASCII."""
    chars = [chr(c) for c in range(0x20, 0x7F)]
    for row in range(0xA1, 0xF8):
        for cell in range(0xA1, 0xFF):
            try:
                chars.append(bytes([row, cell]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    # Punctuation of official documents outside GB2312: 〔〕 of document numbers, — of page
    # numbers (GB2312 has them), and the figure dash; kept explicitly.
    return "".join(chars) + "〔〕—‒–·"


def _source_face(font: PrintFont):
    from fontTools.ttLib import TTCollection, TTFont

    if font.source.suffix != ".ttc":
        return TTFont(font.source)
    collection = TTCollection(font.source)
    return next(f for f in collection.fonts if f["name"].getDebugName(1) == font.source_family)


def build(font: PrintFont) -> Path:
    from fontTools import subset

    face = _source_face(font)
    options = subset.Options()
    # Documents are set horizontally with plain CJK spacing: the layout and vertical-metric
    # tables would only add a fixed ~15 KB to every PDF that uses the face.
    options.layout_features = []
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "BASE", "JSTF", "vhea", "vmtx", "VORG"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.hinting = False
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=gb2312_characters())
    subsetter.subset(face)
    FONT_DIR.mkdir(parents=True, exist_ok=True)
    partial = font.path.with_suffix(".partial")
    face.save(partial)
    partial.replace(font.path)  # never leave a half-written font behind
    return font.path
