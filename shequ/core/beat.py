"""One beat for the whole deployment, even when two are started by mistake.

`celery beat` sends each periodic task once per period; two beat processes would send everything
twice. The scheduler here ticks only while it holds a lock in Redis (SET NX with an expiry,
renewed on every tick): a second beat waits, standing by, and takes over within LOCK_SECONDS when
the first one stops or dies. It is the default scheduler (settings.CELERY_BEAT_SCHEDULER)."""

import contextlib
import logging
import os
import socket
import uuid

from celery.beat import PersistentScheduler
from django.conf import settings

LOCK_KEY = "shequ:beat:lock"
LOCK_SECONDS = 60  # a dead beat's lock lapses after this; the live one renews it every tick
STANDBY_SECONDS = 5.0  # how often a standing-by beat tries the lock
# Redis: renew only if the lock is still ours; take it if nobody holds it.
_RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('pexpire', KEYS[1], ARGV[2])
end
return redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) and 1 or 0
"""
log = logging.getLogger("shequ.beat")


class LockedScheduler(PersistentScheduler):
    def __init__(self, *args, **kwargs):
        self.lock_id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._holding = False
        self._redis = None
        super().__init__(*args, **kwargs)

    def _client(self):
        if self._redis is None:
            import redis

            self._redis = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
        return self._redis

    def holds_lock(self) -> bool:
        """Take or renew the lock; False when another beat holds it or Redis cannot be reached."""
        if not settings.REDIS_URL:
            return True  # no broker, no beat to duplicate
        try:
            held = bool(self._client().eval(_RENEW, 1, LOCK_KEY, self.lock_id, LOCK_SECONDS * 1000))
        except Exception as exc:  # noqa: BLE001 - without Redis nothing can be sent anyway
            log.warning("beat lock unavailable (%s): standing by", exc)
            held = False
        if held != self._holding:
            log.warning(
                "beat %s %s", self.lock_id, "holds the lock: sending periodic tasks" if held else "stands by"
            )
            self._holding = held
        return held

    def tick(self, *args, **kwargs):
        if not self.holds_lock():
            return STANDBY_SECONDS
        return min(super().tick(*args, **kwargs), LOCK_SECONDS / 3)

    def close(self):
        if self._holding and self._redis is not None:
            with contextlib.suppress(Exception):  # the lock lapses by itself anyway
                self._client().eval(
                    "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0",
                    1, LOCK_KEY, self.lock_id,
                )  # fmt: skip
        super().close()
