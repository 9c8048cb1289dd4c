"""A generator run in a second process, one item ahead of its consumer: an import reads and
checks the next chunk of a workbook while the database writes the last one.

The machine an import runs on has two cores or more, and an import is two halves that need each
other only through the rows: reading (inflating the XML, cutting cells, parsing, the checks a row
makes on its own, encryption and blind indexes) and writing (planning against the registry,
inserts, the server's own work). Run in one process they take their sum; here they overlap.

The second process is forked, so it starts with everything the caller has loaded (the file, the
layout, the parsers, the importer's maps) and needs nothing pickled to start. It never touches the
database: what it produces comes back pickled through a pipe, and the pipe's buffer is the bound
(the reader is at most one item ahead: memory stays that of two chunks). It ends with os._exit, as
multiprocessing's forked children do, so nothing the parent owns (a database connection) is
closed behind the parent's back.

An error in the reader reaches the caller as the same exception where it is a DomainError (the
message says which sheet and row), or as ReaderFailed otherwise; a reader that dies without a word
is ReaderFailed too. Where a second process cannot be started (no fork on this platform, or inside
a daemonic pool process such as a Celery worker's), `ahead` runs the generator in the caller's
process, item by item, with the same results.
"""

import logging
import multiprocessing
import sys
import traceback
from collections.abc import Callable, Generator, Iterator

from shequ.core.errors import DomainError

log = logging.getLogger("shequ.imports")


class ReaderFailed(RuntimeError):
    """The reading process raised something that is not a DomainError, or died."""


def can_fork() -> bool:
    """A forked child is possible here: the platform forks, and this is not a daemonic process
    (multiprocessing's or billiard's, which Celery's prefork pool uses), whose children would
    outlive a killed worker."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return False
    if multiprocessing.current_process().daemon:
        return False
    billiard = sys.modules.get("billiard.process")
    return not (billiard is not None and billiard.current_process().daemon)


class Ahead:
    """Iterate over the items of `produce()`; `result` is the generator's return value once the
    iteration has ended."""

    def __init__(self, produce: Callable[[], Generator], *, fork: bool = True):
        self.produce = produce
        self.fork = fork and can_fork()
        self.result = None

    def __iter__(self) -> Iterator:
        if not self.fork:
            self.result = yield from self.produce()
            return
        self.result = yield from self._from_child()

    def _from_child(self):
        ctx = multiprocessing.get_context("fork")
        receive, send = ctx.Pipe(duplex=False)
        child = ctx.Process(target=_run, args=(self.produce, receive, send), name="shequ-reader", daemon=True)
        child.start()
        send.close()  # the child holds the only writing end: its death is our EOFError
        try:
            while True:
                try:
                    kind, payload = receive.recv()
                except EOFError:
                    child.join(5)
                    raise ReaderFailed(
                        f"the reading process ended without a result (exit code {child.exitcode})"
                    ) from None
                if kind == "item":
                    yield payload
                elif kind == "end":
                    return payload
                elif kind == "domain":
                    cls, message, code, details, status = payload
                    raise cls(message, code=code, details=details, status=status)
                else:
                    raise ReaderFailed(f"the reading process failed:\n{payload}")
        finally:  # also when the consumer stops early (its own error): the reader stops with it
            receive.close()
            if child.is_alive():
                child.terminate()
            child.join()


def _no_queries(execute, sql, params, many, context):
    raise RuntimeError("the reading process may not use the database: its connection is the parent's")


def _run(produce, receive, send) -> None:
    """The reading process: each item, then the return value, or the error, down the pipe."""
    from django.db import connections

    receive.close()
    for conn in connections.all(initialized_only=True):  # a query here would talk on the parent's socket
        conn.execute_wrappers.append(_no_queries)
    try:
        gen = produce()
        while True:
            try:
                item = next(gen)
            except StopIteration as stop:
                send.send(("end", stop.value))
                break
            send.send(("item", item))
    except DomainError as exc:
        send.send(("domain", (type(exc), exc.message, exc.code, exc.details, exc.status)))
    except BrokenPipeError:
        pass  # the consumer has stopped: nobody to tell
    except BaseException:
        send.send(("crash", traceback.format_exc()))
    finally:
        send.close()


def ahead(produce: Callable[[], Generator], *, fork: bool = True) -> Ahead:
    """The items of `produce()`, produced in a forked process one item ahead of the caller (or in
    the caller's process where it cannot fork, or with fork=False); see the module's docstring."""
    return Ahead(produce, fork=fork)
