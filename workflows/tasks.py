from celery import shared_task

from . import services


@shared_task
def fire_clocks() -> dict[str, int]:
    return services.fire_clocks()


@shared_task
def send_daily_digests() -> int:
    return services.send_daily_digests()
