import io
import logging
import sys

from shequ.core.log import StderrHandler


def test_the_console_handler_follows_stderr_when_it_is_replaced_and_closed(monkeypatch):
    """A record logged after the stderr of configuration time is closed reaches the current one."""
    first = io.StringIO()
    monkeypatch.setattr(sys, "stderr", first)
    handler = StderrHandler()
    logger = logging.getLogger("shequ.tests.log")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        first.close()
        second = io.StringIO()
        monkeypatch.setattr(sys, "stderr", second)
        logger.warning("第二个输出")
        assert "第二个输出" in second.getvalue()
    finally:
        logger.removeHandler(handler)
        logger.propagate = True
