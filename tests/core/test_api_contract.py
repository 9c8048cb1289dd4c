"""The API's contract as its OpenAPI document states it, checked against every route of every
module: schema names are unique, every integer input is bounded, each route documents the error
statuses it can answer, and the public routes are marked public."""

import collections
import datetime
import json
import typing

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ninja.params.models import ParamModel
from ninja.responses import NinjaJSONEncoder
from pydantic import BaseModel

from shequ.core import accounts
from shequ.core.api import MAX_ID, ErrorOut, ShequAPI, iso_only
from shequ.core.models import ApiToken
from shequ.urls import api as API

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
METHODS = ("get", "post", "put", "patch", "delete")
PUBLIC = {
    ("get", "/api/v1/duties/lists"),
    ("get", "/api/v1/duties/lists/{list_id}"),
    ("get", "/api/v1/duties/items"),
    ("get", "/api/v1/core/surveys/public/{token}"),
    ("post", "/api/v1/core/surveys/public/{token}/responses"),
    ("get", "/api/v1/teams/public/{code}/activities"),
    ("get", "/api/v1/teams/awards/public/{code}"),
    ("get", "/api/v1/participation/charters/in-force"),
}


@pytest.fixture(scope="module")
def doc():
    """The document as clients read it (JSON: status codes are strings)."""
    return json.loads(json.dumps(API.get_openapi_schema(), cls=NinjaJSONEncoder))


def operations(doc):
    for path, item in doc["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


def resolve(doc, schema):
    while "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


# --- schema names -------------------------------------------------------------------------------
def _models_in(annotation, found: set) -> None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation in found:
            return
        if not issubclass(annotation, ParamModel) and "response" not in annotation.model_fields:
            found.add(annotation)
        for f in annotation.model_fields.values():
            _models_in(f.annotation, found)
        return
    for arg in typing.get_args(annotation):
        _models_in(arg, found)


def route_models(api: ShequAPI) -> set[type[BaseModel]]:
    """Every pydantic class a route reads or answers with, nested ones included."""
    found: set = set()
    for op in api.operations():
        for model in op.models:
            _models_in(model, found)
        for model in op.response_models.values():
            if isinstance(model, type):
                _models_in(model, found)
    return found


def _shape(cls) -> str:
    return json.dumps(
        [cls.model_json_schema(mode=m) for m in ("validation", "serialization")], sort_keys=True
    )


def test_no_two_route_schemas_share_a_name():
    """ninja puts every schema under its class name in one table and silently keeps one of two
    namesakes; clients generated from the document then read the wrong shape. Two classes may
    share a name only when they are the same shape (ninja's generated Paged… wrappers)."""
    by_name = collections.defaultdict(list)
    for cls in route_models(API):
        by_name[cls.__name__].append(cls)
    assert len(by_name) > 50  # the walk reached the modules' schemas
    clashes = {
        name: sorted(f"{c.__module__}.{c.__qualname__}" for c in classes)
        for name, classes in by_name.items()
        if len({_shape(c) for c in classes}) > 1
    }
    assert not clashes, f"schema names used by more than one shape: {clashes}"


def test_every_reference_in_the_document_resolves(doc):
    names = set(doc["components"]["schemas"])
    refs = set()

    def walk(node):
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str):
                refs.add(node["$ref"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(doc)
    assert refs
    missing = {r for r in refs if r.rsplit("/", 1)[-1] not in names}
    assert not missing


def test_operation_ids_are_unique(doc):
    ids = [op["operationId"] for _p, _m, op in operations(doc)]
    assert len(ids) == len(set(ids)) > 90


# --- integer bounds -----------------------------------------------------------------------------
def _integers(doc, schema, where, out, seen=()):
    """Yield (where, schema) for every integer schema reachable from `schema`."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name in seen:
            return
        seen = (*seen, name)
        schema = resolve(doc, schema)
    if schema.get("type") == "integer":
        out.append((where, schema))
    for key in ("anyOf", "oneOf", "allOf"):
        for sub in schema.get(key, []):
            _integers(doc, sub, where, out, seen)
    for name, sub in schema.get("properties", {}).items():
        _integers(doc, sub, f"{where}.{name}", out, seen)
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            _integers(doc, schema[key], f"{where}[]", out, seen)


def test_every_integer_a_client_sends_is_bounded(doc):
    """An unbounded integer reaches the database and overflows it (a 500); every id, page and count
    a route takes must say its range, so that the range is checked before any query."""
    found = []
    for path, method, op in operations(doc):
        for p in op.get("parameters", []):
            _integers(doc, p["schema"], f"{method.upper()} {path} {p['in']}:{p['name']}", found)
        for media in op.get("requestBody", {}).get("content", {}).values():
            _integers(doc, media["schema"], f"{method.upper()} {path} body", found)
    assert len(found) > 100
    unbounded = [
        where
        for where, s in found
        if not (
            s.get("minimum", s.get("exclusiveMinimum", INT64_MIN - 1)) >= INT64_MIN
            and s.get("maximum", s.get("exclusiveMaximum", INT64_MAX + 1)) <= INT64_MAX
        )
    ]
    assert not unbounded, "\n".join(unbounded)


def test_ids_are_positive_and_fit_a_database_key(doc):
    params = doc["paths"]["/api/v1/org/grids/{grid_id}"]["get"]["parameters"]
    schema = next(p["schema"] for p in params if p["name"] == "grid_id")
    assert (schema["minimum"], schema["maximum"]) == (1, MAX_ID) == (1, 2**63 - 1)


# --- documented statuses ------------------------------------------------------------------------
def test_every_route_documents_the_errors_it_can_answer(doc):
    problems = []
    for path, method, op in operations(doc):
        codes = set(op["responses"])
        sources = {p["in"] for p in op.get("parameters", [])}
        content = op.get("requestBody", {}).get("content", {})
        security = op.get("security", [])
        expected = {"400"}
        if security:
            expected.add("401")
        if security and {} not in security:
            expected.add("403")
        if "path" in sources:
            expected.add("404")
        if sources or content:
            expected.add("422")
        if content:
            expected.add("413")
        if "application/json" in content:
            expected.add("415")
        if not expected <= codes:
            problems.append(f"{method.upper()} {path}: {sorted(expected - codes)}")
        for code in codes:
            if code.startswith(("4", "5")):
                schema = op["responses"][code]["content"]["application/json"]["schema"]
                if schema != {"$ref": "#/components/schemas/ErrorOut"}:
                    problems.append(f"{method.upper()} {path} {code} is not the error shape")
    assert not problems, problems
    assert set(ErrorOut.model_fields) == {"code", "message", "details"}


def test_writes_document_conflicts(doc):
    """Every write to a record can meet a conflict (a stale version, a duplicate): 409. Signing in
    and out and revealing a value write no record."""
    no_record = {
        ("post", "/api/v1/auth/token"),
        ("delete", "/api/v1/auth/token"),
        ("post", "/api/v1/core/reveal"),
    }
    missing = [
        f"{method.upper()} {path}"
        for path, method, op in operations(doc)
        if method != "get" and (method, path) not in no_record and "409" not in op["responses"]
    ]
    assert not missing, missing


def test_public_routes_say_a_token_is_optional_and_others_require_one(doc):
    for path, method, op in operations(doc):
        security = op.get("security", [])
        if (method, path) in PUBLIC:
            assert {} in security and {"BearerToken": []} in security, path
            assert "403" not in op["responses"], path
        elif path == "/api/v1/auth/token" and method == "post":
            assert not security
        else:
            assert security == [{"BearerToken": []}], f"{method} {path}"


# --- public routes and tokens -------------------------------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/duties/lists", "/api/v1/duties/items?code=420115001001"])
def test_public_route_refuses_a_wrong_or_revoked_token(world, path):
    assert Client().get(path).status_code == 200  # anonymous is allowed
    raw = world.token(world.users["district"])
    assert Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get(path).status_code == 200
    for header in ("Bearer not-a-token", "Bearer ", "Basic dXNlcjpwYXNz", "Token abc"):
        r = Client(HTTP_AUTHORIZATION=header).get(path)
        assert r.status_code == 401, header
        assert r.json()["code"] == "unauthenticated" and "令牌" in r.json()["message"]
    tok = ApiToken.authenticate(raw)
    accounts.revoke_token(world.users["district"], tok)
    assert Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get(path).status_code == 401


@pytest.mark.django_db
def test_public_detail_with_a_bad_token_is_401_not_404(world):
    r = Client(HTTP_AUTHORIZATION="Bearer forged").get("/api/v1/duties/lists/1")
    assert r.status_code == 401
    assert Client().get("/api/v1/duties/lists/1").status_code == 404


# --- dates -------------------------------------------------------------------------------------
def _bare_date(annotation) -> bool:
    """Is there a date or datetime in `annotation` that is not the core's Day or Moment?"""
    if typing.get_origin(annotation) is typing.Annotated:
        base, *meta = typing.get_args(annotation)
        if any(getattr(m, "func", None) is iso_only for m in meta):
            return False
        return _bare_date(base)
    if annotation in (datetime.date, datetime.datetime):
        return True
    return any(_bare_date(a) for a in typing.get_args(annotation))


def test_every_date_a_client_sends_is_iso_text():
    """pydantic reads a bare number as a Unix timestamp, so day=20260311 meant a day in 1970 and
    received_from=0 was 1970-01-01 (schemathesis: a number where the document says a date was
    accepted). Every date and datetime a route takes is the core's Day or Moment, which refuse it."""
    request_models: set = set()
    for op in API.operations():
        for model in op.models:
            _models_in(model, request_models)
            request_models.add(model)
    assert len(request_models) > 50
    bare = [
        f"{m.__module__}.{m.__qualname__}.{name}"
        for m in request_models
        for name, field in m.model_fields.items()
        if _bare_date(field.annotation)
        and not (
            field.annotation in (datetime.date, datetime.datetime)
            and any(getattr(x, "func", None) is iso_only for x in field.metadata)
        )
    ]
    assert not bare, bare


@pytest.mark.parametrize("text", ["20260311", "0", "8.292245886381898e-12", "1E5", ".5", "-3"])
def test_a_number_in_any_notation_is_not_a_date(text):
    """A number in exponent notation is still a number (schemathesis sent day=8.29e-12, which
    pydantic read as a Unix timestamp)."""
    with pytest.raises(ValueError):
        iso_only(text)
    assert iso_only("2026-03-11") == "2026-03-11"


# --- decimals -----------------------------------------------------------------------------------
def test_every_decimal_input_documents_its_format(doc):
    """A decimal is sent as a string or a number; the document must say which strings (a digit
    pattern with the column's places) and which numbers, or a client following it is refused."""
    found, vague = [], []

    def walk(schema, where):
        schema = resolve(doc, schema)
        branches = [resolve(doc, b) for b in schema.get("anyOf", [])]
        kinds = {b.get("type") for b in branches}
        if "string" in kinds and kinds & {"number", "integer"}:
            found.append(where)
            string = next(b for b in branches if b.get("type") == "string")
            number = next(b for b in branches if b.get("type") in ("number", "integer"))
            if "pattern" not in string or "maximum" not in number or "minimum" not in number:
                vague.append(where)
        for name, sub in schema.get("properties", {}).items():
            walk(sub, f"{where}.{name}")
        for b in branches:
            walk(b, where)

    for path, method, op in operations(doc):
        for media in op.get("requestBody", {}).get("content", {}).values():
            walk(media["schema"], f"{method.upper()} {path}")
    assert len(found) >= 8
    assert not vague, vague


@pytest.mark.parametrize(
    "args,kwargs", [((12, 2), {}), ((12, 2), {"positive": True}), ((7, 1), {"le": 1000}), ((8, 2), {})]
)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_what_the_document_allows_for_a_decimal_is_accepted(args, kwargs, data):
    from pydantic import TypeAdapter

    from shequ.core.api import decimal_in

    adapter = TypeAdapter(decimal_in(*args, **kwargs))
    string, number = adapter.json_schema(mode="validation")["anyOf"]
    text = data.draw(st.from_regex(string["pattern"], fullmatch=True))
    adapter.validate_python(text)
    adapter.validate_python(data.draw(st.integers(number["minimum"], number["maximum"])))
    with pytest.raises(ValueError):
        adapter.validate_python("1,5")
    with pytest.raises(ValueError):
        adapter.validate_python(-1)


def test_form_uploads_document_exactly_their_fields(doc):
    forms = [
        (path, media["schema"])
        for path, _method, op in operations(doc)
        for ct, media in op.get("requestBody", {}).get("content", {}).items()
        if ct != "application/json"
    ]
    assert forms
    assert all(schema.get("additionalProperties") is False for _p, schema in forms), forms
    # A multipart field cannot be null (it is there or not): an optional one is not nullable.
    nullable = [
        f"{path} {name}"
        for path, schema in forms
        for name, prop in schema["properties"].items()
        if {"type": "null"} in prop.get("anyOf", [])
    ]
    assert not nullable, nullable
    # An empty form field counts as missing, so a required text field says it cannot be empty.
    empty_allowed = [
        f"{path} {name}"
        for path, schema in forms
        for name in schema.get("required", [])
        if schema["properties"][name].get("type") == "string"
        and schema["properties"][name].get("format") != "binary"
        and schema["properties"][name].get("minLength", 0) < 1
    ]
    assert not empty_allowed, empty_allowed
    empty_files = [
        f"{path} {name}"
        for path, schema in forms
        for name, prop in schema["properties"].items()
        if prop.get("format") == "binary" and prop.get("minLength", 0) < 1
    ]
    assert not empty_files, empty_files
