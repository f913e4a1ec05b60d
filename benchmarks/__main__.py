"""`python -m benchmarks [--full] [--only scale,cold_start,interaction,fanout]`

Runs the benchmarks (quick by default: a reduced load and 1/100 of the scale database), prints
a table, and writes benchmarks/results/latest.json. Each benchmark runs in its own processes;
one that fails is reported and the others still run (the exit status is then 1).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks import cold_start, fanout, interaction, scale
from benchmarks.common import RESULTS, Section, machine, write_json

ALL = ("scale", "cold_start", "interaction", "fanout")


def _parameters(full: bool) -> dict[str, dict[str, Any]]:
    if full:
        return {
            "scale": {"lookups": 200, "passes": 2},
            "cold_start": {"runs": 5},
            "interaction": {"workers": 50, "rounds": 5, "paced_workers": 50, "think": 5.0},
            "fanout": {"recipients": 2_000, "rows": 5_000, "every": [0.0, 15.0]},
        }
    return {
        "scale": {"lookups": 200, "passes": 3},
        "cold_start": {"runs": 3},
        "interaction": {"workers": 20, "rounds": 2, "paced_workers": 10, "think": 1.0},
        "fanout": {"recipients": 100, "rows": 250, "every": [0.0]},
    }


def run(
    full: bool, only: tuple[str, ...], workdir: Path, bot_settings: dict[str, str]
) -> list[Section]:
    params = _parameters(full)
    sections: list[Section] = []
    db_path: Path | None = None

    def scale_db() -> Path:
        nonlocal db_path
        if db_path is None:
            db_path, _ = scale.database(workdir, full=full)
        return db_path

    def do_scale() -> Section:
        nonlocal db_path
        section, db_path = scale.measure(workdir, full=full, **params["scale"])
        return section

    def do_cold() -> Section:
        return cold_start.measure(
            workdir, database=scale_db(), bot_settings=bot_settings, **params["cold_start"]
        )

    def do_interaction() -> Section:
        return asyncio.run(
            interaction.measure(
                workdir, database=scale_db(), bot_settings=bot_settings, **params["interaction"]
            )
        )

    def do_fanout() -> Section:
        p = params["fanout"]
        found = []
        for every in p["every"]:
            section = asyncio.run(
                fanout.measure(workdir, recipients=p["recipients"], rows=p["rows"], every=every)
            )
            if every:
                section.name = f"fanout (sender ticking every {every:g} s, as the job queue)"
            found.append(section)
        merged = found[0]
        for extra in found[1:]:
            merged.params[extra.name] = extra.params
            for metric in extra.metrics:
                metric.name = f"[every {extra.params['sender_every_seconds']:g} s] {metric.name}"
                merged.metrics.append(metric)
        return merged

    steps: dict[str, Callable[[], Section]] = {
        "scale": do_scale,
        "cold_start": do_cold,
        "interaction": do_interaction,
        "fanout": do_fanout,
    }
    for name in ALL:
        if name not in only:
            continue
        began = time.monotonic()
        load_before = [round(v, 2) for v in os.getloadavg()]
        print(f"… {name}", file=sys.stderr, flush=True)
        try:
            section = steps[name]()
        except Exception as error:  # a benchmark that breaks is reported, the rest still run
            section = Section(name, error=f"{type(error).__name__}: {error}")
            traceback.print_exc()
        section.seconds = round(time.monotonic() - began, 1)
        # Another busy process on the machine skews everything; the load average shows it.
        section.params["load_average_before"] = load_before
        section.params["load_average_after"] = [round(v, 2) for v in os.getloadavg()]
        sections.append(section)
    return sections


def _value(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    text = f"{value:g}" if isinstance(value, float) else str(value)
    return f"{text} {unit}".strip()


def table(sections: list[Section]) -> str:
    rows = [("benchmark", "metric", "value", "target", "")]
    for section in sections:
        if section.error:
            rows.append((section.name, "FAILED", section.error[:60], "", "✗"))
        for metric in section.metrics:
            target = ""
            if metric.target is not None:
                sign = "≤" if metric.better == "lower" else "≥"
                target = f"{sign} {_value(metric.target, metric.unit)}"
            met = {True: "met", False: "MISSED", None: ""}[metric.met]
            rows.append((section.name, metric.name, _value(metric.value, metric.unit), target, met))
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    lines = []
    for index, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--full", action="store_true", help="the issue's full scale and load")
    parser.add_argument("--only", default=",".join(ALL), help=f"comma-separated: {','.join(ALL)}")
    parser.add_argument(
        "--workdir", type=Path, default=RESULTS / "work", help="databases, logs (git-ignored)"
    )
    parser.add_argument(
        "--nudges-off",
        action="store_true",
        help="diagnostic: the bot without its nudge ticks (SAFETYNET_NUDGES=off); "
        "the default is the bot as deployed",
    )
    options = parser.parse_args(argv)
    only = tuple(name.strip() for name in options.only.split(",") if name.strip())
    unknown = [name for name in only if name not in ALL]
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}")
    options.workdir.mkdir(parents=True, exist_ok=True)
    began = time.monotonic()
    started = datetime.now(UTC)
    bot_settings = {"SAFETYNET_NUDGES": "off"} if options.nudges_off else {}
    sections = run(options.full, only, options.workdir, bot_settings)
    seconds = round(time.monotonic() - began, 1)
    print(table(sections))
    print(f"\n{'full' if options.full else 'quick'} run, {seconds} s; {machine()}")
    # A diagnostic run never replaces the results of the bot as deployed.
    output = RESULTS / ("latest-diagnostic.json" if bot_settings else "latest.json")
    write_json(
        output,
        {
            "mode": "full" if options.full else "quick",
            "bot_settings": bot_settings,
            "started": started.isoformat(timespec="seconds"),
            "seconds": seconds,
            "machine": machine(),
            "sections": [
                {
                    "name": s.name,
                    "seconds": s.seconds,
                    "error": s.error,
                    "params": s.params,
                    "notes": s.notes,
                    "metrics": [m.as_json() for m in s.metrics],
                }
                for s in sections
            ],
        },
    )
    print(f"written: {output}")
    return 1 if any(s.error for s in sections) else 0


if __name__ == "__main__":
    sys.exit(main())
