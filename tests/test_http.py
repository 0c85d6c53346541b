"""GraphQL-over-HTTP behaviour of trunkline.http, in-process (httpx ASGITransport).

The live conformance run is tests/test_http_audit.py; this covers the same
matrix fast, plus what the audit cannot see (codes, masking, GraphiQL).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
import strawberry
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.routing import Mount, Route
from strawberry.extensions import SchemaExtension
from strawberry.scalars import JSON
from strawberry.types import Info

from trunkline.http import GRAPHIQL_STATIC_PATH, GraphQLEndpoint, graphiql_static_app

GQL = "application/graphql-response+json"
JSON_MT = "application/json"
BOTH = pytest.mark.parametrize("accept", [GQL, JSON_MT])


@strawberry.type
class Query:
    @strawberry.field
    def hello(self, name: str = "world") -> str:
        return f"hello {name}"

    @strawberry.field
    def boom(self) -> str | None:
        raise ValueError("resolver secret")

    @strawberry.field
    def raw(self) -> JSON:
        return JSON({"not": object()})  # orjson cannot encode this

    @strawberry.field
    def seen_body(self, info: Info) -> str:
        return str(info.context["body"]["query"])


@strawberry.type
class Mutation:
    @strawberry.mutation
    def bump(self) -> int:
        return 1


SCHEMA = strawberry.Schema(Query, Mutation)


async def context_getter(request: Request) -> dict[str, Any]:
    # Reading the body again proves the endpoint hands over a readable request.
    body = await request.json() if request.method == "POST" else {"query": ""}
    return {"request": request, "body": body}


def make_app(
    schema: strawberry.Schema = SCHEMA,
    *,
    getter: Any = context_getter,
    **kwargs: Any,
) -> Starlette:
    endpoint = GraphQLEndpoint(schema, context_getter=getter, **kwargs)
    return Starlette(
        routes=[
            Route("/graphql", endpoint, methods=["GET", "POST"]),
            Mount(GRAPHIQL_STATIC_PATH, graphiql_static_app()),
        ]
    )


def client_for(app: Any, **kwargs: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, **kwargs), base_url="http://test"
    )


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(make_app(example_query="{ hello }")) as c:
        yield c


def media(response: httpx.Response) -> str:
    return response.headers["content-type"]


def code(response: httpx.Response) -> str:
    return str(response.json()["errors"][0]["extensions"]["code"])


# -- success and content negotiation -----------------------------------------------


async def test_post_query(client: httpx.AsyncClient) -> None:
    r = await client.post("/graphql", json={"query": "{ hello }"})
    assert r.status_code == 200
    assert media(r) == "application/json; charset=utf-8"
    assert r.json() == {"data": {"hello": "hello world"}}
    assert r.headers["vary"] == "Accept"


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, JSON_MT),
        ("", JSON_MT),
        ("*/*", JSON_MT),
        ("application/*", JSON_MT),
        (JSON_MT, JSON_MT),
        (GQL, GQL),
        (f"{GQL}, {JSON_MT};q=0.9", GQL),
        (f"{JSON_MT}, {GQL}", GQL),
        (f"{JSON_MT};q=0.5, {GQL}", GQL),
        (f"{GQL};q=0.1, {JSON_MT}", JSON_MT),
        (f"{GQL};q=0, */*", JSON_MT),
        (f"text/html, {GQL};q=0.9, */*;q=0.8", GQL),
        ("application/json; charset=utf-8", JSON_MT),
        ("APPLICATION/JSON", JSON_MT),
        ("application/json, multipart/mixed", JSON_MT),  # GraphiQL's fetcher
    ],
)
async def test_accept_negotiation(
    client: httpx.AsyncClient, accept: str | None, expected: str
) -> None:
    headers = {} if accept is None else {"accept": accept}
    r = await client.post("/graphql", json={"query": "{ hello }"}, headers=headers)
    assert r.status_code == 200
    assert media(r) == f"{expected}; charset=utf-8"


@pytest.mark.parametrize(
    "accept", ["text/plain", "text/html", f"{JSON_MT};q=0, {GQL};q=0", "image/*"]
)
async def test_unacceptable_accept_is_406(
    client: httpx.AsyncClient, accept: str
) -> None:
    r = await client.post(
        "/graphql", json={"query": "{ hello }"}, headers={"accept": accept}
    )
    assert r.status_code == 406
    assert code(r) == "BAD_REQUEST"


@BOTH
@pytest.mark.parametrize("param", ["variables", "operationName", "extensions"])
async def test_null_params_allowed(
    client: httpx.AsyncClient, accept: str, param: str
) -> None:
    r = await client.post(
        "/graphql",
        json={"query": "{ hello }", param: None},
        headers={"accept": accept},
    )
    assert r.status_code == 200
    assert r.json() == {"data": {"hello": "hello world"}}


async def test_variables_operation_name_and_extensions(
    client: httpx.AsyncClient,
) -> None:
    r = await client.post(
        "/graphql",
        json={
            "query": "query A { hello } query B($n: String!) { hello(name: $n) }",
            "operationName": "B",
            "variables": {"n": "ü🏃"},
            "extensions": {"some": "value"},
        },
    )
    assert r.status_code == 200
    assert r.json() == {"data": {"hello": "hello ü🏃"}}
    assert "ü🏃".encode() in r.content  # UTF-8 on the wire, not \u escapes


async def test_utf8_request_with_charset(client: httpx.AsyncClient) -> None:
    r = await client.post(
        "/graphql",
        content='{"query": "{ __type(name: \\"Run🏃Swim🏊\\") { name } }"}'.encode(),
        headers={"content-type": "application/json; charset=UTF-8"},
    )
    assert r.status_code == 200
    assert r.json() == {"data": {"__type": None}}


async def test_context_getter_can_reread_body(client: httpx.AsyncClient) -> None:
    r = await client.post("/graphql", json={"query": "{ seenBody }"})
    assert r.json() == {"data": {"seenBody": "{ seenBody }"}}


async def test_post_mutation(client: httpx.AsyncClient) -> None:
    r = await client.post("/graphql", json={"query": "mutation { bump }"})
    assert r.json() == {"data": {"bump": 1}}


# -- GET --------------------------------------------------------------------------


@BOTH
async def test_get_query_with_variables(client: httpx.AsyncClient, accept: str) -> None:
    r = await client.get(
        "/graphql",
        params={
            "query": "query Q($n: String!) { hello(name: $n) }",
            "variables": '{"n": "get"}',
            "operationName": "Q",
        },
        headers={"accept": accept},
    )
    assert r.status_code == 200
    assert media(r) == f"{accept}; charset=utf-8"
    assert r.json() == {"data": {"hello": "hello get"}}


@BOTH
@pytest.mark.parametrize(
    "params",
    [
        {"query": "mutation { bump }"},
        {"query": "query Q { hello } mutation M { bump }", "operationName": "M"},
    ],
)
async def test_get_mutation_is_405(
    client: httpx.AsyncClient, accept: str, params: dict[str, str]
) -> None:
    r = await client.get("/graphql", params=params, headers={"accept": accept})
    assert r.status_code == 405
    assert r.headers["allow"] == "POST"
    assert "data" not in r.json()


async def test_browser_get_with_query_executes(client: httpx.AsyncClient) -> None:
    browser_accept = "text/html,application/xhtml+xml,*/*;q=0.8"
    r = await client.get(
        "/graphql", params={"query": "{ hello }"}, headers={"accept": browser_accept}
    )
    assert r.status_code == 200
    assert r.json() == {"data": {"hello": "hello world"}}


@pytest.mark.parametrize(
    "params",
    [{}, {"query": ""}, {"query": "{ hello }", "variables": "{nope"}],
)
async def test_get_bad_params_are_400(
    client: httpx.AsyncClient, params: dict[str, str]
) -> None:
    r = await client.get("/graphql", params=params)
    assert r.status_code == 400
    assert code(r) == "BAD_REQUEST"


async def test_other_methods_are_405() -> None:
    endpoint = GraphQLEndpoint(SCHEMA, context_getter=context_getter)
    async with client_for(endpoint) as c:  # bare ASGI app, no Route filtering
        r = await c.put("/graphql", json={"query": "{ hello }"})
    assert r.status_code == 405
    assert r.headers["allow"] == "GET, POST"


# -- malformed requests: 400 whatever the media type ------------------------------


@BOTH
@pytest.mark.parametrize(
    "body",
    [
        b"",
        b'{ "not a JSON',
        b"\xff\xfe",
        b'[{"query": "{ hello }"}]',
        b'"{ hello }"',
        b'{"notquery": "{ hello }"}',
        b'{"query": null}',
        b'{"query": {"obj": "ect"}}',
        b'{"query": 0}',
        b'{"query": false}',
        b'{"query": ["array"]}',
        b'{"query": "{ hello }", "variables": "string"}',
        b'{"query": "{ hello }", "variables": ["array"]}',
        b'{"query": "{ hello }", "variables": 0}',
        b'{"query": "{ hello }", "operationName": {"obj": "ect"}}',
        b'{"query": "{ hello }", "operationName": false}',
        b'{"query": "{ hello }", "extensions": "string"}',
        b'{"query": "{ hello }", "extensions": 0}',
    ],
)
async def test_malformed_request_is_400(
    client: httpx.AsyncClient, accept: str, body: bytes
) -> None:
    r = await client.post(
        "/graphql",
        content=body,
        headers={"content-type": "application/json", "accept": accept},
    )
    assert r.status_code == 400
    assert media(r) == f"{accept}; charset=utf-8"
    payload = r.json()
    assert "data" not in payload
    assert code(r) == "BAD_REQUEST"
    assert "Traceback" not in r.text


@pytest.mark.parametrize(
    "content_type",
    [
        None,
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/graphql",
        "application/json; charset=latin-1",
    ],
)
async def test_unsupported_content_type_is_415(
    client: httpx.AsyncClient, content_type: str | None
) -> None:
    headers = {} if content_type is None else {"content-type": content_type}
    r = await client.post("/graphql", content=b'{"query":"{ hello }"}', headers=headers)
    assert r.status_code == 415
    assert code(r) == "BAD_REQUEST"


async def test_body_over_limit_is_413() -> None:
    async with client_for(make_app(max_body_bytes=64)) as c:
        ok = await c.post("/graphql", json={"query": "{ hello }"})
        declared = await c.post("/graphql", json={"query": "{ hello }" + " " * 100})

        async def chunks() -> AsyncIterator[bytes]:
            yield b'{"query": "{ hello }'
            for _ in range(10):
                yield b" " * 10
            yield b'"}'

        # No Content-Length: the limit is enforced while streaming.
        streamed = await c.post(
            "/graphql",
            content=chunks(),
            headers={"content-type": "application/json"},
        )
    assert ok.status_code == 200
    assert declared.status_code == 413
    assert streamed.status_code == 413
    assert "content-length" not in streamed.request.headers


# -- GraphQL request errors: 400 vs 200 by media type -------------------------------


@pytest.mark.parametrize(
    ("body", "expected_code"),
    [
        ({"query": "{"}, "GRAPHQL_PARSE_FAILED"),
        ({"query": "{ 8f31403dfe404bccbb0e835f2629c6a7 }"}, "GRAPHQL_PARSE_FAILED"),
        ({"query": "{ nope }"}, "GRAPHQL_VALIDATION_FAILED"),
        ({"query": "query { hello(name: 1) }"}, "GRAPHQL_VALIDATION_FAILED"),
        (
            {
                "query": "query C($n: String!) { hello(name: $n) }",
                "variables": {"n": None},
            },
            "BAD_USER_INPUT",
        ),
        (
            {"query": "query C($n: String!) { hello(name: $n) }", "variables": {}},
            "BAD_USER_INPUT",
        ),
        ({"query": "query A { hello }", "operationName": "Nope"}, "BAD_REQUEST"),
        ({"query": "subscription { hello }"}, "BAD_REQUEST"),
    ],
)
@BOTH
async def test_request_errors(
    client: httpx.AsyncClient, accept: str, body: dict[str, Any], expected_code: str
) -> None:
    r = await client.post("/graphql", json=body, headers={"accept": accept})
    assert r.status_code == (400 if accept == GQL else 200)
    assert media(r) == f"{accept}; charset=utf-8"
    payload = r.json()
    assert "data" not in payload
    assert payload["errors"][0]["message"]
    assert code(r) == expected_code
    assert "Traceback" not in r.text


async def test_parse_error_has_location(client: httpx.AsyncClient) -> None:
    r = await client.post("/graphql", json={"query": "{"})
    error = r.json()["errors"][0]
    assert error["message"].startswith("Syntax Error")
    assert error["locations"] == [{"line": 1, "column": 2}]


# -- execution: field errors pass through, unexpected failures are masked -----------


@BOTH
async def test_field_error_is_200_with_data(
    client: httpx.AsyncClient, accept: str
) -> None:
    r = await client.post(
        "/graphql", json={"query": "{ hello boom }"}, headers={"accept": accept}
    )
    assert r.status_code == 200
    payload = r.json()
    assert payload["data"] == {"hello": "hello world", "boom": None}
    # Shaping field errors is the schema's job (its masking extension); the
    # endpoint serialises them as they come.
    assert payload["errors"][0]["path"] == ["boom"]


def assert_masked(r: httpx.Response, caplog: pytest.LogCaptureFixture) -> None:
    assert r.status_code == 200
    assert r.json() == {
        "data": None,
        "errors": [
            {
                "message": "Unexpected error.",
                "extensions": {"code": "INTERNAL_SERVER_ERROR"},
            }
        ],
    }
    assert "secret" not in r.text
    records = [rec for rec in caplog.records if rec.name == "trunkline.http"]
    assert records
    assert records[0].exc_info is not None
    assert "secret" in str(records[0].exc_info[1])


@BOTH
async def test_context_getter_crash_is_masked(
    accept: str, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(request: Request) -> object:
        raise RuntimeError("db password secret")

    async with client_for(make_app(getter=broken)) as c:
        r = await c.post(
            "/graphql", json={"query": "{ hello }"}, headers={"accept": accept}
        )
    assert_masked(r, caplog)


class ExplodingExtension(SchemaExtension):
    def on_execute(self) -> Iterator[None]:
        if self.execution_context.query:  # always: the ``if`` keeps a generator
            raise RuntimeError("extension secret")
        yield


async def test_extension_crash_is_masked(caplog: pytest.LogCaptureFixture) -> None:
    schema = strawberry.Schema(Query, Mutation, extensions=[ExplodingExtension])
    async with client_for(make_app(schema)) as c:
        r = await c.post("/graphql", json={"query": "{ hello }"})
    assert_masked(r, caplog)


async def test_unencodable_result_is_masked(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    r = await client.post("/graphql", json={"query": "{ raw }"})
    assert r.status_code == 200
    assert r.json()["errors"][0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert any(rec.name == "trunkline.http" for rec in caplog.records)


async def test_http_exception_from_context_getter_propagates() -> None:
    async def unauthorised(request: Request) -> object:
        raise HTTPException(401, "token expired")

    async with client_for(make_app(getter=unauthorised)) as c:
        r = await c.post("/graphql", json={"query": "{ hello }"})
    assert r.status_code == 401


# -- GraphiQL ---------------------------------------------------------------------

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


async def test_graphiql_page(client: httpx.AsyncClient) -> None:
    r = await client.get("/graphql", headers={"accept": BROWSER_ACCEPT})
    assert r.status_code == 200
    assert media(r) == "text/html; charset=utf-8"
    html = r.text
    assert '"exampleQuery": "{ hello }"' in html
    assert "{{" not in html
    # Everything comes from this server: no absolute URL at all in the page.
    assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", html, re.I)
    for word in ("unpkg", "jsdelivr", "cdnjs", "esm.sh"):
        assert word not in html
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    # Every referenced asset is served by graphiql_static_app().
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert len(assets) == 6
    for url in assets:
        assert url.startswith(f"{GRAPHIQL_STATIC_PATH}/")
        asset = await client.get(url)
        assert asset.status_code == 200, url
        assert len(asset.content) > 100


async def test_graphiql_default_example_and_escaping() -> None:
    async with client_for(make_app()) as c:
        default = await c.get("/graphql", headers={"accept": "text/html"})
    assert '"exampleQuery": "{ __typename }"' in default.text
    hostile = '{ hello(name: "</script><script>alert(1)</script>") }'
    async with client_for(make_app(example_query=hostile)) as c:
        r = await c.get("/graphql", headers={"accept": "text/html"})
    assert "</script><script>" not in r.text
    assert "\\u003c/script\\u003e" in r.text


async def test_graphiql_honours_root_path() -> None:
    async with client_for(make_app(), root_path="/api") as c:
        r = await c.get("/api/graphql", headers={"accept": "text/html"})
    assert r.status_code == 200
    assert 'src="/api/graphiql-static/graphiql.min.js"' in r.text


async def test_graphiql_disabled() -> None:
    async with client_for(make_app(graphiql=False)) as c:
        browser = await c.get("/graphql", headers={"accept": BROWSER_ACCEPT})
        html_only = await c.get("/graphql", headers={"accept": "text/html"})
    assert browser.status_code == 400  # */* => JSON; no query
    assert media(browser) == "application/json; charset=utf-8"
    assert html_only.status_code == 406


async def test_graphiql_not_served_for_html_q0(client: httpx.AsyncClient) -> None:
    r = await client.get("/graphql", headers={"accept": "text/html;q=0, */*"})
    assert r.status_code == 400
    assert media(r) == "application/json; charset=utf-8"
