"""The webhook worker's task (django-tasks, database backend: `manage.py db_worker`)."""

from django_tasks import task

from events import webhooks


@task()
def deliver_webhook(delivery_id: int) -> None:
    """One attempt; the delivery row keeps the state, so the task is only a trigger."""
    webhooks.attempt(delivery_id)


def enqueue_delivery(delivery_id: int, *, run_after=None) -> None:
    runner = deliver_webhook.using(run_after=run_after) if run_after else deliver_webhook
    runner.enqueue(delivery_id)
