"""How well the recogniser reads a labelled set of descriptions: the numbers `safetynet recognise
--score FILE` prints and the suite holds to the targets.

Items are `{"id", "text", "expect": {…}}` (tests/data/referrals/README.md); predictions are the
output of `Recognised.to_json`. Lists are compared as sets.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.domain.referral_rules import Category

HOUSEHOLD_KEYS = ("children_under_6", "elders_65_plus", "disabled")

# The targets of the recogniser on text it was not tuned on (docs/recognition.md).
TARGETS: Mapping[str, float] = {
    "mandatory_report.recall": 1.0,
    "mandatory_report.precision": 0.9,
    "categories": 0.8,
    "category.precision": 0.85,
    "category.recall": 0.85,
    "district": 0.97,
    "household": 0.9,
    "needs": 0.85,
    "priority_flags": 0.9,
}


@dataclass(frozen=True)
class Counts:
    true_positive: int = 0
    false_positive: int = 0
    false_negative: int = 0

    @property
    def precision(self) -> float:
        found = self.true_positive + self.false_positive
        return self.true_positive / found if found else 1.0

    @property
    def recall(self) -> float:
        actual = self.true_positive + self.false_negative
        return self.true_positive / actual if actual else 1.0

    def add(self, expected: bool, predicted: bool) -> Counts:
        return Counts(
            self.true_positive + (expected and predicted),
            self.false_positive + (predicted and not expected),
            self.false_negative + (expected and not predicted),
        )


@dataclass(frozen=True)
class Score:
    items: int
    accuracy: Mapping[str, float]  # field → share of items exactly right
    mandatory_report: Counts
    categories: Mapping[str, Counts]
    needs: Mapping[str, Counts]
    misses: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # field → ids wrong

    def shortfalls(self, targets: Mapping[str, float] = TARGETS) -> list[str]:
        """Each target missed, as `name value < target`."""
        measured: list[tuple[str, float]] = [
            ("mandatory_report.recall", self.mandatory_report.recall),
            ("mandatory_report.precision", self.mandatory_report.precision),
        ]
        measured += [(name, self.accuracy[name]) for name in targets if name in self.accuracy]
        for category, counts in self.categories.items():
            measured.append((f"category.precision:{category}", counts.precision))
            measured.append((f"category.recall:{category}", counts.recall))
        missed = []
        for name, value in measured:
            target = targets[name.split(":")[0]]
            if value < target - 1e-9:
                missed.append(f"{name} {value:.3f} < {target}")
        return missed


def _set(value: object) -> frozenset[str]:
    return frozenset(str(v) for v in value) if isinstance(value, list | tuple) else frozenset()


def score(items: Sequence[Mapping[str, Any]], predictions: Sequence[Mapping[str, Any]]) -> Score:
    """Compare each item's `expect` with the prediction made for it (same order)."""
    right: dict[str, int] = {}
    misses: dict[str, list[str]] = {}
    mandatory = Counts()
    categories = {c.value: Counts() for c in Category}
    needs: dict[str, Counts] = {}

    def tally(name: str, ok: bool, item_id: str) -> None:
        right[name] = right.get(name, 0) + ok
        if not ok:
            misses.setdefault(name, []).append(item_id)

    for item, got in zip(items, predictions, strict=True):
        expect = item["expect"]
        item_id = str(item.get("id"))
        tally("district", expect.get("district") == got.get("district"), item_id)
        tally("categories", _set(expect["categories"]) == _set(got["categories"]), item_id)
        tally(
            "priority_flags",
            _set(expect["priority_flags"]) == _set(got["priority_flags"]),
            item_id,
        )
        tally("needs", _set(expect["needs"]) == _set(got["needs"]), item_id)
        expected_household = expect.get("household") or {}
        got_household = got.get("household") or {}
        same = [expected_household.get(k) == got_household.get(k) for k in HOUSEHOLD_KEYS]
        tally("household", all(same), item_id)
        for key, ok in zip(HOUSEHOLD_KEYS, same, strict=True):
            tally(f"household.{key}", ok, item_id)
        report_expected = bool(expect["mandatory_report"])
        report_got = bool(got["mandatory_report"])
        tally("mandatory_report", report_expected == report_got, item_id)
        mandatory = mandatory.add(report_expected, report_got)
        if "already_reported" in expect:
            tally(
                "already_reported",
                bool(expect["already_reported"]) == bool(got.get("already_reported")),
                item_id,
            )
        for category, counts in categories.items():
            categories[category] = counts.add(
                category in _set(expect["categories"]), category in _set(got["categories"])
            )
        for need in _set(expect["needs"]) | _set(got["needs"]):
            needs[need] = needs.get(need, Counts()).add(
                need in _set(expect["needs"]), need in _set(got["needs"])
            )
    count = len(items)
    return Score(
        items=count,
        accuracy={name: value / count for name, value in right.items()} if count else {},
        mandatory_report=mandatory,
        categories=categories,
        needs=dict(sorted(needs.items())),
        misses={name: tuple(ids) for name, ids in misses.items()},
    )


def report_lines(result: Score, targets: Mapping[str, float] = TARGETS) -> Iterable[str]:
    """The score as a short plain-text table."""
    yield f"items: {result.items}"
    yield "field accuracy:"
    for name, value in result.accuracy.items():
        target = targets.get(name)
        mark = "" if target is None else (" ok" if value >= target - 1e-9 else f" < {target}")
        yield f"  {name:<28} {value:.3f}{mark}"
    counts = result.mandatory_report
    yield (
        f"mandatory_report: recall {counts.recall:.3f} precision {counts.precision:.3f}"
        f" (tp {counts.true_positive}, fp {counts.false_positive}, fn {counts.false_negative})"
    )
    yield "categories:                precision recall  support"
    for category, c in result.categories.items():
        yield (
            f"  {category:<24} {c.precision:>9.3f} {c.recall:>6.3f}"
            f" {c.true_positive + c.false_negative:>8}"
        )
    yield "needs:                     precision recall  support"
    for need, c in result.needs.items():
        yield (
            f"  {need:<24} {c.precision:>9.3f} {c.recall:>6.3f}"
            f" {c.true_positive + c.false_negative:>8}"
        )
    missed = result.shortfalls(targets)
    yield "targets: all met" if not missed else "targets missed: " + "; ".join(missed)


def score_json(result: Score) -> dict[str, object]:
    """The score as plain data (`safetynet recognise --score FILE --json`)."""

    def counts(c: Counts) -> dict[str, float]:
        return {
            "precision": round(c.precision, 4),
            "recall": round(c.recall, 4),
            "support": c.true_positive + c.false_negative,
        }

    return {
        "items": result.items,
        "accuracy": {name: round(value, 4) for name, value in result.accuracy.items()},
        "mandatory_report": counts(result.mandatory_report),
        "categories": {name: counts(c) for name, c in result.categories.items()},
        "needs": {name: counts(c) for name, c in result.needs.items()},
        "misses": {name: list(ids) for name, ids in result.misses.items()},
        "shortfalls": result.shortfalls(),
    }
