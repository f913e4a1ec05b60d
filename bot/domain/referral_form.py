"""The referral form a worker fills in chat: what is known so far, and the next question.

The next question is always the first part still missing, so a draft saved in the database
resumes exactly where the worker was. Categories follow the facts (參.三.(六).1): a category the
facts do not support cannot be ticked, and the reason is given instead.
"""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from bot.domain.recognition import Recognised
from bot.domain.referral_rules import (
    Category,
    Facts,
    Household,
    Need,
    PriorityFlag,
    eligible_categories,
    mandatory_report,
    priority_flags,
    why_not,
)
from bot.domain.safety import ReportChannel, SafetyGround

NARRATIVE_MAX = 1000
# "未滿6歲 … 9歲" in one clause: the description contradicts itself about a child's age.
_UNDER_SIX_THEN_AGE = re.compile(
    r"(?:未滿\s*[6六]\s*歲|[6六]\s*歲以下)[^。；;！!？?\n]{0,20}?"
    r"(?P<age>\d{1,2}|[七八九十]|十[一二三四五六七])\s*歲"
)
_CHINESE_AGES = {
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
    "十一": 11,
    "十二": 12,
    "十三": 13,
    "十四": 14,
    "十五": 15,
    "十六": 16,
    "十七": 17,
}
NO_DANGER = "none"  # the safety question answered 「沒有」
# What each 「有」 to the safety question makes true (the same facts a recognised danger sets).
SAFETY_FACTS: dict[SafetyGround, tuple[str, ...]] = {
    SafetyGround.FAMILY_VIOLENCE: ("violence", "self_harm_or_harm_others"),
    SafetyGround.SEXUAL: ("sexual_assault", "self_harm_or_harm_others"),
    SafetyGround.CHILD_NEGLECT: ("child_in_danger", "self_harm_or_harm_others"),
    SafetyGround.CHILD_MISSING: ("missing_child", "child_in_danger"),
    SafetyGround.ELDER_OR_DISABLED: ("vulnerable_adult_abused", "self_harm_or_harm_others"),
    SafetyGround.HARM: ("self_harm_or_harm_others",),
}
SAFETY_NEEDS: dict[SafetyGround, tuple[Need, ...]] = {
    SafetyGround.FAMILY_VIOLENCE: (Need.VIOLENCE,),
    SafetyGround.SEXUAL: (Need.VIOLENCE,),
    SafetyGround.CHILD_NEGLECT: (Need.CHILD_CARE,),  # neglect is a care need, not violence
    SafetyGround.CHILD_MISSING: (Need.CHILD_CARE,),
    SafetyGround.ELDER_OR_DISABLED: (Need.VIOLENCE,),
}
HOUSEHOLD_FIELDS = ("children_under_6", "children_6_17", "elders_65_plus", "disabled")
HOUSEHOLD_MAX = 20


class Step(StrEnum):
    """The parts of the form, in the order they are asked."""

    NARRATIVE = "narrative"
    SAFETY = "safety"  # asked only when no danger was recognised
    DISTRICT = "district"
    ALIAS = "alias"
    HOUSEHOLD = "household"
    CATEGORIES = "categories"
    NEEDS = "needs"
    UNITS = "units"
    NATIONAL_ID = "national_id"
    CONFIRM = "confirm"


@dataclass(frozen=True)
class Draft:
    """A referral being written. Every field is optional until the worker confirms it."""

    narrative: str | None = None
    district: str | None = None
    village: str | None = None
    alias: str | None = None
    household: Household = field(default_factory=lambda: Household(None, None, None, None))
    facts: Facts = field(default_factory=Facts)
    categories: tuple[Category, ...] = ()
    needs: tuple[Need, ...] = ()
    serving_units: tuple[str, ...] = ()
    household_hash: str | None = None
    removed: tuple[str, ...] = ()  # kinds of identifiers redacted from what the worker typed
    # The answer to the safety question: None until answered, () for 「沒有」.
    safety: tuple[SafetyGround, ...] | None = None
    report_channel: ReportChannel | None = None  # a 113 / 關懷e起來 report already made
    done: frozenset[Step] = frozenset()

    # --- where we are ---------------------------------------------------------------------------

    def next_step(self) -> Step:
        for step in Step:
            if step is Step.DISTRICT and self.district is not None:
                continue
            if step is Step.SAFETY and (self.recognised_danger or self.safety is not None):
                continue
            if step not in self.done:
                return step
        return Step.CONFIRM

    def finish(self, step: Step) -> Draft:
        extra: dict[str, Any] = {}
        if step is Step.HOUSEHOLD and Step.CATEGORIES not in self.done:
            # Entering the categories step: start from what the facts support.
            extra["categories"] = self.supported_categories()
        return replace(self, done=self.done | {step}, **extra)

    def reopen(self, step: Step) -> Draft:
        done = self.done - {step, Step.CONFIRM}
        if step is Step.DISTRICT:
            return replace(self, district=None, village=None, done=done)
        return replace(self, done=done)

    # --- what the facts say ---------------------------------------------------------------------

    def supported_categories(self) -> tuple[Category, ...]:
        supported = eligible_categories(self.household, self.facts, self.needs)
        if self.household_hash is not None and Category.CO_CASE in self.categories:
            supported = (*supported, Category.CO_CASE)
        return tuple(c for c in Category if c in supported)

    @property
    def priority_flags(self) -> tuple[PriorityFlag, ...]:
        return tuple(priority_flags(self.household, self.facts))

    @property
    def recognised_danger(self) -> bool:
        """Danger read from the description (a report already made about it included)."""
        return mandatory_report(self.facts) or Need.VIOLENCE in self.needs

    @property
    def mandatory_report(self) -> bool:
        """The safety gate: danger recognised, or any 「有」 to the safety question."""
        return self.recognised_danger or bool(self.safety)

    @property
    def safety_answer(self) -> str | None:
        """The safety question's answer as stored: None (not asked), "none", or the grounds."""
        if self.safety is None:
            return None
        return ",".join(g.value for g in self.safety) or NO_DANGER

    @property
    def urgent(self) -> bool:
        return self.mandatory_report or Category.IMMEDIATE_DANGER in self.categories

    # --- answers ----------------------------------------------------------------------------------

    def with_recognised(self, found: Recognised) -> Draft:
        """Merge what was recognised in a description (a first one, or more details later)."""
        narrative = found.redacted_text
        if self.narrative:
            narrative = f"{self.narrative}\n{found.redacted_text}"
        household = Household(
            *(
                getattr(found.household, name)
                if getattr(found.household, name) is not None
                else getattr(self.household, name)
                for name in HOUSEHOLD_FIELDS
            )
        )
        merged = replace(
            self,
            narrative=narrative[:NARRATIVE_MAX] if narrative else None,
            district=found.district or self.district,
            village=found.village or self.village,
            alias=self.alias or found.alias,
            household=household,
            facts=_merge_facts(self.facts, found.facts),
            needs=tuple(n for n in Need if n in self.needs or n in found.needs),
            serving_units=tuple(dict.fromkeys((*self.serving_units, *found.facts.serving_units))),
            removed=tuple(dict.fromkeys((*self.removed, *(k.value for k in found.removed)))),
            report_channel=self.report_channel or found.report_channel,
            done=self.done | {Step.NARRATIVE} | ({Step.ALIAS} if found.alias else set()),
        )
        if Step.CATEGORIES in merged.done:
            kept = [c for c in merged.categories if c in merged.supported_categories()]
            merged = replace(merged, categories=tuple(kept))
        return merged

    def answer_safety(self, grounds: tuple[SafetyGround, ...]) -> Draft:
        """The safety question answered: each 「有」 is a fact, exactly as if recognised."""
        said: dict[str, Any] = {f: True for g in grounds for f in SAFETY_FACTS[g]}
        answered = replace(Facts(), **said)
        facts = _merge_facts(self.facts, answered)
        needs = set(self.needs) | {n for g in grounds for n in SAFETY_NEEDS.get(g, ())}
        return replace(
            self,
            safety=tuple(g for g in SafetyGround if g in grounds),
            facts=facts,
            needs=tuple(n for n in Need if n in needs),
            done=self.done | {Step.SAFETY},
        )

    def record_report(self, channel: ReportChannel) -> Draft:
        return replace(self, report_channel=channel)

    def adjust_household(self, name: str, delta: int) -> Draft:
        if name not in HOUSEHOLD_FIELDS:
            raise ValueError(name)
        current = getattr(self.household, name)
        value = max(0, min(HOUSEHOLD_MAX, (current or 0) + delta))
        return replace(self, household=replace(self.household, **{name: value}))

    def toggle_category(self, category: Category) -> tuple[Draft, str | None]:
        """Tick or untick; ticking a category the facts do not support returns the reason."""
        if category in self.categories:
            return replace(
                self, categories=tuple(c for c in self.categories if c != category)
            ), None
        if category not in self.supported_categories():
            reason = why_not(category, self.household, self.facts, self.needs)
            return self, reason or f"{category.value}.not_supported"
        chosen = tuple(c for c in Category if c in self.categories or c == category)
        return replace(self, categories=chosen), None

    def toggle_need(self, need: Need) -> Draft:
        needs = set(self.needs) ^ {need}
        return replace(self, needs=tuple(n for n in Need if n in needs))

    def mark_co_case(self) -> Draft:
        chosen = tuple(c for c in Category if c in self.categories or c is Category.CO_CASE)
        return replace(self, categories=chosen)

    # --- storage ----------------------------------------------------------------------------------

    def to_json(self) -> str:
        data = {
            "narrative": self.narrative,
            "district": self.district,
            "village": self.village,
            "alias": self.alias,
            "household": dataclasses.asdict(self.household),
            "facts": dataclasses.asdict(self.facts),
            "categories": [c.value for c in self.categories],
            "needs": [n.value for n in self.needs],
            "serving_units": list(self.serving_units),
            "household_hash": self.household_hash,
            "removed": list(self.removed),
            "safety": None if self.safety is None else [g.value for g in self.safety],
            "report_channel": self.report_channel.value if self.report_channel else None,
            "done": sorted(s.value for s in self.done),
        }
        return json.dumps(data, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Draft:
        data = json.loads(text)
        facts = data["facts"]
        facts["serving_units"] = tuple(facts.get("serving_units", ()))
        return cls(
            narrative=data["narrative"],
            district=data["district"],
            village=data["village"],
            alias=data["alias"],
            household=Household(**data["household"]),
            facts=Facts(**facts),
            categories=tuple(Category(c) for c in data["categories"]),
            needs=tuple(Need(n) for n in data["needs"]),
            serving_units=tuple(data["serving_units"]),
            household_hash=data["household_hash"],
            removed=tuple(data["removed"]),
            safety=None
            if data.get("safety") is None
            else tuple(SafetyGround(g) for g in data["safety"]),
            report_channel=ReportChannel(data["report_channel"])
            if data.get("report_channel")
            else None,
            done=frozenset(Step(s) for s in data["done"]),
        )


def _merge_facts(old: Facts, new: Facts) -> Facts:
    """A fact stated once stays stated; an unknown never overwrites a known one."""
    values: dict[str, Any] = {}
    for item in dataclasses.fields(Facts):
        before, after = getattr(old, item.name), getattr(new, item.name)
        if item.name == "serving_units":
            values[item.name] = tuple(dict.fromkeys((*before, *after)))
        elif isinstance(before, bool) and isinstance(after, bool) and item.default is False:
            values[item.name] = before or after
        else:
            values[item.name] = after if after is not None else before
    return Facts(**values)


def contradictory_ages(text: str) -> bool:
    """A child said to be under 6 and, in the same breath, 6 or older."""
    for match in _UNDER_SIX_THEN_AGE.finditer(text):
        age = match["age"]
        years = int(age) if age.isdigit() else _CHINESE_AGES.get(age, 0)
        if years >= 6:
            return True
    return False
