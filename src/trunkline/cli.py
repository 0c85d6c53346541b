"""trunkline: a GraphQL gateway over contact-centre and CRM vendor APIs.

Commands: serve, export-schema, simulate, links import. `trunkline COMMAND --help` lists
each command's options with their defaults."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

DEFAULT_SDL = "schema.graphql"
DEFAULT_POSSIBLE_TYPES = "possible-types.json"
SIM_HOST = "127.0.0.1"
SIM_PORT = 9001


def version() -> str:
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as dist_version

    try:
        return dist_version("trunkline")
    except PackageNotFoundError:  # run from a source tree
        from trunkline import __version__

        return __version__


def _settings(config: str | None) -> Any:
    """The settings, or None after printing why they are bad."""
    from trunkline.config import load_settings
    from trunkline.errors import ConfigError

    try:
        return load_settings(config)
    except ConfigError as exc:
        print(f"trunkline: {exc.message}", file=sys.stderr)
        return None


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from trunkline.app import create_app, tune_gc_for_serving
    from trunkline.errors import ConfigError

    settings = _settings(args.config)
    if settings is None:
        return 2
    try:
        app = create_app(settings)
    except ConfigError as exc:  # e.g. what the security profile refuses
        print(f"trunkline: {exc.message}", file=sys.stderr)
        return 2
    tune_gc_for_serving()
    print(
        f"trunkline {version()}: GraphQL at http://{args.host}:{args.port}/graphql; "
        f"identity store {settings.identity_store}",
        flush=True,
    )
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


def possible_types() -> dict[str, list[str]]:
    """Each interface and union of the schema with the types that can stand for it:
    what Apollo Client's `possibleTypes` option needs to match fragments on them."""
    from graphql import GraphQLInterfaceType, GraphQLUnionType

    from trunkline.schema import schema

    gql = schema._schema
    found: dict[str, list[str]] = {}
    for name, t in sorted(gql.type_map.items()):
        if name.startswith("__"):
            continue
        if isinstance(t, GraphQLInterfaceType | GraphQLUnionType):
            found[name] = sorted(p.name for p in gql.get_possible_types(t))
    return found


def _export_schema(args: argparse.Namespace) -> int:
    if args.possible_types is not None:
        text = json.dumps(possible_types(), indent=2) + "\n"
        output, what = args.possible_types, "possibleTypes"
    else:
        from trunkline.schema import schema

        text = schema.as_str() + "\n"
        output, what = args.output, "the SDL"
    if output == "-":
        sys.stdout.write(text)
        return 0
    path = Path(output)
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        print(f"trunkline: cannot write {path}: {exc.strerror}", file=sys.stderr)
        return 2
    print(f"wrote {what} to {path.resolve()}")
    return 0


def _vendor_classes() -> dict[str, Any]:
    from trunkline.connectors import connector_classes

    return {v.value: cls for v, cls in sorted(connector_classes().items(), key=_name)}


def _name(item: tuple[Any, Any]) -> str:
    return str(item[0].value)


def _simulate(args: argparse.Namespace) -> int:
    import uvicorn

    from trunkline.domain import Vendor
    from trunkline.simulators import embedded_app  # not the gateway: 0.7 s of imports

    app = embedded_app(Vendor(args.vendor).value)
    if args.latency_ms:
        app.state.faults.latency_ms = args.latency_ms  # type: ignore[attr-defined]
    url = f"http://{args.host}:{args.port}"
    print(
        f"trunkline: {args.vendor} simulator at {url} "
        f"(faults: {url}/_sim/faults); point the gateway at it with "
        f"TRUNKLINE_{args.vendor.upper()}_URL={url}",
        flush=True,
    )
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


async def _unknown_accounts(settings: Any, accounts: list[str]) -> set[str]:
    """The accounts LiveVox (the contact source) does not have: one search per 1000."""
    from trunkline.app import build_gateway

    # Lazy: only the contact source's simulator (when embedded) is ever seeded.
    gateway, _ = build_gateway(settings, lazy_simulators=True)
    try:
        found = await gateway.contact_source().get_contacts(accounts)
    finally:
        await asyncio.gather(*(c.aclose() for c in gateway.connectors.values()))
        if gateway.identity is not None:
            await gateway.identity.aclose()
    return set(accounts) - set(found)


def _links_import(args: argparse.Namespace) -> int:
    from trunkline.errors import TrunklineError
    from trunkline.store import import_links, read_links_csv

    settings = _settings(args.config)
    if settings is None:
        return 2
    try:
        rows, problems = read_links_csv(Path(args.file))
        unknown = asyncio.run(_unknown_accounts(settings, [r.account for r in rows]))
    except (TrunklineError, OSError, UnicodeDecodeError) as exc:
        print(f"trunkline: {args.file}: {exc}", file=sys.stderr)
        return 2
    for r in rows:
        if r.account in unknown:
            problems.append(
                f"row {r.row}: account {r.account!r} does not exist at LiveVox"
            )
    problems.sort(key=lambda p: int(p.split()[1].rstrip(":")))
    valid = [r for r in rows if r.account not in unknown]
    for problem in problems:
        print(f"{args.file}: {problem}", file=sys.stderr)
    if problems and not args.skip_invalid:
        print(
            f"trunkline: nothing imported: {len(problems)} invalid row(s) "
            "(fix them, or pass --skip-invalid to import the valid rows)",
            file=sys.stderr,
        )
        return 2
    try:
        count = asyncio.run(import_links(settings.identity_store, valid))
    except (TrunklineError, OSError) as exc:
        print(f"trunkline: {settings.identity_store}: {exc}", file=sys.stderr)
        return 2
    skipped = f" (skipped {len(problems)} invalid row(s))" if problems else ""
    print(f"imported {count} links into {settings.identity_store}{skipped}")
    return 0


class _Help(argparse.HelpFormatter):
    """Each option's help line ends with its default (flags and unset ones have none
    to show: their help says what happens)."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        default = action.default
        if default is None or default is False or default is argparse.SUPPRESS:
            return text
        if "%(default)" in text:
            return text
        if action.option_strings or action.nargs in ("?", "*"):
            text += " (default: %(default)s)"
        return text


class _TopHelp(_Help, argparse.RawDescriptionHelpFormatter):
    """The top-level description keeps its line breaks."""


def _config_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--config",
        default=None,
        metavar="PATH",
        help="TOML config file (else TRUNKLINE_CONFIG; with none, every vendor is "
        "its embedded simulator)",
    )


def parser() -> argparse.ArgumentParser:
    from trunkline.config import default_identity_store

    p = argparse.ArgumentParser(
        prog="trunkline", description=__doc__, formatter_class=_TopHelp
    )
    p.add_argument("--version", action="version", version=f"trunkline {version()}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = sub.add_parser(
        "serve",
        help="run the gateway (GraphQL at /graphql, GraphiQL in a browser)",
        description="Run the gateway under uvicorn. Vendors without a base_url are "
        "served by their embedded simulators.",
        formatter_class=_Help,
    )
    serve.add_argument(
        "--host",
        default=os.environ.get("TRUNKLINE_HOST", "127.0.0.1"),
        help="address to listen on (or TRUNKLINE_HOST)",
    )
    serve.add_argument(
        "--port",
        type=int,
        default=int(os.environ.get("TRUNKLINE_PORT", "8000")),
        help="port to listen on (or TRUNKLINE_PORT)",
    )
    _config_option(serve)
    serve.add_argument(
        "--log-level",
        default="info",
        choices=["critical", "error", "warning", "info", "debug"],
        help="uvicorn's log level",
    )
    serve.add_argument(
        "--access-log", action="store_true", help="log a line per HTTP request"
    )
    serve.set_defaults(run=_serve)

    export = sub.add_parser(
        "export-schema",
        help="write the schema's SDL (or Apollo Client's possibleTypes)",
        description="Write the schema's SDL to FILE, or with --possible-types the "
        "possibleTypes map Apollo Client needs for fragments on Node and "
        "InteractionDetail. Paths are relative to the current directory; '-' "
        "writes to standard output. Prints the absolute path it wrote.",
        formatter_class=_Help,
    )
    export.add_argument(
        "output",
        nargs="?",
        default=DEFAULT_SDL,
        metavar="FILE",
        help="where the SDL goes",
    )
    export.add_argument(
        "--possible-types",
        nargs="?",
        const=DEFAULT_POSSIBLE_TYPES,
        default=None,
        metavar="FILE",
        help=f"write possibleTypes JSON instead, to FILE ({DEFAULT_POSSIBLE_TYPES} "
        "when FILE is left out)",
    )
    export.set_defaults(run=_export_schema)

    vendors = sorted(_vendor_classes())
    sim = sub.add_parser(
        "simulate",
        help=f"run one vendor simulator on its own ({', '.join(vendors)})",
        description="Run one vendor's simulator on its own and print its URL. "
        f"Vendors: {', '.join(vendors)}.",
        formatter_class=_Help,
    )
    sim.add_argument(
        "vendor", choices=vendors, metavar="VENDOR", help="one of: %(choices)s"
    )
    sim.add_argument("--host", default=SIM_HOST, help="address to listen on")
    sim.add_argument("--port", type=int, default=SIM_PORT, help="port to listen on")
    sim.add_argument(
        "--latency-ms",
        type=float,
        default=0.0,
        help="added latency per call, in milliseconds",
    )
    sim.set_defaults(run=_simulate)

    links = sub.add_parser(
        "links",
        help="manage explicit identity links",
        description="Explicit identity links: a LiveVox account's record at another "
        "vendor, when no contact_key rule finds it.",
        formatter_class=_Help,
    )
    links_sub = links.add_subparsers(
        dest="links_command", required=True, metavar="ACTION"
    )
    imp = links_sub.add_parser(
        "import",
        help="import links from a CSV file",
        description="Import contact_account,vendor,vendor_id rows (header optional) "
        "into the identity store the config names (the one `serve` uses). Every "
        "account must exist at LiveVox. A file with a bad row imports nothing, "
        "unless --skip-invalid; each bad row is reported with its row number. "
        "The store: TRUNKLINE_IDENTITY_STORE, else [gateway] identity_store "
        "(relative to the config file), else "
        f"{default_identity_store()}.",
        formatter_class=_Help,
    )
    imp.add_argument(
        "file", metavar="FILE", help="CSV: contact_account,vendor,vendor_id"
    )
    _config_option(imp)
    imp.add_argument(
        "--skip-invalid",
        action="store_true",
        help="import the valid rows and report the invalid ones",
    )
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
