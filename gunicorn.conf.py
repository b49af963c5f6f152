"""gunicorn as production runs it ([Q6d] 6).

    gunicorn config.wsgi --bind 127.0.0.1:8000     # in the project's folder: reads this file
    gunicorn -c /srv/qiaowei/gunicorn.conf.py config.wsgi --bind …   # from elsewhere

An option on the command line wins over this file, and WEB_CONCURRENCY sets the number of
workers on a machine with more cores. Chosen with ``bench/load.py`` (50 officers, 1–3 s
between requests) on the 2-core machine that also runs PostgreSQL, Redis and two Celery
workers; the figures of each configuration tried are in bench/README.md, "load.py".
"""

import os

# Sync workers, one request at a time each. The app is CPU-bound Python (templates,
# capability checks): threads in a process share one core through the GIL, and the gthread
# workers' kept-alive connections were reset under load (errors in every run). Three
# processes keep both cores busy while one waits on PostgreSQL; 4 and 6 did no better on
# a machine whose cores PostgreSQL and the Celery workers share, and cost more memory.
worker_class = "sync"
workers = int(os.environ.get("WEB_CONCURRENCY", 3))

# Each worker keeps its database connection between requests instead of opening one per
# request (settings.py reads CONN_MAX_AGE; CONN_HEALTH_CHECKS replaces one that broke): a
# new connection is a new PostgreSQL backend with cold caches, 14–25 ms more a request.
# Set here, before the workers load Django, so that only the web processes keep theirs (a
# Celery worker closes its connection after each task). The environment still wins.
os.environ.setdefault("CONN_MAX_AGE", "60")


def post_worker_init(worker) -> None:
    """Django's modules, models and settings are loaded now and live as long as the
    worker: moved out of the garbage collector's sight, its collections stop walking them
    again and again (2.2 ms of a request's CPU before, 0.9 after; one full collection of a
    worker's heap took 117 ms, the tail of a 100-row queue page)."""
    import gc

    gc.freeze()
