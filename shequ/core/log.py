"""Logging handlers of the platform."""

import logging
import sys


class StderrHandler(logging.StreamHandler):
    """A stream handler that writes to whatever `sys.stderr` is when a record is emitted.

    The standard handler keeps the stream it was given at configuration time; when that stream is
    replaced and closed (a test runner capturing output, a daemonising server), every later record
    fails with "I/O operation on closed file"."""

    def __init__(self):
        super().__init__(sys.stderr)

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value):
        pass


class RequestIdFilter(logging.Filter):
    """Adds the id of the request being served (X-Request-ID, or one made up) to every record."""

    def filter(self, record):
        from shequ.core import context

        ctx = context.current()
        record.request_id = getattr(ctx, "request_id", None) or "-"
        return True
