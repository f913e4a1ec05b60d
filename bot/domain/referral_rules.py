"""Who may be referred to the district case conference, as the plan writes it (參.三.(六).1).

One pure function per clause; `why_not` names, as a short code, the condition a family misses.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum


@dataclass(frozen=True)
class Household:
    """Head counts of the people the family cares for; None where the referral does not say."""

    children_under_6: int | None = None
    children_6_17: int | None = None
    elders_65_plus: int | None = None
    disabled: int | None = None


@dataclass(frozen=True)
class Facts:
    """What a referral says about the family, as the plan's rules need it.

    A plain bool is False when the referral is silent; `other_kin_in_household` keeps "unknown"
    apart, because the chat form asks about it rather than assuming.
    """

    drug_use: bool = False  # a parent or main caregiver uses or sells drugs
    untreated_mental_illness: bool = False  # …has a mental illness not (continuously) treated
    mental_illness: bool = False  # someone in the family has a mental illness
    suicide_report: bool = False  # a suicide report, attempt or threat
    suicide_cause_economic: bool = False  # the suicide's stated cause is economic
    suicide_cause_stated: bool = False  # a cause OTHER than economic is stated
    emergency_relief: bool = False  # applied for the city's emergency relief (急難救助)
    unemployment: bool = False
    frequent_unemployment: bool = False  # 經常性失業: odd jobs, often out of work
    disability: bool = False
    violence: bool = False  # family violence, including threats with weapons
    child_abuse: bool = False
    sexual_assault: bool = False
    child_in_danger: bool = False  # e.g. a parent saying they will take the child with them
    # An elder or a person with disabilities abused or neglected (老人福利法 art. 43,
    # 身心障礙者權益保障法 art. 76).
    vulnerable_adult_abused: bool = False
    # A credible threat to seriously harm people outside the family (a weapon, arson): a danger,
    # though not one of the reporting laws' grounds.
    threat_to_others: bool = False
    # A 113 / 關懷e起來 report already made about the family: someone judged the grounds there.
    protection_report_made: bool = False
    # The gate's second reader (bot.domain.danger_model) reads a report due where the rules
    # named no ground: danger all the same, never less.
    danger_read: bool = False
    missing_child: bool = False  # a child's whereabouts became unknown
    on_under6_care_list: bool = False  # 六歲以下弱勢兒童主動關懷方案
    vulnerable_family_case: bool = (
        False  # served as a vulnerable family (脆弱家庭) when it happened
    )
    other_kin_in_household: bool | None = None  # another adult relative lives in and can care
    self_harm_or_harm_others: bool = False
    recurrent: bool = False  # the problem keeps coming back despite what was done
    serving_units: tuple[str, ...] = ()  # units already serving the family, as staff name them


class Category(StrEnum):
    MULTI_NEED = "multi_need"
    IMMEDIATE_DANGER = "immediate_danger"
    RECURRENT = "recurrent"
    SUICIDE_ECONOMIC = "suicide_economic"
    CHILD_HIGH_RISK = "child_high_risk"
    MISSING_CHILD = "missing_child"
    CO_CASE = "co_case"


class PriorityFlag(StrEnum):
    SELF_HARM_OR_HARM_OTHERS = "self_harm_or_harm_others"
    UNEMPLOYED_WITH_DEPENDENTS = "unemployed_with_dependents"


class Need(StrEnum):
    ECONOMIC = "economic"
    EMPLOYMENT = "employment"
    MENTAL_HEALTH = "mental_health"
    SUICIDE = "suicide"
    SUBSTANCE = "substance"
    VIOLENCE = "violence"
    CHILD_CARE = "child_care"
    DISABILITY_CARE = "disability_care"
    ELDER_CARE = "elder_care"
    HOUSING = "housing"
    EDUCATION = "education"
    LEGAL = "legal"


# The service system that answers each need. Needs of one system are met by one unit (the family
# service center handles money, child care and disability welfare together), so only needs that
# fall to different systems make a case "multi-need" in the sense of (1)A.
SERVICE_SYSTEM: Mapping[Need, str] = {
    Need.ECONOMIC: "social_welfare",
    Need.CHILD_CARE: "social_welfare",
    Need.DISABILITY_CARE: "social_welfare",
    Need.EMPLOYMENT: "labour",
    Need.MENTAL_HEALTH: "health",
    Need.SUICIDE: "health",
    Need.SUBSTANCE: "health",
    Need.ELDER_CARE: "long_term_care",
    Need.VIOLENCE: "protection",
    Need.HOUSING: "housing",
    Need.EDUCATION: "education",
    Need.LEGAL: "justice",
}

# The named groups of (2)–(4): each has its own monthly roster and dispatch to the units it needs
# (參.三.(六).2.(2)–(4)), so such a family is not also listed under the general ground (1)A.
NAMED_GROUPS = (Category.SUICIDE_ECONOMIC, Category.CHILD_HIGH_RISK, Category.MISSING_CHILD)

WHY_NOT_CODES: frozenset[str] = frozenset(
    {
        "multi_need.single_need",
        "multi_need.immediate_danger",
        "multi_need.named_group",
        "immediate_danger.no_danger",
        "recurrent.not_recurrent",
        "suicide_economic.no_suicide_report",
        "suicide_economic.cause_not_economic",
        "suicide_economic.no_relief_application",
        "child_high_risk.children_unknown",
        "child_high_risk.no_child_under_6",
        "child_high_risk.no_caregiver_risk",
        "child_high_risk.kin_support",
        "missing_child.not_missing",
        "missing_child.not_followed",
        "co_case.fewer_than_two_units",
    }
)


def _some(count: int | None) -> bool:
    return count is not None and count > 0


def service_systems(needs: Iterable[Need]) -> frozenset[str]:
    return frozenset(SERVICE_SYSTEM[need] for need in needs)


def is_multi_need(needs: Iterable[Need], facts: Facts) -> bool:
    """參.三.(六).1.(1)A 需求多元，且需跨單位提供服務之個案.

    Needs that fall to two or more service systems (SERVICE_SYSTEM), so several units must serve.
    A family in immediate danger is referred under (1)B instead: safety comes before planning
    services, and the protection response decides which units come in.
    """
    return len(service_systems(needs)) >= 2 and not is_immediate_danger(facts)


def is_immediate_danger(facts: Facts) -> bool:
    """參.三.(六).1.(1)B 有造成立即危險或嚴重危機之虞者.

    Violence (threats with weapons included), child abuse, sexual assault, a child in danger —
    e.g. a parent who would take the child along in death (self-harm meant to harm others too) —
    or an elder or a person with disabilities abused or neglected — and a credible threat to
    seriously harm people outside the family.
    """
    return mandatory_report(facts) or facts.threat_to_others


def is_recurrent(facts: Facts) -> bool:
    """參.三.(六).1.(1)C 問題重覆無法有效防治者: the problem keeps coming back."""
    return facts.recurrent


def is_suicide_economic(facts: Facts) -> bool:
    """參.三.(六).1.(2) 幸扶守護: a suicide report whose cause is economic, or whose cause is not
    stated but the family applied for the city's emergency relief (急難救助)."""
    if not facts.suicide_report:
        return False
    if facts.suicide_cause_economic:
        return True
    return not facts.suicide_cause_stated and facts.emergency_relief


def is_child_high_risk(household: Household, facts: Facts) -> bool:
    """參.三.(六).1.(3) 兒少高危機 — all three must hold:

    a child under 6 lives in the household; the guardian or main caregiver uses or sells drugs,
    or has a mental illness untreated or not continuously treated; and there is no other kin
    support in the household (unknown counts as none, so the case is not missed).
    """
    caregiver_risk = facts.drug_use or facts.untreated_mental_illness
    no_kin = facts.other_kin_in_household is not True
    return _some(household.children_under_6) and caregiver_risk and no_kin


def is_missing_child(facts: Facts) -> bool:
    """參.三.(六).1.(4) 行方不明兒少: a child on the under-6 disadvantaged children proactive-care
    list, or in a vulnerable family being served, whose whereabouts became unknown."""
    followed = facts.on_under6_care_list or facts.vulnerable_family_case
    return facts.missing_child and followed


def is_co_case(facts: Facts) -> bool:
    """參.三.(六).1.(5) 共案: a family two or more units already serve."""
    return len(set(facts.serving_units)) >= 2


def priority_flags(household: Household, facts: Facts) -> tuple[PriorityFlag, ...]:
    """參.三.(六).1.(6) 優先討論: A 有自傷、傷人之行為; B 經常性失業且家中有6歲以下兒童、
    65歲以上失能老人或身心障礙者需照顧.

    A suicide report is self-harm; violence, abuse, sexual assault or endangering a child is
    harming others. For B a disabled elder is counted among the people with disabilities.
    """
    flags: list[PriorityFlag] = []
    harm = (
        facts.self_harm_or_harm_others
        or facts.suicide_report
        or facts.violence
        or facts.child_abuse
        or facts.sexual_assault
        or facts.child_in_danger
        or facts.vulnerable_adult_abused
        or facts.threat_to_others
        or facts.danger_read
    )
    if harm:
        flags.append(PriorityFlag.SELF_HARM_OR_HARM_OTHERS)
    dependants = _some(household.children_under_6) or _some(household.disabled) or facts.disability
    if facts.frequent_unemployment and dependants:
        flags.append(PriorityFlag.UNEMPLOYED_WITH_DEPENDENTS)
    return tuple(flags)


def mandatory_report(facts: Facts) -> bool:
    """The safety gate: violence, abuse, sexual assault, a child in danger, or an elder or a
    person with disabilities abused or neglected.

    By law it is reported to 113 / 關懷e起來 within 24 hours (家暴法 art. 50, 兒少權法 art. 53,
    性侵害犯罪防治法, 老福法 art. 43, 身權法 art. 76); a referral never replaces that report.
    """
    return (
        facts.violence
        or facts.child_abuse
        or facts.sexual_assault
        or facts.child_in_danger
        or facts.vulnerable_adult_abused
        or facts.protection_report_made
        or facts.danger_read
    )


def _why_not_multi_need(household: Household, facts: Facts, needs: tuple[Need, ...]) -> str | None:
    if len(service_systems(needs)) < 2:
        return "multi_need.single_need"
    if is_immediate_danger(facts):
        return "multi_need.immediate_danger"
    if any(WHY_NOT[group](household, facts, needs) is None for group in NAMED_GROUPS):
        return "multi_need.named_group"
    return None


def _why_not_immediate_danger(
    household: Household, facts: Facts, needs: tuple[Need, ...]
) -> str | None:
    return None if is_immediate_danger(facts) else "immediate_danger.no_danger"


def _why_not_recurrent(household: Household, facts: Facts, needs: tuple[Need, ...]) -> str | None:
    return None if is_recurrent(facts) else "recurrent.not_recurrent"


def _why_not_suicide_economic(
    household: Household, facts: Facts, needs: tuple[Need, ...]
) -> str | None:
    if not facts.suicide_report:
        return "suicide_economic.no_suicide_report"
    if is_suicide_economic(facts):
        return None
    if facts.suicide_cause_stated:
        return "suicide_economic.cause_not_economic"
    return "suicide_economic.no_relief_application"


def _why_not_child_high_risk(
    household: Household, facts: Facts, needs: tuple[Need, ...]
) -> str | None:
    if household.children_under_6 is None:
        return "child_high_risk.children_unknown"
    if household.children_under_6 <= 0:
        return "child_high_risk.no_child_under_6"
    if not (facts.drug_use or facts.untreated_mental_illness):
        return "child_high_risk.no_caregiver_risk"
    if facts.other_kin_in_household is True:
        return "child_high_risk.kin_support"
    return None


def _why_not_missing_child(
    household: Household, facts: Facts, needs: tuple[Need, ...]
) -> str | None:
    if not facts.missing_child:
        return "missing_child.not_missing"
    return None if is_missing_child(facts) else "missing_child.not_followed"


def _why_not_co_case(household: Household, facts: Facts, needs: tuple[Need, ...]) -> str | None:
    return None if is_co_case(facts) else "co_case.fewer_than_two_units"


# Each category's conditions, checked in the plan's order so the first one missing is named.
WHY_NOT: Mapping[Category, Callable[[Household, Facts, tuple[Need, ...]], str | None]] = {
    Category.MULTI_NEED: _why_not_multi_need,
    Category.IMMEDIATE_DANGER: _why_not_immediate_danger,
    Category.RECURRENT: _why_not_recurrent,
    Category.SUICIDE_ECONOMIC: _why_not_suicide_economic,
    Category.CHILD_HIGH_RISK: _why_not_child_high_risk,
    Category.MISSING_CHILD: _why_not_missing_child,
    Category.CO_CASE: _why_not_co_case,
}


def why_not(
    category: Category, household: Household, facts: Facts, needs: Iterable[Need]
) -> str | None:
    """The first condition of `category` the family misses, as one of WHY_NOT_CODES.

    None when the category applies.
    """
    return WHY_NOT[category](household, facts, tuple(needs))


def eligible_categories(
    household: Household, facts: Facts, needs: Iterable[Need]
) -> tuple[Category, ...]:
    """Every category of 參.三.(六).1 the family fits, in the order of `Category`.

    (1)A multi_need is the general ground: it is left out when a named group of (2)–(4) already
    brings the family with its own roster and dispatch; co_case and recurrent do not displace it.
    """
    needs = tuple(needs)
    return tuple(c for c in Category if why_not(c, household, facts, needs) is None)
