"""What every benchmark shares: metrics with their targets, percentiles, and processes started
the way an operator starts them (`python -m sandbox`-like probe, `python -m bot run`)."""

from __future__ import annotations

import contextlib
import json
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
# Tokens the sandbox accepts (any well-formed one); never real.
OUR_TOKEN = "7100000001:benchmark-token-safetynet-000000000"  # noqa: S105
BARE_TOKEN = "7100000002:benchmark-token-bare-echo-0000000000"  # noqa: S105
BARE_LIMITED_TOKEN = "7100000003:benchmark-token-bare-limited-00000000"  # noqa: S105
SECRET_KEY = "benchmark-secret-key-not-for-production-use-0123456789"  # noqa: S105
CLEAN_ENV = {
    key: value
    for key, value in os.environ.items()
    if not key.startswith(("TELEGRAM_", "SAFETYNET_"))
}


@dataclass
class Metric:
    """One measured number; `target` with `better` ("lower"/"higher") says what was asked."""

    name: str
    value: float | None
    unit: str
    target: float | None = None
    better: str = "lower"
    note: str = ""
    runs: list[float] = field(default_factory=list)

    @property
    def met(self) -> bool | None:
        if self.target is None or self.value is None:
            return None
        return self.value <= self.target if self.better == "lower" else self.value >= self.target

    def as_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["met"] = self.met
        return out


@dataclass
class Section:
    """The outcome of one benchmark: its metrics, its parameters, what it could not do."""

    name: str
    metrics: list[Metric] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    error: str | None = None
    seconds: float = 0.0

    def add(self, metric: Metric) -> Metric:
        self.metrics.append(metric)
        return metric


def percentile(values: Sequence[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def machine() -> dict[str, Any]:
    return {
        "cpus": os.cpu_count(),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "load_average": [round(v, 2) for v in os.getloadavg()],
        # Without .pyc files every process compiles our modules again: part of a cold start.
        "PYTHONDONTWRITEBYTECODE": os.environ.get("PYTHONDONTWRITEBYTECODE", ""),
    }


def bot_env(base: str, var_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a deployed bot (token mode) whose Bot API server is the sandbox."""
    return {
        **CLEAN_ENV,
        "TELEGRAM_BOT_TOKEN": OUR_TOKEN,
        "SAFETYNET_SECRET_KEY": SECRET_KEY,
        "TELEGRAM_API_BASE_URL": base,
        "SAFETYNET_VAR_DIR": str(var_dir),
        "SAFETYNET_DATABASE_URL": f"sqlite+aiosqlite:///{var_dir / 'safetynet.db'}",
        "SAFETYNET_LOG_LEVEL": "WARNING",
        **extra,
    }


@dataclass
class Process:
    """A child process with its output in a file (never a pipe that could fill up)."""

    popen: subprocess.Popen[bytes]
    log: Path
    started: float

    def output(self) -> str:
        try:
            return self.log.read_text(errors="replace")
        except OSError:
            return ""

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15.0) -> int | None:
        if self.popen.poll() is None:
            self.popen.send_signal(sig)
            try:
                self.popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(timeout=5)
        return self.popen.returncode


def spawn(args: Sequence[str], env: dict[str, str], log: Path) -> Process:
    """`python -m <args>` as its own process; stdout and stderr go to `log`."""
    log.parent.mkdir(parents=True, exist_ok=True)
    handle = log.open("wb")
    started = time.monotonic()
    popen = subprocess.Popen(  # noqa: S603 — our own modules, fixed arguments
        [sys.executable, "-m", *args],
        env=env,
        stdout=handle,
        stderr=subprocess.STDOUT,
        cwd=ROOT,
    )
    handle.close()
    return Process(popen=popen, log=log, started=started)


@contextlib.contextmanager
def running(args: Sequence[str], env: dict[str, str], log: Path) -> Iterator[Process]:
    process = spawn(args, env, log)
    try:
        yield process
    finally:
        process.stop()


def wait_http(url: str, timeout: float = 20.0, process: Process | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.popen.poll() is not None:
            raise RuntimeError(f"{url}: the process ended early:\n{process.output()[-3000:]}")
        with contextlib.suppress(httpx.HTTPError):
            httpx.get(url, timeout=1).raise_for_status()
            return
        time.sleep(0.02)
    raise RuntimeError(f"{url} did not answer within {timeout}s")


@contextlib.contextmanager
def probe_sandbox(
    workdir: Path, name: str, *, flood: bool = False
) -> Iterator[tuple[str, Process]]:
    """The sandbox with the benchmark recorder (benchmarks/probe.py) on a free port."""
    port = free_port()
    args = ["benchmarks.probe", "--port", str(port)] + (["--flood"] if flood else [])
    base = f"http://127.0.0.1:{port}"
    with running(args, CLEAN_ENV, workdir / f"{name}-sandbox.log") as process:
        wait_http(f"{base}/sandbox/stats", process=process)
        yield base, process


def rss_peak_kb(pid: int) -> int | None:
    """VmHWM (peak resident set) of a live process, from /proc (Linux)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def remove_database(var: Path) -> None:
    """A benchmark's copy of a database, once measured (a full-scale copy is 3 GB)."""
    for suffix in ("", "-wal", "-shm"):
        (var / f"safetynet.db{suffix}").unlink(missing_ok=True)


def write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
