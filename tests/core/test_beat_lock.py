"""Two beat processes started by mistake send each periodic task once: only the scheduler holding
the Redis lock ticks, the other stands by and takes over when the first stops (real Redis, opt-in
like the Celery round trip: SHEQU_TEST_REDIS_URL)."""

import time

import pytest

from shequ.core import beat
from tests.core.test_platform import _redis_url


class RecordingScheduler(beat.LockedScheduler):
    """The real scheduler; what it would send is recorded instead of queued."""

    def __init__(self, *args, **kwargs):
        self.sent = []
        super().__init__(*args, **kwargs)

    def apply_entry(self, entry, producer=None):
        self.sent.append(entry.name)


@pytest.mark.redis
def test_only_the_beat_holding_the_lock_sends_and_the_other_takes_over(settings, tmp_path):
    import redis

    from shequ.celery import app

    settings.REDIS_URL = _redis_url()
    client = redis.Redis.from_url(settings.REDIS_URL)
    client.delete(beat.LOCK_KEY)
    old = app.conf.beat_schedule
    app.conf.beat_schedule = {"ping": {"task": "shequ.core.ping", "schedule": 0.02}}
    try:
        first = RecordingScheduler(app=app, schedule_filename=str(tmp_path / "first"))
        second = RecordingScheduler(app=app, schedule_filename=str(tmp_path / "second"))
        for _ in range(200):
            first.tick()
            second.tick()
            if len(first.sent) >= 3:
                break
            time.sleep(0.03)
        assert len(first.sent) >= 3 and second.sent == []
        assert client.get(beat.LOCK_KEY).decode() == first.lock_id

        first.close()  # the first beat stops: its lock is released and the second takes over
        for _ in range(200):
            second.tick()
            if second.sent:
                break
            time.sleep(0.03)
        assert second.sent and client.get(beat.LOCK_KEY).decode() == second.lock_id
        second.close()
        assert client.get(beat.LOCK_KEY) is None
    finally:
        app.conf.beat_schedule = old
        client.delete(beat.LOCK_KEY)


def test_without_a_broker_the_scheduler_needs_no_lock(settings):
    settings.REDIS_URL = ""
    sched = beat.LockedScheduler.__new__(beat.LockedScheduler)
    sched._holding, sched._redis = False, None
    assert sched.holds_lock() is True
