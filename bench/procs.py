"""Processes the benchmark starts (simulators, gateways, baselines, the peer) and what
it reads about them from /proc: CPU time and resident memory."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / ".work"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Service:
    """One server process on 127.0.0.1, with its log file."""

    name: str
    url: str
    proc: subprocess.Popen[bytes]
    log: Path
    argv: list[str] = field(default_factory=list)
    port: int = 0
    env: dict[str, str] = field(default_factory=dict)  # on top of os.environ
    cwd: Path = ROOT

    @property
    def pid(self) -> int:
        return self.proc.pid

    def pids(self) -> list[int]:
        """This process and its descendants (Node may fork workers)."""
        return [self.pid, *descendants(self.pid)]

    def cpu_seconds(self) -> float:
        return sum(cpu_seconds(p) for p in self.pids())

    def rss_kb(self) -> int:
        return sum(status_kb(p, "VmRSS") for p in self.pids())

    def hwm_kb(self) -> int:
        return sum(status_kb(p, "VmHWM") for p in self.pids())

    def reset_hwm(self) -> bool:
        """Reset the peak-RSS mark to the current RSS (Linux 4.0+); False if refused."""
        ok = True
        for p in self.pids():
            try:
                Path(f"/proc/{p}/clear_refs").write_text("5")
            except OSError:
                ok = False
        return ok

    def idle(self, busy: float = 0.05) -> bool:
        before = self.cpu_seconds()
        time.sleep(0.5)
        return self.cpu_seconds() - before < busy * 0.5

    def wait_idle(self, timeout_s: float = 30.0, busy: float = 0.05) -> None:
        """Wait until the process tree uses under `busy` of a core (work left over
        from a cut run must not bill the next one)."""
        deadline = time.monotonic() + timeout_s
        last = self.cpu_seconds()
        while time.monotonic() < deadline:
            time.sleep(0.25)
            now = self.cpu_seconds()
            if now - last < busy * 0.25:
                return
            last = now

    def tail(self, lines: int = 30) -> str:
        try:
            text = self.log.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        if self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=5)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process, from /proc/<pid>/stat."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    # The command name (field 2) may hold spaces: split after its closing paren.
    fields = raw[raw.rindex(")") + 2 :].split()
    utime, stime = int(fields[11]), int(fields[12])
    return (utime + stime) / CLOCK_TICKS


def status_kb(pid: int, key: str) -> int:
    """A `kB` line of /proc/<pid>/status (VmRSS, VmHWM); 0 if the process is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def descendants(pid: int) -> list[int]:
    out: list[int] = []
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return out
    for child in map(int, children):
        out += [child, *descendants(child)]
    return out


def start(
    name: str,
    argv: Sequence[str],
    *,
    port: int,
    env: Mapping[str, str] | None = None,
    cwd: Path = ROOT,
) -> Service:
    WORK.mkdir(parents=True, exist_ok=True)
    log = WORK / f"{name.replace('/', '_').replace('[', '_').replace(']', '')}.log"
    handle = log.open("ab")
    proc = subprocess.Popen(
        list(argv),
        stdout=handle,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        env={**os.environ, **(env or {})},
        cwd=cwd,
    )
    handle.close()
    return Service(
        name=name,
        url=f"http://127.0.0.1:{port}",
        proc=proc,
        log=log,
        argv=list(argv),
        port=port,
        env=dict(env or {}),
        cwd=cwd,
    )


def wait_until(
    service: Service,
    probe: Callable[[httpx.Client], bool],
    *,
    timeout_s: float = 60.0,
) -> None:
    """Poll `probe` until it holds; raise with the log's tail if the process dies."""
    deadline = time.monotonic() + timeout_s
    with httpx.Client(base_url=service.url, timeout=5) as client:
        while time.monotonic() < deadline:
            if service.proc.poll() is not None:
                raise RuntimeError(
                    f"{service.name} exited ({service.proc.returncode}):\n{service.tail()}"
                )
            try:
                if probe(client):
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
    service.stop()
    raise RuntimeError(
        f"{service.name} was not ready in {timeout_s:.0f}s:\n{service.tail()}"
    )


def python(*args: str) -> list[str]:
    return [sys.executable, *args]


__all__ = [
    "ROOT",
    "WORK",
    "Service",
    "cpu_seconds",
    "free_port",
    "python",
    "start",
    "status_kb",
    "wait_until",
]
