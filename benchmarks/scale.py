"""Scale: the synthetic database (benchmarks/generate.py) and the bot's lookups and planning pass
on it, measured in a process of their own (benchmarks/scale_worker.py) so its peak RSS is that
of a process holding the bot's services.

The quick run generates 1/100 of the issue's scale every time; the full run generates the
issue's numbers once and keeps the file (benchmarks/results/work/scale-full.db) for later full
runs, reporting the generation time measured when it was made.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from benchmarks.common import (
    ROOT,
    Metric,
    Section,
    bot_env,
    median,
    percentile,
    write_json,
)
from benchmarks.generate import FULL, QUICK, Scale, generate

GENERATOR_VERSION = 2


def database(workdir: Path, *, full: bool) -> tuple[Path, dict[str, Any]]:
    """The scale database for this run, generated unless a full one is already there."""
    scale = FULL if full else QUICK
    name = "scale-full" if full else "scale-quick"
    var = workdir / name
    var.mkdir(parents=True, exist_ok=True)
    path = var / "safetynet.db"
    marker = var / "generated.json"
    wanted = {"version": GENERATOR_VERSION, "scale": scale.as_json()}
    if full and path.exists() and marker.exists():
        made = json.loads(marker.read_text())
        if {k: made.get(k) for k in wanted} == wanted:
            made["cached"] = True
            return path, made
    made = generate(path, bot_env("http://127.0.0.1:9", var), scale) | wanted
    write_json(marker, made)
    made["cached"] = False
    return path, made


def _worker(path: Path, lookups: int, passes: int) -> dict[str, Any]:
    env = bot_env("http://127.0.0.1:9", path.parent)
    result = subprocess.run(  # noqa: S603 — our own module, fixed arguments
        [
            sys.executable,
            "-m",
            "benchmarks.scale_worker",
            "--lookups",
            str(lookups),
            "--passes",
            str(passes),
        ],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=6 * 3600,
    )
    if result.returncode != 0:
        raise RuntimeError(f"scale worker failed:\n{result.stderr[-3000:]}")
    found: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return found


def measure(workdir: Path, *, full: bool, lookups: int, passes: int) -> tuple[Section, Path]:
    section = Section("scale")
    path, made = database(workdir, full=full)
    scale: Scale = FULL if full else QUICK
    section.params = {
        "scale": scale.as_json(),
        "rows": made.get("rows"),
        "lookups_per_operation": lookups,
        "planner_passes": passes,
        "generation_cached": made.get("cached"),
    }
    section.add(
        Metric(
            "generation time",
            made.get("seconds"),
            "s",
            note="measured when generated (cached)" if made.get("cached") else "",
        )
    )
    size = sum(
        p.stat().st_size for p in path.parent.glob(f"{path.name}*") if p.name != "generated.json"
    )
    section.add(Metric("database size", round(size / 2**20, 1), "MB"))
    found = _worker(path, lookups, passes)
    for name, values in found["times"].items():
        if name.startswith("planner"):
            continue
        target = 5.0 if name.startswith("storage") else None
        section.add(Metric(f"{name} p50", _ms(values, 50), "ms"))
        section.add(Metric(f"{name} p95", _ms(values, 95), "ms", target=target))
    planner = found["times"]
    section.add(
        Metric(
            "planning pass (Planner.plan, every nudge stored already)",
            _seconds(planner.get("planner plan", [])),
            "s",
            target=2.0,
            runs=[round(v, 3) for v in planner.get("planner plan", [])],
            note=f"what each scheduler tick does; nudges due: {found['due'][:1]}",
        )
    )
    section.add(
        Metric(
            "planning pass, working out only (Planner.due_by)",
            _seconds(planner.get("planner due_by", [])),
            "s",
            runs=[round(v, 3) for v in planner.get("planner due_by", [])],
        )
    )
    section.add(
        Metric(
            "first planning pass into an empty outbox (stores every nudge)",
            _seconds(planner.get("planner first plan", [])),
            "s",
            note=f"{found.get('stored')} rows stored",
        )
    )
    section.add(
        Metric(
            "a sender's re-check of one claim (due_by about its subjects)",
            None
            if not planner.get("planner claim re-check")
            else round((median(planner["planner claim re-check"]) or 0.0) * 1000, 1),
            "ms",
            note=f"{found.get('claim_subjects')} subjects",
        )
    )
    section.add(
        Metric(
            "peak RSS, bot services process (lookups + planning)",
            found["peak_rss_mb"],
            "MB",
            target=250.0,
            note=f"{found['peak_rss_mb_after_lookups']} MB after the lookups alone",
        )
    )
    section.add(
        Metric("open_services on the scale database", round(found["open_services_seconds"], 3), "s")
    )
    return section, path


def _seconds(values: list[float]) -> float | None:
    return None if not values else round(median(values) or 0.0, 3)


def _ms(values: list[float], q: float) -> float | None:
    found = percentile(values, q)
    return None if found is None else round(found * 1000, 2)
