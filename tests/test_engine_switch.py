"""`[gateway] fast_path` (TRUNKLINE_FAST_PATH) switches the engine's fast path; off,
the app runs Strawberry's schema with graphql-core's own executor. The gateway tests
run once with each (scripts/test): they are the differential test."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from starlette.routing import Route
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from trunkline.app import create_app
from trunkline.config import load_settings
from trunkline.engine import Executor, FastPath
from trunkline.errors import ConfigError


def test_on_by_default_off_by_file_or_environment(tmp_path: Path) -> None:
    assert load_settings(env={}).fast_path is True
    cfg = tmp_path / "t.toml"
    cfg.write_text("[gateway]\nfast_path = false\n")
    assert load_settings(cfg, env={}).fast_path is False
    assert load_settings(cfg, env={"TRUNKLINE_FAST_PATH": "true"}).fast_path is True
    assert load_settings(env={"TRUNKLINE_FAST_PATH": "0"}).fast_path is False
    with pytest.raises(ConfigError, match="fast_path"):
        load_settings(env={"TRUNKLINE_FAST_PATH": "maybe"})


def _schema(app: Any) -> Any:
    [endpoint] = [
        r.endpoint
        for r in app.routes
        if isinstance(r, Route) and r.path == "/graphql"  # not the WebSocket's
    ]
    return endpoint.schema


def test_off_the_app_runs_strawberrys_own_path(settings: Any) -> None:
    on = _schema(create_app(replace(settings, fast_path=True), lazy_simulators=True))
    off = _schema(create_app(replace(settings, fast_path=False), lazy_simulators=True))
    assert isinstance(on, FastPath) and on.execution_context_class is Executor
    assert not isinstance(off, FastPath)
    assert off.execution_context_class is StrawberryGraphQLCoreExecutionContext
    # one schema per path, shared by every app of the process
    assert (
        _schema(create_app(replace(settings, fast_path=False), lazy_simulators=True))
        is off
    )
