"""`trunkline serve | export-schema | simulate | links import`."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

DEFAULT_SDL = "schema.graphql"


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from trunkline.app import create_app, tune_gc_for_serving
    from trunkline.config import load_settings
    from trunkline.errors import ConfigError

    try:
        settings = load_settings(args.config)
    except ConfigError as exc:
        print(f"trunkline: {exc.message}", file=sys.stderr)
        return 2
    app = create_app(settings)
    tune_gc_for_serving()
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        log_level=args.log_level,
        loop="uvloop" if _has("uvloop") else "asyncio",
        http=_http_protocol(),
        access_log=args.access_log,
    )
    return 0


def _http_protocol() -> Any:
    """uvicorn's httptools protocol writing each response at once (serving.py)."""
    if not _has("httptools"):
        return "h11"
    from trunkline.serving import CoalescingHttpToolsProtocol

    return CoalescingHttpToolsProtocol


def _has(module: str) -> bool:
    try:
        __import__(module)
    except ImportError:
        return False
    return True


def _export_schema(args: argparse.Namespace) -> int:
    from trunkline.schema import schema

    sdl = schema.as_str() + "\n"
    if args.output == "-":
        sys.stdout.write(sdl)
    else:
        Path(args.output).write_text(sdl, encoding="utf-8")
        print(f"wrote {args.output}")
    return 0


def _simulate(args: argparse.Namespace) -> int:
    import uvicorn

    from trunkline.app import load_simulator
    from trunkline.connectors import connector_classes

    by_name = {v.value: cls for v, cls in connector_classes().items()}
    if args.vendor not in by_name:
        print(f"trunkline: unknown vendor {args.vendor!r}; one of {sorted(by_name)}")
        return 2
    app = load_simulator(by_name[args.vendor].simulator)
    if args.latency_ms:
        app.state.faults.latency_ms = args.latency_ms  # type: ignore[attr-defined]
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        log_level="warning",
        access_log=False,
        loop="uvloop" if _has("uvloop") else "asyncio",
        http=_http_protocol(),
    )
    return 0


def _links_import(args: argparse.Namespace) -> int:
    from trunkline.config import load_settings
    from trunkline.errors import TrunklineError
    from trunkline.store import import_links_csv

    try:
        settings = load_settings(args.config)
        count = asyncio.run(import_links_csv(settings.identity_store, Path(args.file)))
    except (TrunklineError, OSError) as exc:
        print(f"trunkline: {exc}", file=sys.stderr)
        return 2
    print(f"imported {count} links into {settings.identity_store}")
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="trunkline", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the gateway under uvicorn")
    serve.add_argument("--host", default=os.environ.get("TRUNKLINE_HOST", "127.0.0.1"))
    serve.add_argument(
        "--port", type=int, default=int(os.environ.get("TRUNKLINE_PORT", "8000"))
    )
    serve.add_argument("--config", default=None, help="TOML file (or TRUNKLINE_CONFIG)")
    serve.add_argument("--log-level", default="info")
    serve.add_argument("--access-log", action="store_true")
    serve.set_defaults(run=_serve)

    export = sub.add_parser("export-schema", help="write the SDL")
    export.add_argument("output", nargs="?", default=DEFAULT_SDL)
    export.set_defaults(run=_export_schema)

    sim = sub.add_parser("simulate", help="run one vendor simulator on its own")
    sim.add_argument("vendor")
    sim.add_argument("--host", default="127.0.0.1")
    sim.add_argument("--port", type=int, default=9001)
    sim.add_argument("--latency-ms", type=float, default=0.0)
    sim.set_defaults(run=_simulate)

    links = sub.add_parser("links", help="manage explicit identity links")
    links_sub = links.add_subparsers(dest="links_command", required=True)
    imp = links_sub.add_parser("import", help="import links from CSV")
    imp.add_argument("file", help="CSV with columns contact_account,vendor,vendor_id")
    imp.add_argument("--config", default=None)
    imp.set_defaults(run=_links_import)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    # A line per vendor call is noise (and CPU) at scale; failures are logged by us.
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    args = parser().parse_args(argv)
    code: int = args.run(args)
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
