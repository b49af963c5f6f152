from django.core.management.base import BaseCommand

from documents.fonts import PRINT_FONTS, build


class Command(BaseCommand):
    help = "Build the GB2312-trimmed print fonts from the system CJK fonts (once)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--force", action="store_true", help="rebuild existing fonts")

    def handle(self, *args, force: bool = False, **options) -> None:
        for font in PRINT_FONTS:
            if font.path.exists() and not force:
                continue
            path = build(font)
            self.stdout.write(f"{path} ({path.stat().st_size // 1024} KB)")
