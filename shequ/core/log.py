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
