"""Turning measured figures into results.json rows, the printed table and RESULTS.md."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bench.catalog import BenchQuery
    from bench.floor import Floor
    from bench.run import Figures, Options

KEYS = (
    "query",
    "vendor_calls",
    "min_vendor_calls",
    "p50_ms",
    "critical_path_ms",
    "p50_over_critical_path",
    "rps_c16",
    "rps_c64",
    "baseline_rps_c64",
    "rps_ratio_to_baseline_c64",
    "peer_rps_c64",
    "rps_ratio_to_peer_c64",
    "cpu_ms_per_request",
    "baseline_cpu_ms_per_request",
    "peak_rss_mb",
)


def _ratio(a: float | None, b: float | None, digits: int = 2) -> float | None:
    if a is None or b is None or b == 0:
        return None
    return round(a / b, digits)


def _best(figs: list[Figures], kind: str) -> Figures | None:
    """The variant of a kind with the highest throughput (at 64, then at 16)."""
    mine = [f for f in figs if f.kind == kind]
    if not mine:
        return None
    return max(mine, key=lambda f: (f.rps_c64 or 0.0, f.rps_c16 or 0.0))


def _quickest(figs: list[Figures], kind: str) -> Figures | None:
    """The variant of a kind with the lowest p50 at concurrency 1."""
    mine = [f for f in figs if f.kind == kind and f.p50_ms is not None]
    if not mine:
        return None
    return min(mine, key=lambda f: f.p50_ms or 0.0)


def row(
    q: BenchQuery,
    figs: list[Figures],
    fl: Floor | None,
    latency_ms: float,
    peer_skipped: str | None,
) -> dict[str, Any]:
    tl = _best(figs, "trunkline")
    base = _best(figs, "baseline")
    peer = _best(figs, "peer")
    quick = _quickest(figs, "baseline")
    wire = _quickest(figs, "wire")
    straw = _quickest(figs, "strawberry")
    cp = fl.hops * latency_ms if fl else None
    out: dict[str, Any] = {
        "query": q.name,
        "title": q.title,
        "vendor_calls": tl.vendor_calls if tl else None,
        "min_vendor_calls": fl.min_calls if fl else None,
        "p50_ms": tl.p50_ms if tl else None,
        "p95_ms": tl.p95_ms if tl else None,
        "critical_path_ms": cp,
        "critical_path_hops": fl.hops if fl else None,
        "p50_over_critical_path": _ratio(tl.p50_ms if tl else None, cp),
        # the baseline's own (its quickest client at c1), beside it: how much of the
        # ratio the vendors' side and the machine are
        "baseline_p50_ms": quick.p50_ms if quick else None,
        "baseline_p50_over_critical_path": _ratio(quick.p50_ms if quick else None, cp),
        # the wire floor's (bench/wire.py): the least any gateway's ratio can be here
        "wire_p50_ms": wire.p50_ms if wire else None,
        "wire_p50_over_critical_path": _ratio(wire.p50_ms if wire else None, cp, 3),
        "wire_vendor_calls": wire.vendor_calls if wire else None,
        # plain Strawberry over the same calls (bench/strawberry_floor.py, Q2 only):
        # what the GraphQL library alone costs here
        "strawberry_p50_ms": straw.p50_ms if straw else None,
        "strawberry_p50_over_critical_path": _ratio(
            straw.p50_ms if straw else None, cp, 3
        ),
        "strawberry_vendor_calls": straw.vendor_calls if straw else None,
        "strawberry_same_json": straw.same_json_as_trunkline if straw else None,
        "rps_c16": tl.rps_c16 if tl else None,
        "rps_c64": tl.rps_c64 if tl else None,
        "baseline_rps_c64": base.rps_c64 if base else None,
        "rps_ratio_to_baseline_c64": _ratio(
            tl.rps_c64 if tl else None, base.rps_c64 if base else None
        ),
        "peer_rps_c16": peer.rps_c16 if peer else None,
        "peer_rps_c64": peer.rps_c64 if peer else None,
        "rps_ratio_to_peer_c16": _ratio(
            tl.rps_c16 if tl else None, peer.rps_c16 if peer else None
        ),
        "rps_ratio_to_peer_c64": _ratio(
            tl.rps_c64 if tl else None, peer.rps_c64 if peer else None
        ),
        "cpu_ms_per_request": tl.cpu_ms_per_request if tl else None,
        "baseline_cpu_ms_per_request": base.cpu_ms_per_request if base else None,
        "cpu_ratio_to_baseline": _ratio(
            tl.cpu_ms_per_request if tl else None,
            base.cpu_ms_per_request if base else None,
        ),
        "peak_rss_mb": tl.peak_rss_mb if tl else None,
        "transport": tl.variant if tl else None,
        "baseline_client": base.variant if base else None,
        "baseline_vendor_calls": base.vendor_calls if base else None,
        "peer_vendor_calls": peer.vendor_calls if peer else None,
        "failed_requests": sum(f.failed for f in figs),
    }
    if q.peer_note:
        out["peer_skipped"] = q.peer_note
    elif q.peer and peer is None:
        out["peer_skipped"] = peer_skipped or "peer did not run"
    if fl:
        out["min_vendor_calls_by_vendor"] = fl.calls
        out["floor_note"] = fl.note
        if fl.extra:
            out["floor_extra"] = fl.extra
    if tl:
        out["vendor_calls_by_endpoint"] = tl.calls_by_endpoint
    if tl and tl.walk:
        out["walk"] = tl.walk
        heavy, huge = tl.walk.get("heavy", {}), tl.walk.get("huge", {})
        out["walk_peak_rss_ratio_huge_to_heavy"] = _ratio(
            huge.get("peak_rss_mb"), heavy.get("peak_rss_mb")
        )
    return out


def skipped_row(name: str, title: str, why: str) -> dict[str, Any]:
    return {**dict.fromkeys(KEYS), "query": name, "title": title, "skipped": why}


def build(
    opts: Options,
    queries: list[BenchQuery],
    skipped: dict[str, str],
    figures: dict[str, list[Figures]],
    floors: dict[str, Floor | None],
    stack_skipped: dict[str, str],
) -> dict[str, Any]:
    from bench.catalog import BY_NAME

    rows = []
    for name in opts.only:
        q = BY_NAME[name]
        if name in skipped:
            rows.append(skipped_row(name, q.title, skipped[name]))
        elif name in figures:
            rows.append(
                row(
                    q,
                    figures[name],
                    floors.get(name),
                    opts.latency_ms,
                    stack_skipped.get("peer"),
                )
            )
    return {"rows": rows}


def fmt(value: Any, digits: int = 1) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def headline_cells(r: dict[str, Any], *, wide: bool) -> list[str]:
    """A query's headline figures in table order (`wide`: RESULTS.md's spacing, and
    the peer at c16 and c64; else the console's)."""
    sep = " / " if wide else "/"
    peer = fmt(r["peer_rps_c64"])
    if wide:
        peer = f"{fmt(r.get('peer_rps_c16'))} / {peer}"
    return [
        r["query"],
        f"{fmt(r['vendor_calls'])}{sep}{fmt(r['min_vendor_calls'])}",
        fmt(r["p50_ms"]),
        fmt(r["critical_path_ms"], 0),
        fmt(r["p50_over_critical_path"], 2),
        fmt(r["rps_c16"]),
        fmt(r["rps_c64"]),
        fmt(r["baseline_rps_c64"]),
        fmt(r["rps_ratio_to_baseline_c64"], 2),
        peer,
        fmt(r["rps_ratio_to_peer_c64"], 2),
        fmt(r["cpu_ms_per_request"], 2),
        fmt(r["baseline_cpu_ms_per_request"], 2),
        fmt(r["peak_rss_mb"]),
    ]


def table(rows: list[dict[str, Any]], figures: dict[str, list[Figures]]) -> str:
    head = (
        "query",
        "calls/min",
        "p50 ms",
        "crit ms",
        "p50/crit",
        "rps c16",
        "rps c64",
        "base c64",
        "x base",
        "peer c64",
        "x peer",
        "cpu ms",
        "base cpu",
        "rss MB",
    )
    lines = [" | ".join(head)]
    for r in rows:
        if r.get("skipped"):
            lines.append(f"{r['query']} | skipped: {r['skipped']}")
            continue
        lines.append(" | ".join(headline_cells(r, wide=False)))
    lines.append("")
    lines.append("per target:")
    lines.append(
        "query | target | calls | p50 ms | p95 ms | rps c1 | rps c16 | rps c64 | "
        "cpu ms/req | peak RSS MB | failed"
    )
    for name, figs in figures.items():
        for f in figs:
            lines.append(
                " | ".join(
                    (
                        name,
                        f.target,
                        fmt(f.vendor_calls),
                        fmt(f.p50_ms),
                        fmt(f.p95_ms),
                        fmt(f.rps_c1),
                        fmt(f.rps_c16),
                        fmt(f.rps_c64),
                        fmt(f.cpu_ms_per_request, 2),
                        fmt(f.peak_rss_mb),
                        str(f.failed),
                    )
                )
            )
    return "\n".join(lines)


def markdown(
    machine: dict[str, Any],
    opts: Options,
    results: dict[str, Any],
    figures: dict[str, list[Figures]],
    floors: dict[str, Floor | None],
    skipped: dict[str, str],
) -> str:
    from bench.results_md import render

    return render(machine, opts, results["rows"], figures, floors, skipped)


__all__ = ["KEYS", "build", "markdown", "row", "table"]
