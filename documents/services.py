from django.db import transaction

from .models import NumberSequence
from .numbering import DocumentNumber, sequence_prefix


@transaction.atomic
def allocate_number(*, organisation_prefix: str, kind: str, year: int) -> DocumentNumber:
    """Take the next number of a sequence. Call it inside the transaction that stores the
    numbered record: if that rolls back, so does the number, and no gap is left."""
    if not organisation_prefix:
        raise ValueError("The organisation has no document-number prefix.")
    prefix = sequence_prefix(organisation_prefix, kind)
    # Create the row if this is the sequence's first number; concurrent first callers
    # collide on the unique constraint and all go on to lock the one row.
    NumberSequence.objects.bulk_create(
        [NumberSequence(prefix=prefix, year=year, kind=kind)], ignore_conflicts=True
    )
    sequence = NumberSequence.objects.select_for_update().get(prefix=prefix, year=year, kind=kind)
    sequence.last_value += 1
    sequence.save(update_fields=["last_value"])
    return DocumentNumber(prefix=prefix, year=year, sequence=sequence.last_value)
