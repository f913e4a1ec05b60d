"""The plan's referral rules (參.三.(六).1): each clause, its own examples, and its near misses.

Every reason code `why_not` can give is reached by some family here.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.domain.referral_rules import (
    SERVICE_SYSTEM,
    WHY_NOT_CODES,
    Category,
    Facts,
    Household,
    Need,
    PriorityFlag,
    eligible_categories,
    is_child_high_risk,
    is_co_case,
    is_immediate_danger,
    is_missing_child,
    is_multi_need,
    is_recurrent,
    is_suicide_economic,
    mandatory_report,
    priority_flags,
    why_not,
)

UNKNOWN = Household()
TODDLER = Household(children_under_6=1)
SEVEN_YEAR_OLD = Household(children_under_6=0, children_6_17=1)
TEENAGERS = Household(children_under_6=0, children_6_17=2)


# --- (3) 兒少高危機 ------------------------------------------------------------------------


def test_child_high_risk_needs_all_three_conditions() -> None:
    facts = Facts(drug_use=True, other_kin_in_household=False)
    assert is_child_high_risk(TODDLER, facts)
    assert why_not(Category.CHILD_HIGH_RISK, TODDLER, facts, ()) is None


def test_untreated_mental_illness_is_a_caregiver_risk_too() -> None:
    assert is_child_high_risk(TODDLER, Facts(untreated_mental_illness=True))


def test_a_seven_year_old_with_a_drug_using_father_is_not_child_high_risk() -> None:
    facts = Facts(drug_use=True, other_kin_in_household=False)
    assert not is_child_high_risk(SEVEN_YEAR_OLD, facts)
    assert why_not(Category.CHILD_HIGH_RISK, SEVEN_YEAR_OLD, facts, ()) == (
        "child_high_risk.no_child_under_6"
    )


def test_a_grandmother_living_in_is_kin_support() -> None:
    facts = Facts(drug_use=True, other_kin_in_household=True)
    assert not is_child_high_risk(TODDLER, facts)
    assert why_not(Category.CHILD_HIGH_RISK, TODDLER, facts, ()) == "child_high_risk.kin_support"


def test_unknown_kin_support_counts_as_none_so_the_child_is_not_missed() -> None:
    assert is_child_high_risk(TODDLER, Facts(drug_use=True, other_kin_in_household=None))


def test_treated_mental_illness_is_no_caregiver_risk() -> None:
    facts = Facts(mental_illness=True, untreated_mental_illness=False)
    assert not is_child_high_risk(TODDLER, facts)
    assert why_not(Category.CHILD_HIGH_RISK, TODDLER, facts, ()) == (
        "child_high_risk.no_caregiver_risk"
    )


def test_children_unknown_is_its_own_reason() -> None:
    facts = Facts(drug_use=True)
    assert not is_child_high_risk(UNKNOWN, facts)
    assert why_not(Category.CHILD_HIGH_RISK, UNKNOWN, facts, ()) == (
        "child_high_risk.children_unknown"
    )


# --- (2) 幸扶守護 --------------------------------------------------------------------------


def test_suicide_report_with_economic_cause_is_suicide_economic() -> None:
    assert is_suicide_economic(Facts(suicide_report=True, suicide_cause_economic=True))


def test_no_cause_stated_but_emergency_relief_is_suicide_economic() -> None:
    facts = Facts(suicide_report=True, emergency_relief=True)
    assert is_suicide_economic(facts)
    assert why_not(Category.SUICIDE_ECONOMIC, UNKNOWN, facts, ()) is None


def test_an_attempt_after_a_breakup_without_relief_is_not_suicide_economic() -> None:
    facts = Facts(suicide_report=True, suicide_cause_stated=True)
    assert not is_suicide_economic(facts)
    assert why_not(Category.SUICIDE_ECONOMIC, UNKNOWN, facts, ()) == (
        "suicide_economic.cause_not_economic"
    )


def test_a_stated_non_economic_cause_outweighs_a_relief_application() -> None:
    facts = Facts(suicide_report=True, suicide_cause_stated=True, emergency_relief=True)
    assert not is_suicide_economic(facts)


def test_no_cause_and_no_relief_is_not_suicide_economic() -> None:
    facts = Facts(suicide_report=True)
    assert why_not(Category.SUICIDE_ECONOMIC, UNKNOWN, facts, ()) == (
        "suicide_economic.no_relief_application"
    )


def test_emergency_relief_without_a_suicide_report_is_not_suicide_economic() -> None:
    facts = Facts(emergency_relief=True, suicide_cause_economic=True)
    assert not is_suicide_economic(facts)
    assert why_not(Category.SUICIDE_ECONOMIC, UNKNOWN, facts, ()) == (
        "suicide_economic.no_suicide_report"
    )


# --- (4) 行方不明兒少, (5) 共案 -------------------------------------------------------------


def test_a_child_on_the_under6_list_gone_missing() -> None:
    assert is_missing_child(Facts(missing_child=True, on_under6_care_list=True))
    assert is_missing_child(Facts(missing_child=True, vulnerable_family_case=True))


def test_a_missing_child_nobody_follows_is_a_police_matter_not_this_group() -> None:
    facts = Facts(missing_child=True)
    assert not is_missing_child(facts)
    assert why_not(Category.MISSING_CHILD, UNKNOWN, facts, ()) == "missing_child.not_followed"


def test_on_the_list_but_not_missing() -> None:
    facts = Facts(on_under6_care_list=True)
    assert why_not(Category.MISSING_CHILD, TODDLER, facts, ()) == "missing_child.not_missing"


def test_co_case_needs_two_different_units() -> None:
    assert is_co_case(Facts(serving_units=("少輔會", "社福中心")))
    assert not is_co_case(Facts(serving_units=("社福中心",)))
    assert not is_co_case(Facts(serving_units=("社福中心", "社福中心")))
    assert why_not(Category.CO_CASE, UNKNOWN, Facts(), ()) == "co_case.fewer_than_two_units"


# --- (1) A–C -------------------------------------------------------------------------------


def test_multi_need_means_needs_of_two_service_systems() -> None:
    assert is_multi_need((Need.MENTAL_HEALTH, Need.EMPLOYMENT), Facts())
    assert not is_multi_need((Need.EMPLOYMENT,), Facts())
    assert not is_multi_need((), Facts())


def test_needs_one_unit_meets_are_not_multi_need() -> None:
    # Money, child care and disability welfare are all the family service center's.
    needs = (Need.ECONOMIC, Need.CHILD_CARE, Need.DISABILITY_CARE)
    assert not is_multi_need(needs, Facts())
    assert why_not(Category.MULTI_NEED, UNKNOWN, Facts(), needs) == "multi_need.single_need"


def test_every_need_has_a_service_system() -> None:
    assert set(SERVICE_SYSTEM) == set(Need)


def test_immediate_danger_takes_a_family_before_multi_need() -> None:
    facts = Facts(violence=True)
    needs = (Need.VIOLENCE, Need.SUBSTANCE, Need.EDUCATION)
    assert not is_multi_need(needs, facts)
    assert why_not(Category.MULTI_NEED, UNKNOWN, facts, needs) == "multi_need.immediate_danger"
    assert eligible_categories(UNKNOWN, facts, needs) == (Category.IMMEDIATE_DANGER,)


def test_a_named_group_takes_a_family_before_multi_need() -> None:
    facts = Facts(suicide_report=True, suicide_cause_economic=True)
    needs = (Need.SUICIDE, Need.ECONOMIC, Need.EMPLOYMENT, Need.ELDER_CARE)
    assert is_multi_need(needs, facts)
    assert why_not(Category.MULTI_NEED, UNKNOWN, facts, needs) == "multi_need.named_group"
    assert eligible_categories(UNKNOWN, facts, needs) == (Category.SUICIDE_ECONOMIC,)


def test_co_case_and_recurrent_sit_beside_multi_need() -> None:
    facts = Facts(serving_units=("少輔會", "社福中心"), recurrent=True)
    needs = (Need.DISABILITY_CARE, Need.EMPLOYMENT)
    assert eligible_categories(UNKNOWN, facts, needs) == (
        Category.MULTI_NEED,
        Category.RECURRENT,
        Category.CO_CASE,
    )


@pytest.mark.parametrize(
    "facts",
    [
        Facts(violence=True),
        Facts(child_abuse=True),
        Facts(sexual_assault=True),
        Facts(child_in_danger=True),
    ],
)
def test_immediate_danger_and_the_mandatory_report(facts: Facts) -> None:
    assert is_immediate_danger(facts)
    assert mandatory_report(facts)
    assert why_not(Category.IMMEDIATE_DANGER, UNKNOWN, facts, ()) is None


@pytest.mark.parametrize(
    "facts",
    [
        Facts(suicide_report=True),
        Facts(drug_use=True),
        Facts(missing_child=True, on_under6_care_list=True),
        Facts(untreated_mental_illness=True),
    ],
)
def test_no_mandatory_report_without_a_safety_issue(facts: Facts) -> None:
    assert not mandatory_report(facts)
    assert not is_immediate_danger(facts)
    assert why_not(Category.IMMEDIATE_DANGER, UNKNOWN, facts, ()) == "immediate_danger.no_danger"


def test_recurrent() -> None:
    assert is_recurrent(Facts(recurrent=True))
    assert why_not(Category.RECURRENT, UNKNOWN, Facts(), ()) == "recurrent.not_recurrent"


# --- (6) 優先討論 --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "facts",
    [
        Facts(self_harm_or_harm_others=True),
        Facts(suicide_report=True),
        Facts(violence=True),
        Facts(child_in_danger=True),
    ],
)
def test_self_harm_or_harming_others_is_discussed_first(facts: Facts) -> None:
    assert priority_flags(UNKNOWN, facts) == (PriorityFlag.SELF_HARM_OR_HARM_OTHERS,)


@pytest.mark.parametrize(
    "household",
    [
        Household(children_under_6=1),
        Household(disabled=1),
        Household(elders_65_plus=1, disabled=1),
    ],
)
def test_frequent_unemployment_with_someone_to_care_for(household: Household) -> None:
    facts = Facts(unemployment=True, frequent_unemployment=True)
    assert priority_flags(household, facts) == (PriorityFlag.UNEMPLOYED_WITH_DEPENDENTS,)


@pytest.mark.parametrize(
    ("household", "facts"),
    [
        # Only teenagers: (6)B names children under 6.
        (TEENAGERS, Facts(unemployment=True, frequent_unemployment=True)),
        # An elder who is not disabled.
        (Household(elders_65_plus=1), Facts(frequent_unemployment=True)),
        # Lost a job last month: unemployment, not 經常性失業.
        (TODDLER, Facts(unemployment=True)),
        (UNKNOWN, Facts(frequent_unemployment=True)),
    ],
)
def test_near_misses_of_unemployed_with_dependents(household: Household, facts: Facts) -> None:
    assert priority_flags(household, facts) == ()


def test_a_disability_fact_stands_for_an_unknown_head_count() -> None:
    facts = Facts(frequent_unemployment=True, disability=True)
    assert priority_flags(UNKNOWN, facts) == (PriorityFlag.UNEMPLOYED_WITH_DEPENDENTS,)


# --- the reason codes ---------------------------------------------------------------------

REACHING_EVERY_CODE: list[tuple[Category, Household, Facts, tuple[Need, ...]]] = [
    (Category.MULTI_NEED, UNKNOWN, Facts(), (Need.ECONOMIC,)),
    (Category.MULTI_NEED, UNKNOWN, Facts(violence=True), (Need.VIOLENCE, Need.LEGAL)),
    (
        Category.MULTI_NEED,
        TODDLER,
        Facts(drug_use=True),
        (Need.SUBSTANCE, Need.CHILD_CARE),
    ),
    (Category.IMMEDIATE_DANGER, UNKNOWN, Facts(), ()),
    (Category.RECURRENT, UNKNOWN, Facts(), ()),
    (Category.SUICIDE_ECONOMIC, UNKNOWN, Facts(), ()),
    (Category.SUICIDE_ECONOMIC, UNKNOWN, Facts(suicide_report=True, suicide_cause_stated=True), ()),
    (Category.SUICIDE_ECONOMIC, UNKNOWN, Facts(suicide_report=True), ()),
    (Category.CHILD_HIGH_RISK, UNKNOWN, Facts(), ()),
    (Category.CHILD_HIGH_RISK, SEVEN_YEAR_OLD, Facts(drug_use=True), ()),
    (Category.CHILD_HIGH_RISK, TODDLER, Facts(), ()),
    (Category.CHILD_HIGH_RISK, TODDLER, Facts(drug_use=True, other_kin_in_household=True), ()),
    (Category.MISSING_CHILD, UNKNOWN, Facts(), ()),
    (Category.MISSING_CHILD, UNKNOWN, Facts(missing_child=True), ()),
    (Category.CO_CASE, UNKNOWN, Facts(), ()),
]


def test_every_reason_code_is_reachable_and_listed() -> None:
    reached = {why_not(*case) for case in REACHING_EVERY_CODE}
    assert reached == WHY_NOT_CODES
    for code in WHY_NOT_CODES:
        category, _, condition = code.partition(".")
        assert category in {c.value for c in Category}
        assert condition


def test_why_not_is_none_exactly_for_the_eligible_categories() -> None:
    household = Household(children_under_6=2, elders_65_plus=1, disabled=1)
    facts = Facts(
        drug_use=True,
        other_kin_in_household=False,
        violence=True,
        recurrent=True,
        serving_units=("家防中心", "毒防中心"),
    )
    needs = (Need.SUBSTANCE, Need.VIOLENCE, Need.CHILD_CARE)
    eligible = eligible_categories(household, facts, needs)
    assert eligible == (
        Category.IMMEDIATE_DANGER,
        Category.RECURRENT,
        Category.CHILD_HIGH_RISK,
        Category.CO_CASE,
    )
    for category in Category:
        assert (why_not(category, household, facts, needs) is None) == (category in eligible)
        assert (why_not(category, household, facts, needs) or "") in WHY_NOT_CODES | {""}


def test_the_plans_example_families() -> None:
    # S01: single mother using drugs, children of 3 and 5, no other kin.
    s01 = (Household(2, None, None, None), Facts(drug_use=True, other_kin_in_household=False))
    assert eligible_categories(*s01, (Need.SUBSTANCE, Need.CHILD_CARE)) == (
        Category.CHILD_HIGH_RISK,
    )
    # S02: the same shape of risk with a grandmother living in, and an unemployed father.
    s02_facts = Facts(
        untreated_mental_illness=True, mental_illness=True, other_kin_in_household=True
    )
    s02_facts = replace(s02_facts, unemployment=True)
    needs = (Need.MENTAL_HEALTH, Need.EMPLOYMENT, Need.ECONOMIC, Need.CHILD_CARE)
    assert eligible_categories(Household(1, None, 1, None), s02_facts, needs) == (
        Category.MULTI_NEED,
    )
