"""core.readahead: a generator run in a forked process gives the same items, its return value and
its errors as run in place, and never outlives its consumer."""

import multiprocessing
import os

import pytest

from shequ.core import readahead
from shequ.core.errors import ValidationFailed


def _numbers(n, fail_at=None, error=None):
    def produce():
        for i in range(n):
            if i == fail_at:
                raise error
            yield [i] * 3
        return {"count": n, "pid": os.getpid()}

    return produce


@pytest.mark.parametrize("fork", [True, False])
def test_items_and_result_as_in_place(fork):
    source = readahead.Ahead(_numbers(50), fork=fork)
    assert list(source) == [[i] * 3 for i in range(50)]
    assert source.result["count"] == 50
    assert (source.result["pid"] != os.getpid()) is fork


@pytest.mark.parametrize("fork", [True, False])
def test_a_domain_error_reaches_the_consumer_as_itself(fork):
    error = ValidationFailed(
        "工作表“居民”无法读取，文件可能已损坏。", code="corrupt_file", details={"row": 7}
    )
    got = []
    with pytest.raises(ValidationFailed) as exc:
        for item in readahead.Ahead(_numbers(10, fail_at=4, error=error), fork=fork):
            got.append(item)
    assert got == [[i] * 3 for i in range(4)]
    assert exc.value.message == "工作表“居民”无法读取，文件可能已损坏。"
    assert exc.value.code == "corrupt_file" and exc.value.details == {"row": 7}


def test_any_other_error_is_reader_failed_with_its_traceback():
    with pytest.raises(readahead.ReaderFailed, match="ZeroDivisionError"):
        list(readahead.Ahead(_numbers(10, fail_at=2, error=ZeroDivisionError("x"))))


def test_a_reader_that_dies_is_reader_failed():
    def produce():
        yield 1
        os._exit(3)

    with pytest.raises(readahead.ReaderFailed, match="exit code 3"):
        list(readahead.Ahead(produce))


def test_a_consumer_that_stops_stops_the_reader():
    def produce():
        i = 0
        while True:  # a reader that would never end on its own
            yield "x" * 100_000
            i += 1

    it = iter(readahead.Ahead(produce))
    assert len(next(it)) == 100_000
    it.close()
    assert multiprocessing.active_children() == []


def test_no_fork_in_a_daemonic_process(monkeypatch):
    monkeypatch.setitem(multiprocessing.current_process()._config, "daemon", True)
    assert not readahead.can_fork()
    source = readahead.Ahead(_numbers(3))
    assert list(source) == [[0] * 3, [1] * 3, [2] * 3]
    assert source.result["pid"] == os.getpid()


@pytest.mark.django_db
def test_the_reader_may_not_query_and_the_session_survives():
    from shequ.core.models import User

    User.objects.create(username="still_here")

    def produce():
        yield User.objects.count()

    with pytest.raises(readahead.ReaderFailed, match="may not use the database"):
        list(readahead.Ahead(produce))
    assert User.objects.filter(username="still_here").exists()  # the parent's transaction goes on
