"""The `/caseload` chart: a supervisor sees their center's caseload at a glance, as one image.

One row per worker: how many open cases they lead, the tracked (列管) part of them in a darker
shade, a dashed line at the jurisdiction's caseload target, bars over the target in a warning
colour, and each bar's number (plus overdue obligations, if any) at its end. The issue asked
for "/caseload ... chart image ... CJK font bundled": CI and servers have no CJK system fonts,
so the text is set in Noto Sans CJK, the `NotoSansCJKsc-Regular.otf` that the `mplfonts` wheel
ships. Only that file is used: the `mplfonts` package is located with `importlib.util.find_spec`,
which does not run its `__init__` (that one changes matplotlib's global settings). Its glyphs
cover Traditional Chinese; DejaVu Sans (bundled with matplotlib) is the fallback for scripts it
lacks, and characters neither font has (most emoji, Thai) are left out of the picture.

Nothing happens at import. matplotlib is imported on the first render, because importing its
font manager scans the system fonts and writes a cache. The chart is drawn with the
object-oriented API (`Figure` + `FigureCanvasAgg`), never pyplot, so no backend is chosen and
no global figure state exists; the one global change is adding the Noto font to matplotlib's
font manager, done once. Renders are serialised by a lock (matplotlib is not thread-safe) and
take a fraction of a second: call `caseload_png` from a worker thread (`asyncio.to_thread`).

matplotlib keeps its font cache in `$MPLCONFIGDIR`, by default `~/.config/matplotlib` and
`~/.cache/matplotlib`. This module sets nothing. Where that folder cannot be written, matplotlib
logs a warning (through `logging`, not `warnings`, so tests do not fail on it) and uses a
temporary folder for the process; a deployment with a read-only home sets `MPLCONFIGDIR` to a
writable folder (say `var/matplotlib`) before the first render.
"""

from __future__ import annotations

import importlib.util
import io
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.container import BarContainer
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties

FONT_PACKAGE = "mplfonts"
FONT_FILE = "fonts/NotoSansCJKsc-Regular.otf"
FALLBACK_FAMILY = "DejaVu Sans"  # ships inside matplotlib

# Sized for a phone: 1200 px wide. Telegram's sendPhoto wants width + height ≤ 10000 px and a
# side ratio ≤ 20, so past ~125 workers the rows get thinner instead of the picture taller.
WIDTH_IN = 8.0
DPI = 150
ROW_IN = 0.38  # one worker's row
FRAME_IN = 1.7  # title, legend and the axis below the rows
MAX_HEIGHT_IN = 50.0  # 7500 px
NAME_PT = 10.0
SMALLEST_PT = 4.0

WITHIN_TARGET_COLOUR = "#9ecae1"
TRACKED_COLOUR = "#3182bd"
OVER_TARGET_COLOUR = "#fdae6b"
TRACKED_OVER_TARGET_COLOUR = "#e6550d"
TARGET_LINE_COLOUR = "#444444"
NUMBER_COLOUR = "#333333"
OVERDUE_COLOUR = "#b30000"

# Labels of the two bar sets, for finding them in a drawn figure (never shown).
OPEN_BARS = "open_cases"
TRACKED_BARS = "tracked"

_render_lock = threading.Lock()


@dataclass(frozen=True)
class WorkerLoad:
    """One worker's row."""

    name: str  # staff display name, e.g. "陳社工"
    open_cases: int  # open cases they lead
    tracked: int  # of which tracked (列管)
    overdue: int  # obligations overdue (reports / visits / next steps)

    def __post_init__(self) -> None:
        if min(self.open_cases, self.tracked, self.overdue) < 0:
            raise ValueError(f"negative count for {self.name!r}")
        if self.tracked > self.open_cases:
            raise ValueError(f"{self.name!r} has more tracked than open cases")


@dataclass(frozen=True)
class ChartLabels:
    """The chart's words, from the reader's message catalog.

    `target` and `overdue` are `str.format` templates that the chart fills in (so `{` and `}`
    elsewhere in them must be doubled): `{target}` is the caseload target, `{count}` a
    worker's number of overdue obligations.
    """

    axis: str  # below the bars, e.g. "案件數"
    open_cases: str  # legend, e.g. "開案數"
    tracked: str  # legend, e.g. "列管"
    target: str  # legend for the dashed line, e.g. "目標 {target} 案"
    overdue: str  # after a bar's number when some are overdue, e.g. "逾期 {count}"


def caseload_png(
    loads: Sequence[WorkerLoad], *, target: int, title: str, labels: ChartLabels
) -> bytes:
    """The chart as a PNG for Telegram's sendPhoto; workers top to bottom in the order given.

    Raises ValueError("no workers") when `loads` is empty, and ValueError for a target below 1.
    """
    with _render_lock:
        figure = _figure(loads, target=target, title=title, labels=labels)
        return _png(figure)


def font_path() -> Path:
    """Where the bundled Noto Sans CJK font is, without importing the package that ships it."""
    spec = importlib.util.find_spec(FONT_PACKAGE)  # a top-level package's __init__ is not run
    folders = (spec.submodule_search_locations or []) if spec else []
    for folder in folders:
        path = Path(folder) / FONT_FILE
        if path.is_file():
            return path
    raise RuntimeError(
        f"the caseload chart needs {FONT_FILE} from the {FONT_PACKAGE!r} package, "
        f"which is not installed (pip install {FONT_PACKAGE})"
    )


@dataclass(frozen=True)
class _Fonts:
    families: tuple[str, ...]  # the CJK font first, then the fallback
    characters: frozenset[int]  # code points that one of them can draw


@cache
def _fonts() -> _Fonts:
    """Adds the CJK font to matplotlib's font manager, once per process."""
    from matplotlib import font_manager  # noqa: PLC0415 — its import scans the system fonts

    cjk = font_path()
    font_manager.fontManager.addfont(cjk)
    fallback = font_manager.findfont(FALLBACK_FAMILY, fallback_to_default=False)
    cjk_font, fallback_font = font_manager.get_font(cjk), font_manager.get_font(fallback)
    return _Fonts(
        families=(cjk_font.family_name, fallback_font.family_name),
        characters=frozenset(cjk_font.get_charmap()) | frozenset(fallback_font.get_charmap()),
    )


def _font(size: float) -> FontProperties:
    from matplotlib.font_manager import FontProperties  # noqa: PLC0415 — see _fonts

    return FontProperties(family=list(_fonts().families), size=size)


def _drawable(text: str) -> str:
    """`text` as plain text in our fonts: undrawable characters left out, `$` not math."""
    characters = _fonts().characters
    kept = "".join(ch for ch in text if ord(ch) in characters).strip()
    return kept.replace("$", r"\$") or "?"


def _figure(loads: Sequence[WorkerLoad], *, target: int, title: str, labels: ChartLabels) -> Figure:
    """The drawn chart, before it becomes a PNG (tests look at its bars)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: PLC0415 — see _fonts
    from matplotlib.figure import Figure  # noqa: PLC0415 — see _fonts

    if not loads:
        raise ValueError("no workers")
    if target < 1:
        raise ValueError(f"caseload target must be at least 1, not {target}")
    height, name_pt = _height_and_name_size(len(loads))
    figure = Figure(figsize=(WIDTH_IN, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    open_bars = _draw_bars(axes, loads, target=target)
    _label_rows(axes, loads, name_pt=name_pt)
    _label_bar_ends(axes, open_bars, loads, labels=labels, size=name_pt * 0.9)
    _draw_axis(axes, loads, target=target, labels=labels)
    _draw_legend(axes, target=target, labels=labels)
    figure.suptitle(_drawable(title), fontproperties=_font(13))
    return figure


def _height_and_name_size(workers: int) -> tuple[float, float]:
    """Figure height in inches and the point size of names, thinner rows past the cap."""
    row = min(ROW_IN, (MAX_HEIGHT_IN - FRAME_IN) / workers)
    name_pt = max(SMALLEST_PT, min(NAME_PT, row * 72 * 0.5))
    return FRAME_IN + row * workers, name_pt


def _draw_bars(axes: Axes, loads: Sequence[WorkerLoad], *, target: int) -> BarContainer:
    rows = range(len(loads))
    over = [load.open_cases > target for load in loads]
    open_bars = axes.barh(
        rows,
        [load.open_cases for load in loads],
        height=0.7,
        color=[OVER_TARGET_COLOUR if o else WITHIN_TARGET_COLOUR for o in over],
        label=OPEN_BARS,
    )
    axes.barh(
        rows,
        [load.tracked for load in loads],
        height=0.7,
        color=[TRACKED_OVER_TARGET_COLOUR if o else TRACKED_COLOUR for o in over],
        label=TRACKED_BARS,
    )
    axes.axvline(target, color=TARGET_LINE_COLOUR, linestyle="--", linewidth=1.2)
    return open_bars


def _label_rows(axes: Axes, loads: Sequence[WorkerLoad], *, name_pt: float) -> None:
    axes.set_yticks(
        range(len(loads)),
        labels=[_drawable(load.name) for load in loads],
        fontproperties=_font(name_pt),
    )
    axes.tick_params(axis="y", length=0)
    axes.set_ylim(len(loads) - 0.5, -0.5)  # the first worker on top


def _label_bar_ends(
    axes: Axes,
    bars: BarContainer,
    loads: Sequence[WorkerLoad],
    *,
    labels: ChartLabels,
    size: float,
) -> None:
    for bar, load in zip(bars, loads, strict=True):
        text = str(load.open_cases)
        if load.overdue:
            text += " · " + _drawable(labels.overdue.format(count=load.overdue))
        axes.annotate(
            text,
            xy=(bar.get_width(), bar.get_y() + bar.get_height() / 2),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            color=OVERDUE_COLOUR if load.overdue else NUMBER_COLOUR,
            fontproperties=_font(size),
            bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.5},  # over the target line
        )


def _draw_axis(
    axes: Axes, loads: Sequence[WorkerLoad], *, target: int, labels: ChartLabels
) -> None:
    from matplotlib.ticker import MaxNLocator  # noqa: PLC0415 — see _fonts

    longest = max(target, *(load.open_cases for load in loads))
    room = 1.35 if any(load.overdue for load in loads) else 1.15  # for the numbers at bar ends
    axes.set_xlim(0, longest * room)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.tick_params(axis="x", labelfontfamily=list(_fonts().families))
    axes.set_xlabel(_drawable(labels.axis), fontproperties=_font(10))
    axes.grid(axis="x", color="#dddddd", linewidth=0.8)
    axes.set_axisbelow(True)
    axes.spines[["top", "right"]].set_visible(False)
    if len(loads) > 15:  # a long chart shows the scale above the rows too
        axes.tick_params(axis="x", labeltop=True)


def _draw_legend(axes: Axes, *, target: int, labels: ChartLabels) -> None:
    from matplotlib.lines import Line2D  # noqa: PLC0415 — see _fonts
    from matplotlib.patches import Patch  # noqa: PLC0415 — see _fonts

    handles = [
        Patch(color=WITHIN_TARGET_COLOUR, label=_drawable(labels.open_cases)),
        Patch(color=TRACKED_COLOUR, label=_drawable(labels.tracked)),
        Line2D(
            [],
            [],
            color=TARGET_LINE_COLOUR,
            linestyle="--",
            label=_drawable(labels.target.format(target=target)),
        ),
    ]
    axes.legend(
        handles=handles,
        loc="lower left",
        bbox_to_anchor=(0, 1.01),
        ncols=3,
        frameon=False,
        borderaxespad=0,
        prop=_font(10),
    )


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()
