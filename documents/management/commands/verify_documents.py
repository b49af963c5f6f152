import hashlib

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError

from documents.models import Document, Evidence


def _problem(name: str, expected: str) -> str | None:
    if not name or not default_storage.exists(name):
        return "missing file"
    digest = hashlib.sha256()
    with default_storage.open(name, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return None if digest.hexdigest() == expected else "hash mismatch"


class Command(BaseCommand):
    help = (
        "Recompute the SHA-256 of every stored document and evidence file; exit 1 on any mismatch."
    )

    def handle(self, *args, **options) -> None:
        checked, problems = 0, []
        ready = Document.objects.filter(rendering=Document.Rendering.READY)
        for record in [*ready, *Evidence.objects.all()]:
            checked += 1
            problem = _problem(record.file.name, record.sha256)
            if problem:
                label = f"{record._meta.verbose_name} {record.pk} ({record.case.number} {record})"
                problems.append(f"{problem}: {label} {record.file.name}")
        for line in problems:
            self.stdout.write(line)
        if problems:
            raise CommandError(f"{len(problems)} of {checked} files failed verification.")
        self.stdout.write(self.style.SUCCESS(f"All {checked} files verified."))
