"""shequ — 社区治理平台."""

__version__ = "0.1.0"

from shequ.celery import app as celery_app  # noqa: E402  (so @shared_task binds to it)

__all__ = ["celery_app"]
