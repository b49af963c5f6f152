def mask(value: str, visible: int = 4) -> str:
    """Hide all but the last characters of an identifier, e.g. an ID-document number."""
    if len(value) <= visible:
        return "•" * len(value)
    return "•" * (len(value) - visible) + value[-visible:]
