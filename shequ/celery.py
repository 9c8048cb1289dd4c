"""Celery app: Redis broker when SHEQU_REDIS_URL is set, eager (in-process) execution otherwise."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shequ.settings")

app = Celery("shequ")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _metrics(sender, **_):
    from shequ.core import metrics

    metrics.connect_celery_signals()
