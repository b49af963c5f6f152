from celery import shared_task

from . import services

# Failures worth another try: the file system or the database was briefly unavailable.
TRANSIENT = (OSError, ConnectionError)


@shared_task(bind=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=3)
def render_document(self, document_id: int) -> None:
    if not services.begin_render(document_id=document_id):
        return  # rendered already (a wake-up delivered twice), or given up on
    try:
        services.render_document(document_id=document_id)
    except TRANSIENT:
        if self.request.retries >= self.max_retries:
            services.mark_render_failed(document_id=document_id, reason="storage unavailable")
        raise
    except Exception as error:
        services.mark_render_failed(
            document_id=document_id, reason=f"{type(error).__name__}: {error}"
        )
        raise


@shared_task
def render_pending_documents() -> int:
    return services.render_pending_documents()
