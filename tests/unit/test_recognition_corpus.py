"""The recogniser on the labelled corpus (tests/data/referrals): the held-out part it was never
tuned on, the tuning part, and the promise that every statutory ground reaches the 113 gate.

The score is printed (visible with -s). The targets of docs/recognition.md are what the
recogniser aims for; FLOORS are what it holds today on the held-out part and may never fall
below — raise them when the score rises, never lower them to pass.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from bot.domain import danger_model
from bot.domain.recognition import recognise
from bot.domain.redaction import redact
from bot.domain.referral_form import Draft, Step
from bot.domain.referral_rules import Category
from bot.domain.safety import SafetyGround
from bot.domain.scoring import TARGETS, Score, report_lines, score
from bot.jurisdictions import load_jurisdiction

TAOYUAN = load_jurisdiction()
CORPUS = Path(__file__).resolve().parents[1] / "data" / "referrals"
HELD_OUT = CORPUS / "heldout.jsonl"
TUNING = CORPUS / "tuning.jsonl"

# What the recogniser holds on the held-out part (docs/recognition.md has the whole table).
FLOORS = {
    "mandatory_report.recall": 0.94,
    "mandatory_report.precision": 0.86,
    "district": 0.93,
    "categories": 0.72,
    "priority_flags": 0.87,
    "household": 0.74,
    "needs": 0.48,
}


def items(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


@cache
def scored(path: Path) -> Score:
    corpus = items(path)
    predictions = [recognise(item["text"], TAOYUAN).to_json(item["id"]) for item in corpus]
    return score(corpus, predictions)


def measured(result: Score) -> dict[str, float]:
    return {
        "mandatory_report.recall": result.mandatory_report.recall,
        "mandatory_report.precision": result.mandatory_report.precision,
        **{name: result.accuracy[name] for name in FLOORS if name in result.accuracy},
    }


def test_the_corpus_is_large_varied_and_split() -> None:
    held_out, tuning = items(HELD_OUT), items(TUNING)
    assert len(held_out) >= 150
    assert len(held_out) + len(tuning) >= 400
    assert not {i["text"] for i in held_out} & {i["text"] for i in tuning}
    assert not {i["id"] for i in held_out} & {i["id"] for i in tuning}
    everything = held_out + tuning
    assert sum(i["expect"]["mandatory_report"] for i in everything) >= 80
    for category in Category:
        assert sum(category.value in i["expect"]["categories"] for i in everything) >= 20
    registers = {i["register"] for i in everything}
    assert registers >= {"police", "teacher", "nurse", "clerk", "ngo"}


def test_the_held_out_score_holds_its_floor() -> None:
    result = scored(HELD_OUT)
    print("\nheld-out part:")
    for line in report_lines(result):
        print(" ", line)
    fallen = {
        name: round(value, 3)
        for name, value in measured(result).items()
        if value < FLOORS[name] - 1e-9
    }
    assert not fallen, f"below the floor on the held-out part: {fallen}"


def test_the_tuning_score_meets_the_safety_targets() -> None:
    """On the part the rules were written against, the gate misses nothing."""
    result = scored(TUNING)
    print("\ntuning part:")
    for line in report_lines(result):
        print(" ", line)
    assert result.mandatory_report.recall == 1.0
    assert result.mandatory_report.precision >= TARGETS["mandatory_report.precision"]
    assert result.accuracy["district"] >= TARGETS["district"]
    assert result.accuracy["categories"] >= TARGETS["categories"]
    assert result.accuracy["priority_flags"] >= TARGETS["priority_flags"]


@pytest.mark.parametrize("path", [HELD_OUT, TUNING], ids=["held-out", "tuning"])
def test_every_statutory_ground_reaches_the_gate_through_the_form(path: Path) -> None:
    """Danger the recogniser misses is still asked about: the form puts the safety question
    right after the description whenever nothing was recognised, and a 「有」 is the gate."""
    for item in items(path):
        if not item["expect"]["mandatory_report"]:
            continue
        draft = Draft().with_recognised(recognise(item["text"], TAOYUAN))
        if draft.mandatory_report:
            continue
        assert draft.next_step() is Step.SAFETY, item["id"]
        for ground in SafetyGround:
            assert draft.answer_safety((ground,)).mandatory_report, item["id"]


def test_the_summary_cannot_be_reached_without_the_safety_question() -> None:
    for item in items(TUNING)[:60]:
        draft = Draft().with_recognised(recognise(item["text"], TAOYUAN))
        for step in Step:
            if step not in (Step.SAFETY, Step.CONFIRM):
                draft = draft.finish(step)
        if not draft.recognised_danger:
            assert draft.next_step() is Step.SAFETY
            assert draft.answer_safety(()).next_step() is Step.CONFIRM


def test_the_score_command_prints_the_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["recognise", "--score", str(HELD_OUT)]) == 0
    out = capsys.readouterr().out
    assert "items: 180" in out
    assert "mandatory_report: recall" in out
    for category in ("multi_need", "immediate_danger", "co_case"):
        assert category in out
    assert main(["recognise", "--score", str(HELD_OUT), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["items"] == 180
    assert set(data["categories"]) >= {"suicide_economic", "missing_child"}


def test_the_score_command_says_what_is_wrong_with_a_bad_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": 1, "text": "x", "expect": {}}\nnot json\n', encoding="utf-8")
    assert main(["recognise", "--score", str(bad)]) == 1
    assert "line 2: not JSON" in capsys.readouterr().err
    assert main(["recognise", "--score", str(tmp_path / "missing.jsonl")]) == 1


def test_the_shipped_model_is_what_training_on_the_tuning_part_gives() -> None:
    """The second reader was trained on the tuning part alone, reproducibly."""
    trained = danger_model.train(
        (redact(item["text"]).text, bool(item["expect"]["mandatory_report"]))
        for item in items(TUNING)
    )
    shipped = danger_model.shipped()
    assert trained.to_json() == shipped.to_json()
