"""The replica router (PostgreSQL): lag-tolerant reads go to the replica, a browser that has just
written reads from the primary, a replica that is down is skipped, /healthz reports it. The replica
here is a second connection to the same database (a real streaming replica is the cluster's test)."""

import pytest
from django.db import connection, connections, router
from django.test.utils import CaptureQueriesContext

from shequ.core import replica

ON_PG = connection.vendor == "postgresql"
if ON_PG and replica.ALIAS not in connections.settings:
    # The alias exists from collection on, so that the test database machinery (set up after
    # collection) knows it: a mirror of the default test database, reached by a second connection.
    # Without the router nothing reads from it; the fixture turns the router on for these tests.
    connections.settings[replica.ALIAS] = {**connection.settings_dict, "TEST": {"MIRROR": "default"}}

pytestmark = [
    pytest.mark.django_db(transaction=True, databases=["default", replica.ALIAS] if ON_PG else ["default"]),
    pytest.mark.skipif(not ON_PG, reason="a streaming replica is a PostgreSQL feature"),
    pytest.mark.filterwarnings("ignore:Overriding setting DATABASES"),
]


@pytest.fixture
def with_replica(settings):
    conf = connections.settings[replica.ALIAS]
    settings.DATABASES = {**settings.DATABASES, replica.ALIAS: conf}
    settings.DATABASE_ROUTERS = ["shequ.core.replica.ReplicaRouter"]
    router.__dict__.pop("routers", None)
    replica._state["checked"] = 0.0
    yield conf
    connections[replica.ALIAS].close()
    router.__dict__.pop("routers", None)
    replica._state["checked"] = 0.0


def _replica_queries(client, url):
    with CaptureQueriesContext(connections[replica.ALIAS]) as q:
        r = client.get(url)
    assert r.status_code == 200, r.status_code
    return len(q.captured_queries)


def test_lag_tolerant_reads_go_to_the_replica_until_the_browser_writes(world, with_replica):
    client = world.client(world.users["community_lead"])
    assert replica.lag_tolerant("core:home") and not replica.lag_tolerant("people:resident-list")
    assert _replica_queries(client, "/") > 0  # the dashboard
    assert _replica_queries(client, "/people/residents/") == 0  # a working list: the primary

    # A write (any successful POST) sends this browser's next reads to the primary for a while.
    r = client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert r.status_code < 400 and replica.WROTE_COOKIE in r.cookies
    assert _replica_queries(client, "/") == 0


def test_a_replica_that_is_down_is_skipped_and_healthz_says_so(world, with_replica, settings):
    bad = {**with_replica, "PORT": "1", "OPTIONS": {"connect_timeout": 1}}
    connections[replica.ALIAS].close()
    connections[replica.ALIAS].settings_dict = bad
    replica._state["checked"] = 0.0
    client = world.client(world.users["community_lead"])
    assert client.get("/").status_code == 200  # read from the primary
    health = client.get("/healthz")
    connections[replica.ALIAS].settings_dict = with_replica
    assert health.status_code == 200
    assert health.json()["checks"]["replica"]["ok"] is False


def test_healthz_reports_the_replica_lag(world, with_replica):
    from django.test import Client

    body = Client().get("/healthz").json()
    assert body["checks"]["replica"]["lag_seconds"] == 0.0
