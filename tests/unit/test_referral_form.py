"""The referral form: the next question, categories that follow the facts, and storage that never
holds an identifier."""

from __future__ import annotations

import string

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.recognition import recognise
from bot.domain.redaction import national_id_is_valid
from bot.domain.referral_form import Draft, Step, contradictory_ages
from bot.domain.referral_rules import Category, Need
from bot.jurisdictions import load_jurisdiction

TAOYUAN = load_jurisdiction()
S01 = (
    "中壢區林○華，單親媽媽吸毒，家裡有一個3歲和一個5歲的小孩，"
    "沒有其他親人可以幫忙照顧，最近常常沒去托嬰中心。"
)


def test_an_empty_form_asks_for_the_description_first() -> None:
    assert Draft().next_step() is Step.NARRATIVE
    # Skipping the description never skips the safety question.
    assert Draft().finish(Step.NARRATIVE).next_step() is Step.SAFETY
    assert Draft().finish(Step.NARRATIVE).answer_safety(()).next_step() is Step.DISTRICT


def test_a_good_description_skips_what_it_already_says() -> None:
    draft = Draft().with_recognised(recognise(S01, TAOYUAN))
    assert draft.district == "中壢區"
    assert draft.alias == "林○華"
    # Nothing pointed to danger: the safety question comes right after the description.
    assert draft.next_step() is Step.SAFETY
    draft = draft.answer_safety(())
    assert draft.safety_answer == "none"
    assert not draft.mandatory_report
    assert draft.next_step() is Step.HOUSEHOLD
    draft = draft.finish(Step.HOUSEHOLD)
    assert draft.categories == (Category.CHILD_HIGH_RISK,)
    for step in (Step.CATEGORIES, Step.NEEDS, Step.UNITS, Step.NATIONAL_ID):
        assert draft.next_step() is step
        draft = draft.finish(step)
    assert draft.next_step() is Step.CONFIRM


def test_a_category_the_facts_do_not_support_cannot_be_ticked() -> None:
    text = "觀音區一名7歲女童，父親有吸毒前科，目前與父親和姑姑同住，學校反映常缺課。"
    draft = Draft().with_recognised(recognise(text, TAOYUAN)).finish(Step.HOUSEHOLD)
    unchanged, reason = draft.toggle_category(Category.CHILD_HIGH_RISK)
    assert unchanged == draft
    assert reason == "child_high_risk.no_child_under_6"
    # Unticking is always allowed.
    ticked = draft.categories[0]
    untouched, none = draft.toggle_category(ticked)
    assert ticked not in untouched.categories
    assert none is None


def test_more_details_add_facts_and_never_erase_them() -> None:
    draft = Draft().with_recognised(recognise("八德區，爸爸失業，家中有2歲幼兒。", TAOYUAN))
    more = draft.with_recognised(recognise("媽媽中度身障。", TAOYUAN))
    assert more.district == "八德區"
    assert more.household.children_under_6 == 1
    assert more.household.disabled == 1
    assert Need.EMPLOYMENT in more.needs
    assert Need.DISABILITY_CARE in more.needs
    assert more.narrative is not None
    assert more.narrative.count("\n") == 1


def test_household_counts_stay_within_bounds() -> None:
    draft = Draft().adjust_household("children_under_6", -1)
    assert draft.household.children_under_6 == 0
    for _ in range(30):
        draft = draft.adjust_household("elders_65_plus", +1)
    assert draft.household.elders_65_plus == 20


def test_the_draft_survives_storage_exactly() -> None:
    draft = Draft().with_recognised(recognise(S01, TAOYUAN)).finish(Step.HOUSEHOLD)
    draft = draft.toggle_need(Need.HOUSING)
    assert Draft.from_json(draft.to_json()) == draft


def test_violence_makes_the_referral_urgent_and_a_mandatory_report() -> None:
    text = "學校輔導老師轉介：國小三年級學生說爸爸喝酒後會打媽媽，也打他，手臂有瘀青。住桃園區。"
    draft = Draft().with_recognised(recognise(text, TAOYUAN))
    assert draft.mandatory_report
    assert draft.urgent


def test_contradictory_ages() -> None:
    assert contradictory_ages("家中有一名未滿6歲的孩子，今年9歲")
    assert contradictory_ages("六歲以下的弟弟七歲")
    assert not contradictory_ages("家中有一名未滿6歲的孩子，今年3歲")
    assert not contradictory_ages("未滿6歲。爸爸40歲")


# --- identifiers never reach what is stored ------------------------------------------------------

LETTER_CODES = dict(zip("ABCDEFGHJKLMNPQRSTUVXYWZIO", range(10, 36), strict=True))


def national_id(letter: str, second: str, body: str) -> str:
    """A national ID (or 2021 resident certificate) with the right check digit."""
    code = LETTER_CODES[letter]
    digits = [code // 10, code % 10, int(second), *map(int, body)]
    weights = (1, 9, 8, 7, 6, 5, 4, 3, 2, 1)
    check = (10 - sum(d * w for d, w in zip(digits, weights, strict=True)) % 10) % 10
    return f"{letter}{second}{body}{check}"


ids = st.builds(
    national_id,
    st.sampled_from(string.ascii_uppercase),
    st.sampled_from("1289"),
    st.text("0123456789", min_size=7, max_size=7),
)
mobiles = st.builds(
    lambda body, sep: f"09{body[:2]}{sep}{body[2:5]}{sep}{body[5:]}",
    st.text("0123456789", min_size=8, max_size=8),
    st.sampled_from(["", "-", " "]),
)
filler = st.text(alphabet="家庭媽媽爸爸中壢區住小孩經濟困難，。 ", max_size=20)


@settings(max_examples=200, deadline=None)
@given(before=filler, identifier=st.one_of(ids, mobiles), after=filler)
def test_no_id_or_phone_survives_into_the_stored_draft(
    before: str, identifier: str, after: str
) -> None:
    if identifier[0].isalpha():
        assert national_id_is_valid(identifier)
    found = recognise(f"{before}{identifier}{after}", TAOYUAN)
    stored = Draft().with_recognised(found).to_json()
    digits = "".join(ch for ch in identifier if ch.isdigit())
    assert identifier not in stored
    assert digits not in "".join(ch for ch in stored if ch.isdigit())
    assert found.removed
