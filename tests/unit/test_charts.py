"""The /caseload chart: a real PNG, Chinese that renders, sizes Telegram accepts."""

from __future__ import annotations

import io
import struct
import sys
import warnings

import pytest
from matplotlib.colors import to_rgba
from PIL import Image

from bot import charts
from bot.charts import ChartLabels, WorkerLoad, caseload_png

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
LABELS = ChartLabels(
    axis="案件數",
    open_cases="開案數",
    tracked="列管",
    target="目標 {target} 案",
    overdue="逾期 {count}",
)
TITLE = "士林社福中心　個案負荷"
SIX = [
    WorkerLoad("陳社工", open_cases=22, tracked=5, overdue=0),
    WorkerLoad("林美惠", open_cases=31, tracked=12, overdue=3),
    WorkerLoad("黃志明", open_cases=18, tracked=3, overdue=0),
    WorkerLoad("張淑芬", open_cases=26, tracked=8, overdue=1),
    WorkerLoad("李國豪", open_cases=9, tracked=0, overdue=0),
    WorkerLoad("吳佩蓉", open_cases=25, tracked=25, overdue=0),
]


def png_size(png: bytes) -> tuple[int, int]:
    """Width and height from the IHDR chunk, which always comes first."""
    assert png[:8] == PNG_MAGIC
    length, chunk = struct.unpack(">I4s", png[8:16])
    assert (length, chunk) == (13, b"IHDR")
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def workers(count: int) -> list[WorkerLoad]:
    return [
        WorkerLoad(
            f"社工{i:03d}號", open_cases=(i * 7) % 40, tracked=(i * 7) % 40 // 3, overdue=i % 4
        )
        for i in range(count)
    ]


def test_six_workers_make_a_png_that_decodes() -> None:
    png = caseload_png(SIX, target=25, title=TITLE, labels=LABELS)

    width, height = png_size(png)
    assert (width, height) == (1200, 597)
    with Image.open(io.BytesIO(png)) as image:
        image.load()
        assert image.size == (width, height)


def test_chinese_text_has_every_glyph() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        caseload_png(SIX, target=25, title=TITLE, labels=LABELS)

    assert [str(w.message) for w in caught] == []


def test_names_draw_as_plain_text_in_glyphs_we_have() -> None:
    loads = [
        WorkerLoad("Mei Wang 🦄", open_cases=3, tracked=1, overdue=0),
        WorkerLoad(r"$\frac$ 林", open_cases=4, tracked=0, overdue=0),
        WorkerLoad("สมชาย", open_cases=1, tracked=0, overdue=0),  # no Thai in either font
        WorkerLoad("Mei 😀", open_cases=1, tracked=0, overdue=0),  # DejaVu Sans has this one
    ]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        figure = charts._figure(loads, target=25, title=TITLE, labels=LABELS)
        png = charts._png(figure)

    assert [str(w.message) for w in caught] == []
    assert png.startswith(PNG_MAGIC)
    names = [label.get_text() for label in figure.axes[0].get_yticklabels()]
    assert names == ["Mei Wang", r"\$\frac\$ 林", "?", "Mei 😀"]


@pytest.mark.parametrize("count", [60, 200])
def test_many_workers_stay_within_telegram_photo_limits(count: int) -> None:
    png = caseload_png(workers(count), target=25, title=TITLE, labels=LABELS)

    width, height = png_size(png)
    assert width + height <= 10_000
    assert max(width, height) / min(width, height) <= 20
    assert len(png) < 1_000_000


def test_thirty_workers_stay_small() -> None:
    png = caseload_png(workers(30), target=25, title=TITLE, labels=LABELS)

    assert len(png) < 300_000


def test_workers_over_target_get_the_warning_colour() -> None:
    figure = charts._figure(SIX, target=25, title=TITLE, labels=LABELS)

    bars = {container.get_label(): container for container in figure.axes[0].containers}
    open_colours = [bar.get_facecolor() for bar in bars[charts.OPEN_BARS]]
    tracked_colours = [bar.get_facecolor() for bar in bars[charts.TRACKED_BARS]]
    over = to_rgba(charts.OVER_TARGET_COLOUR)
    within = to_rgba(charts.WITHIN_TARGET_COLOUR)
    # 31 and 26 are over the target of 25; exactly 25 is not.
    assert open_colours == [within, over, within, over, within, within]
    tracked_over = to_rgba(charts.TRACKED_OVER_TARGET_COLOUR)
    tracked_within = to_rgba(charts.TRACKED_COLOUR)
    assert (
        tracked_colours
        == [tracked_within, tracked_over] + [tracked_within, tracked_over] + [tracked_within] * 2
    )


def test_rows_keep_the_given_order_top_to_bottom() -> None:
    figure = charts._figure(SIX, target=25, title=TITLE, labels=LABELS)

    axes = figure.axes[0]
    names = [label.get_text() for label in axes.get_yticklabels()]
    assert names == [load.name for load in SIX]
    bottom, top = axes.get_ylim()
    assert top < bottom  # row 0 is drawn at the top
    legend = axes.get_legend()
    assert legend is not None
    assert [text.get_text() for text in legend.get_texts()] == ["開案數", "列管", "目標 25 案"]


def test_no_workers_is_an_error() -> None:
    with pytest.raises(ValueError, match="no workers"):
        caseload_png([], target=25, title=TITLE, labels=LABELS)


def test_target_must_be_positive() -> None:
    with pytest.raises(ValueError, match="target"):
        caseload_png(SIX, target=0, title=TITLE, labels=LABELS)


@pytest.mark.parametrize(
    ("open_cases", "tracked", "overdue"), [(-1, 0, 0), (1, -1, 0), (1, 0, -1), (2, 3, 0)]
)
def test_impossible_counts_are_refused(open_cases: int, tracked: int, overdue: int) -> None:
    with pytest.raises(ValueError, match="陳社工"):
        WorkerLoad("陳社工", open_cases=open_cases, tracked=tracked, overdue=overdue)


def test_font_comes_from_mplfonts_without_importing_it() -> None:
    path = charts.font_path()

    assert path.name == "NotoSansCJKsc-Regular.otf"
    assert path.parent.parent.name == "mplfonts"
    assert "mplfonts" not in sys.modules


def test_missing_font_package_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(charts, "FONT_PACKAGE", "safetynet_no_such_font_package")

    with pytest.raises(RuntimeError, match="safetynet_no_such_font_package"):
        charts.font_path()


def test_missing_font_file_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(charts, "FONT_FILE", "fonts/NoSuchFont.otf")

    with pytest.raises(RuntimeError, match="mplfonts"):
        charts.font_path()
