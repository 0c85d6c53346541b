"""Helpers for tests/test_safety_*.py: a gateway app from a TOML config, and the
vendors' documented paths (their connectors' declared endpoints)."""

from __future__ import annotations

import base64
import re
import socket
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import httpx

from support import GraphQLClient
from trunkline.app import create_app
from trunkline.config import load_settings
from trunkline.connectors import connector_classes
from trunkline.domain import Vendor


def gid(type_name: str, key: str) -> str:
    return base64.b64encode(f"{type_name}:{key}".encode()).decode()


@asynccontextmanager
async def gateway(
    tmp_path: Path,
    toml: str = "",
    env: Mapping[str, str] | None = None,
    *,
    lazy: bool = True,
) -> AsyncIterator[GraphQLClient]:
    """The app over its embedded simulators (unless `toml` names base URLs), each
    built when first reached; `lazy=False` builds them at start, for tests that time
    a request (building one inside the timed request would count against it)."""
    config = tmp_path / "trunkline.toml"
    config.write_text(toml, encoding="utf-8")
    settings = load_settings(
        config,
        env={
            "TRUNKLINE_IDENTITY_STORE": str(tmp_path / "links.sqlite3"),
            **(env or {}),
        },
    )
    app = create_app(settings, lazy_simulators=lazy)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://gateway"
        ) as http:
            yield GraphQLClient(http, app)


def documented_paths(vendor: Vendor) -> list[re.Pattern[str]]:
    """The vendor's declared endpoint paths as patterns: a parameter is one segment,
    never `.` or `..`."""
    cls = connector_classes()[vendor]
    patterns = []
    for ep in cls.endpoints.values():
        parts = re.split(r"\{[^}]+\}", ep.path)
        regex = r"(?!\.\.?/|\.\.?$)[^/]+".join(re.escape(p) for p in parts)
        patterns.append(re.compile(regex))
    return patterns


def undocumented_calls(gql: GraphQLClient) -> list[tuple[str, str]]:
    """Every logged simulator call whose path is none of its vendor's endpoints."""
    out = []
    for vendor in gql.app.state.simulators:
        patterns = documented_paths(vendor)
        for _method, path, _query in gql.calls(vendor):
            if not any(p.fullmatch(path) for p in patterns):
                out.append((vendor.value, path))
    return out


def total_calls(gql: GraphQLClient) -> int:
    return sum(len(gql.calls(v)) for v in gql.app.state.simulators)


def codes(body: Mapping[str, Any]) -> set[str]:
    return {e["extensions"]["code"] for e in body.get("errors", ())}


@contextmanager
def refused_port() -> Iterator[int]:
    """A 127.0.0.1 port nothing listens on (bound, then closed)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    yield port


@contextmanager
def silent_port() -> Iterator[int]:
    """A 127.0.0.1 port that accepts connections (the kernel's backlog) and never
    answers a byte."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(64)
        yield s.getsockname()[1]
