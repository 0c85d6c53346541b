"""The production profile and its switches, the simulators' control routes, and CORS.

The production tests follow the classes a GraphQL security audit checks (graphql-cop's:
introspection, field suggestions, an IDE, GET queries and mutations, url-encoded and
form POSTs (CSRF), alias and directive overloading, field duplication, batching, trace
and debug leaks); each is refused with no vendor call.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from security_support import (
    FULL_KEY,
    Gateway,
    bearer,
    gateway,
    production_settings,
    settings_from,
)
from trunkline.app import create_app
from trunkline.errors import ConfigError

INTROSPECTION = "query cop { __schema { types { name fields { name } } } }"


@pytest.fixture
async def prod(tmp_path: Path) -> AsyncIterator[Gateway]:
    async with gateway(production_settings(tmp_path), real_vendors=True) as g:
        await g.post("{ __typename }")
        yield g


def test_production_refuses_embedded_simulators(tmp_path: Path) -> None:
    settings = settings_from(
        tmp_path,
        "",
        {
            "TRUNKLINE_PROFILE": "production",
            "TRUNKLINE_API_KEYS": FULL_KEY,
            "TRUNKLINE_LIVEVOX_URL": "https://api.livevox.example",
        },
    )
    with pytest.raises(ConfigError) as caught:
        create_app(settings)
    assert caught.value.message == (
        "production profile: embedded simulators are not allowed, and these vendors "
        "have no base_url: crmcom, engage, moxiworks, procurios (set [vendors.<name>] "
        "base_url or TRUNKLINE_<VENDOR>_URL)"
    )


def test_production_refuses_to_start_without_credentials(tmp_path: Path) -> None:
    settings = production_settings(tmp_path, env={"TRUNKLINE_API_KEYS": ""})
    assert not settings.security.api_keys[2:]  # only the file's two keys
    bare = settings_from(
        tmp_path,
        '[security]\nprofile = "production"\nembedded_simulators = true\n',
    )
    with pytest.raises(ConfigError, match="no credentials are configured"):
        create_app(bare)


def test_production_defaults() -> None:
    from trunkline.security_settings import security_settings

    s = security_settings({"profile": "production"}, {}, {})
    assert (s.introspection, s.graphiql, s.field_suggestions, s.get_queries) == (
        False,
        False,
        False,
        False,
    )
    assert (s.embedded_simulators, s.mount_simulators, s.anonymous_scopes) == (
        False,
        False,
        frozenset(),
    )
    d = security_settings({}, {}, {})
    assert (d.introspection, d.graphiql, d.field_suggestions, d.get_queries) == (
        True,
        True,
        True,
        True,
    )


async def test_production_answers_an_authenticated_query(prod: Gateway) -> None:
    r = await prod.post("{ contacts(first: 2) { edges { node { account } } } }")
    assert r.status_code == 200 and len(r.json()["data"]["contacts"]["edges"]) == 2
    assert prod.calls() >= 1


async def test_production_requires_authentication(prod: Gateway) -> None:
    before = prod.calls()
    r = await prod.post("{ __typename }", key=None)
    assert r.status_code == 401
    assert prod.calls() == before


@pytest.mark.parametrize(
    "document",
    [
        INTROSPECTION,
        '{ __type(name: "Contact") { fields { name } } }',
        "query cop { __schema { types { fields { type { fields { type { name } } } } } } }",
        "{ ...F } fragment F on Query { __schema { queryType { name } } }",
    ],
    ids=["schema", "type", "circular", "in a fragment"],
)
async def test_introspection_is_off(prod: Gateway, document: str) -> None:
    before = prod.calls()
    r = await prod.post(document)
    assert r.json() == {
        "errors": [
            {
                "message": "GraphQL introspection is disabled on this server.",
                "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"},
            }
        ]
    }
    assert prod.calls() == before
    assert (await prod.post("{ __typename }")).json() == {
        "data": {"__typename": "Query"}
    }


@pytest.mark.parametrize(
    "document",
    [
        "query cop { __schema { directive } }",
        "{ contactz(first: 1) { edges { cursor } } }",
        "{ contacts(frist: 1) { edges { cursor } } }",
        '{ contacts(first: 1, filter: { accountPrefx: "1" }) { edges { cursor } } }',
    ],
    ids=["introspection field", "field", "argument", "input field"],
)
async def test_no_field_suggestions(prod: Gateway, document: str) -> None:
    r = await prod.post(document)
    text = r.text
    assert "errors" in r.json() and "Did you mean" not in text


async def test_suggestions_stay_in_development(tmp_path: Path) -> None:
    async with gateway(settings_from(tmp_path)) as g:
        r = await g.post("{ contactz(first: 1) { edges { cursor } } }", key=None)
        assert (
            "Did you mean 'contact' or 'contacts'?" in r.json()["errors"][0]["message"]
        )


async def test_no_ide_and_no_get(prod: Gateway) -> None:
    page = await prod.http.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 405 and "graphiql" not in page.text.lower()
    for query in ("query cop { __typename }", "mutation cop { __typename }"):
        r = await prod.http.get(
            "/graphql", params={"query": query}, headers=bearer(FULL_KEY)
        )
        assert r.status_code == 405
        assert r.headers["allow"] == "POST"
        assert "data" not in r.json()


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/x-www-form-urlencoded", "query=query+cop+%7B+__typename+%7D"),
        ("text/plain", '{"query": "{ __typename }"}'),
        (
            "multipart/form-data; boundary=x",
            '--x\r\nContent-Disposition: form-data; name="query"\r\n\r\n{ __typename }\r\n--x--\r\n',
        ),
    ],
    ids=["url-encoded", "text/plain", "multipart"],
)
async def test_no_csrf_able_post(prod: Gateway, content_type: str, body: str) -> None:
    r = await prod.http.post(
        "/graphql",
        content=body,
        headers={"Content-Type": content_type, **bearer(FULL_KEY)},
    )
    assert r.status_code == 415
    assert "data" not in r.json()


async def test_overloading_and_batching_are_refused(prod: Gateway) -> None:
    before = prod.calls()
    cases = {
        "alias": "query cop { "
        + " ".join(f"alias{i}:__typename" for i in range(101))
        + " }",
        "directive": "query cop { __typename @aa@aa@aa@aa@aa@aa@aa@aa@aa@aa }",
        "duplication": "query cop { " + "__typename \n" * 500 + "} ",
    }
    for name, document in cases.items():
        r = await prod.post(document, operationName="cop")
        body = r.json()
        assert "data" not in body, name
        [error] = body["errors"]  # one error, not one per directive
        assert error["extensions"]["code"] == "QUERY_TOO_COMPLEX", name
    r = await prod.http.post(
        "/graphql",
        json=[{"query": "query cop { __typename }"}] * 10,
        headers=bearer(FULL_KEY),
    )
    assert r.status_code == 400
    assert r.json()["errors"][0]["message"] == (
        "Request body must be a JSON object (batching is not supported)."
    )
    assert prod.calls() == before


async def test_no_trace_or_debug_in_errors(prod: Gateway) -> None:
    for document in ("qwerty cop { abc }", "query cop { __typename }", "{ nope }"):
        r = await prod.post(document)
        body = r.json()
        assert "tracing" not in r.text and "exception" not in r.text
        assert "Traceback" not in r.text and "stacktrace" not in r.text.lower()
        assert "extensions" not in body or "tracing" not in body["extensions"]
    assert "server" not in {k.lower() for k in r.headers if k.lower() == "x-powered-by"}


@pytest.mark.parametrize(
    ("switch", "check"),
    [
        ("introspection", INTROSPECTION),
        ("field_suggestions", "{ contactz(first: 1) { edges { cursor } } }"),
        ("get_queries", None),
        ("graphiql", None),
    ],
)
async def test_each_switch_alone(
    tmp_path: Path, switch: str, check: str | None
) -> None:
    """A development server with one switch turned off: only that changes."""
    settings = settings_from(tmp_path, f"[security]\n{switch} = false\n")
    async with gateway(settings) as g:
        introspection = await g.post(INTROSPECTION, key=None)
        assert ("__schema" in introspection.text) is (switch != "introspection")
        suggestion = await g.post(
            "{ contactz(first: 1) { edges { cursor } } }", key=None
        )
        assert ("Did you mean" in suggestion.text) is (switch != "field_suggestions")
        get = await g.http.get("/graphql", params={"query": "{ __typename }"})
        assert (get.status_code == 200) is (switch != "get_queries")
        page = await g.http.get("/graphql", headers={"Accept": "text/html"})
        # the page itself stays (its queries are POSTs) when only GET queries are off
        assert ("graphiql" in page.text.lower()) is (switch != "graphiql")


async def test_env_switches(tmp_path: Path) -> None:
    settings = settings_from(
        tmp_path, "", {"TRUNKLINE_INTROSPECTION": "0", "TRUNKLINE_GET_QUERIES": "false"}
    )
    assert not settings.security.introspection and not settings.security.get_queries
    assert settings.security.graphiql  # the rest keep the profile's defaults
    with pytest.raises(ConfigError, match="TRUNKLINE_GRAPHIQL"):
        settings_from(tmp_path, "", {"TRUNKLINE_GRAPHIQL": "maybe"})


async def test_simulator_control_routes_are_not_served_by_default(
    tmp_path: Path,
) -> None:
    async with gateway(settings_from(tmp_path)) as g:
        for method, path in (
            ("PUT", "/simulators/livevox/_sim/faults"),
            ("GET", "/simulators/livevox/_sim/calls"),
            ("GET", "/simulators/procurios/_sim/knobs"),
        ):
            r = await g.http.request(method, path, json={"down": True})
            assert r.status_code == 404, path
        assert not any(sim.state.faults.down for sim in g.sims.values())
        # tests reach them in-process, as app.state.simulators
        assert set(g.app.state.simulators) == set(g.sims)


async def test_simulator_routes_can_be_mounted(tmp_path: Path) -> None:
    settings = settings_from(tmp_path, "[security]\nmount_simulators = true\n")
    async with gateway(settings) as g:
        r = await g.http.get("/simulators/livevox/_sim/calls")
        assert r.status_code == 200


CORS_TOML = '[security]\ncors_origins = ["https://app.example"]\n'


async def test_cors_preflight_for_an_allowed_origin(tmp_path: Path) -> None:
    async with gateway(settings_from(tmp_path, CORS_TOML)) as g:
        r = await g.http.options(
            "/graphql",
            headers={
                "Origin": "https://app.example",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization, content-type",
            },
        )
        assert r.status_code == 200
        assert r.headers["access-control-allow-origin"] == "https://app.example"
        assert "POST" in r.headers["access-control-allow-methods"]
        allowed = r.headers["access-control-allow-headers"].lower()
        assert "authorization" in allowed and "content-type" in allowed
        assert "access-control-allow-credentials" not in r.headers
        post = await g.http.post(
            "/graphql",
            json={"query": "{ __typename }"},
            headers={"Origin": "https://app.example"},
        )
        assert post.headers["access-control-allow-origin"] == "https://app.example"


async def test_cors_refuses_other_origins(tmp_path: Path) -> None:
    async with gateway(settings_from(tmp_path, CORS_TOML)) as g:
        r = await g.http.options(
            "/graphql",
            headers={
                "Origin": "https://evil.example",
                "Access-Control-Request-Method": "POST",
            },
        )
        assert r.status_code == 400
        assert "access-control-allow-origin" not in r.headers
        post = await g.http.post(
            "/graphql",
            json={"query": "{ __typename }"},
            headers={"Origin": "https://evil.example"},
        )
        assert "access-control-allow-origin" not in post.headers


async def test_no_cors_headers_without_origins(tmp_path: Path) -> None:
    async with gateway(settings_from(tmp_path)) as g:
        post = await g.http.post(
            "/graphql",
            json={"query": "{ __typename }"},
            headers={"Origin": "https://app.example"},
        )
        assert "access-control-allow-origin" not in post.headers
