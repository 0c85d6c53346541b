"""The layering, checked on the source: every module's imports parsed with `ast`,
TYPE_CHECKING blocks and imports inside functions included.

    schema -> resolvers -> loaders -> (ports) <- connectors

Data flows down; no layer imports one above it. Schema reaches data only through
resolvers; schema, resolvers and loaders reach vendors only through the ports
(`trunkline.sources`), never a connector or a simulator. The shared modules beside the
layers (the ports, domain and the vendors' detail records, errors, config, the
pagination library, lazy values) are importable by all, and import no layer
themselves; `pagination/` imports neither resolvers nor connectors. A new top-level
module or package needs its entry in ALLOWED: its arrows are a decision, not a default.
The engine (how an operation runs, and the operation hooks) imports no layer; the
schema and the request context import it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import trunkline

ROOT = Path(trunkline.__file__).parent

# Shared modules: importable by every layer.
SHARED = {
    "sources",
    "writes",  # the write ports (specs and writer protocols), beside `sources`
    "domain",
    "campaigns",
    "details",
    "errors",
    "config",
    "pagination",
    "lazy",
    "queues",
    "budget",  # a request's vendor-call budget, spent where every call passes
    "shapes",  # vendor id shapes, checked on client input
    "lru",
    "security_settings",
    "safe_xml",  # peer XML parsed safely: SOAP answers, the Engage simulator's requests
}

# The allowed arrows, by layer (a layer may always import itself and SHARED).
ALLOWED: dict[str, set[str]] = {
    # the schema is put together with the engine (its fast path, the operation hooks)
    "schema": {"resolvers", "engine"},
    # the request context travels with the resolvers: the schema hands it to them;
    # it carries the app's operation hooks (engine/hooks.py)
    "resolvers": {"loaders", "store", "engine"},
    # how an operation runs: knows no trunkline type, imports no layer
    "engine": set(),
    "loaders": {"store"},
    "connectors": set(),
    # the arrival stamp the serving protocol puts on each request (simulators/clock.py)
    "simulators": {"serving"},
    "store": set(),
    # shared modules import only each other (pagination: not even domain)
    "sources": {"domain", "campaigns", "config", "pagination"},
    "writes": {"domain"},
    "domain": set(),
    "campaigns": set(),  # campaign records (Engage's), beside domain's
    "details": {"domain"},
    "errors": set(),
    # vendor names; queues it checks; the [security] and [limits] checks
    "config": {"errors", "domain", "queues", "security_settings"},
    "queues": {"domain", "errors"},  # queue records and the QueueSource port
    "pagination": {"errors"},
    "lazy": set(),
    "budget": {"errors"},
    "shapes": set(),
    # the operation's cost before it runs: each connector's declared paging
    # (connectors.base.HistoryCost); imported by the composition root only
    "cost": {"connectors"},
    "lru": set(),
    "safe_xml": set(),
    "security_settings": {"errors"},
    # the request guard (called from http.py) reads the schema's document cache
    "security": {"schema", "engine"},
}
# The composition root (app, CLI, HTTP, serving) wires everything together.
ROOT_MODULES = {"app", "cli", "http", "ws", "serving", "__init__", "__main__"}


def layer_of(module: str) -> str:
    """The layer of a dotted module name under trunkline ('trunkline.x.y' -> 'x')."""
    parts = module.split(".")
    head = parts[1] if len(parts) > 1 else "__init__"
    return "resolvers" if head == "context" else head


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def imports_of(path: Path) -> Iterator[tuple[int, str]]:
    """(line, imported module) for every trunkline import anywhere in the file."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            if target == "trunkline":  # `from trunkline import domain`
                for alias in node.names:
                    yield node.lineno, f"trunkline.{alias.name}"
            else:
                yield node.lineno, target


def arrows() -> set[tuple[str, str]]:
    """The import arrows between layers (the report's 'before/after' list)."""
    found = set()
    for path in ROOT.rglob("*.py"):
        src = layer_of(module_name(path))
        for _, target in imports_of(path):
            if target.startswith("trunkline.") and layer_of(target) != src:
                found.add((src, layer_of(target)))
    return found


def test_every_import_follows_the_layers() -> None:
    wrong = []
    for path in sorted(ROOT.rglob("*.py")):
        name = module_name(path)
        src = layer_of(name)
        if src in ROOT_MODULES:
            continue
        assert src in ALLOWED, f"{name}: a new layer; give it its arrows in ALLOWED"
        allowed = {src} | ALLOWED[src] | (set() if src in SHARED else SHARED)
        for line, target in imports_of(path):
            if not target.startswith("trunkline"):
                continue
            dest = layer_of(target)
            if dest not in allowed:
                wrong.append(f"{path.relative_to(ROOT)}:{line}: {src} -> {target}")
    assert not wrong, "imports against the layering:\n" + "\n".join(wrong)


def test_no_layer_above_the_ports_names_a_vendor_module() -> None:
    for src in ("schema", "resolvers", "loaders", "pagination"):
        assert not {"connectors", "simulators"} & ALLOWED[src]
    assert ("schema", "loaders") not in arrows()


def test_the_checker_sees_every_kind_of_import(tmp_path: Path) -> None:
    """TYPE_CHECKING blocks, function-level and relative imports all count."""
    pkg = ROOT / "schema"
    probe = pkg / "_probe_import_graph.py"
    probe.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from trunkline.connectors.base import Connector\n"
        "def f():\n    import trunkline.simulators.seed\n"
        "from ..loaders import ALL\n"
        "from trunkline import connectors\n",
        encoding="utf-8",
    )
    try:
        found = {t for _, t in imports_of(probe)}
    finally:
        probe.unlink()
    assert found == {
        "typing",
        "trunkline.connectors.base",
        "trunkline.simulators.seed",
        "trunkline.loaders",
        "trunkline.connectors",
    }
