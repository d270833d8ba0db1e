"""The embedded default (SQLite, one process): the webhook worker and maintenance in-process.

PARLEY_INPROCESS_WORKER (on with SQLite) starts django-tasks-db's worker loop
and `events_maintenance` each minute in daemon threads at lifespan startup,
so `./bin/run` delivers webhooks with no second process. With PostgreSQL,
run `manage.py db_worker` processes and the maintenance from cron instead.
"""

import logging
import os
import threading

from django.core.management import call_command

logger = logging.getLogger(__name__)

_worker = None
_stop = threading.Event()


def start() -> None:
    global _worker
    # The db_worker command's own loop (django-tasks-db has no public API for it).
    from django_tasks_db.management.commands.db_worker import Worker

    _stop.clear()
    _worker = Worker(
        queue_names=["default"],
        interval=1,
        batch=False,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=f"inprocess-{os.getpid()}",
        excluded_queue_names=[],
    )
    threading.Thread(target=_work, name="webhook-worker", daemon=True).start()
    threading.Thread(target=_maintain, name="events-maintenance", daemon=True).start()


def stop() -> None:
    _stop.set()
    if _worker is not None:
        _worker.running = False


def _work() -> None:
    """The worker loop, restarted after a failure (the database not migrated yet, or down)."""
    while _worker.running and not _stop.is_set():
        try:
            _worker.run()
        except Exception:
            logger.exception("The in-process webhook worker failed; restarting in 10 s")
            _stop.wait(10)


def _maintain() -> None:
    while not _stop.wait(60):
        try:
            call_command("events_maintenance", verbosity=0)
        except Exception:
            logger.exception("events_maintenance failed in-process")
