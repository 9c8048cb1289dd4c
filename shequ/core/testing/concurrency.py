"""Two acts at the same moment: threads on their own database connections (PostgreSQL only; the
in-memory SQLite test database cannot be shared by threads)."""

import pytest


def race(calls):
    """Run the calls at the same moment in threads; return (results, errors)."""
    import threading

    from django.db import connections

    barrier = threading.Barrier(len(calls))
    results, errors = [], []

    def run(fn):
        try:
            barrier.wait(5)
            results.append(fn())
        except Exception as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(fn,)) for fn in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results, errors


needs_pg = pytest.mark.skipif(
    "not __import__('django.conf').conf.settings.DATABASES['default']['ENGINE'].endswith('postgresql')",
    reason="needs PostgreSQL (SHEQU_DATABASE_URL): the in-memory SQLite test database cannot be shared by threads",
)
