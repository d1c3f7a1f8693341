"""Checklist 2026-12: who answers each question, when it is asked, and content that follows the
guidance (issue #12)."""

from guidance.checklist import REVIEW, STAFF, load_checklist
from guidance.sources import AI_GUIDE, KCSIE
from guidance.triage import REQUIRED_ADVICE_IDS

VERSION = "2026-12"
STAFF_IDS = [
    "image_nature",
    "threats_or_demands",
    "adult_involved",
    "coercion_or_capacity",
    "unusual_or_violent",
    "sexual_acts_under_13",
    "immediate_risk",
    "danger_now",
    "device_involved",
    "device_secured",
    "imagery_viewed",
]
REVIEW_IDS = [
    "creator",
    "original_source",
    "pictured_child_willing",
    "spread_platforms",
    "spread_recipients",
    "removal_offered",
]
FACTORS = STAFF_IDS[2:7]
IMAGE_KNOWN = ("ai_generated", "nudified", "real_photo", "not_known")
SHARED = ("private_message", "shown_in_person", "group_chat", "public", "not_known")


def test_it_is_published_in_december_2026_with_its_own_rules():
    # 2026-12b followed it the same day (test_checklist_2026_12b_content.py).
    checklist = load_checklist(VERSION)
    assert checklist.published.year == 2026 and checklist.published.month == 12
    assert checklist.rules == "2026-12"
    assert checklist.published > load_checklist("2026-09").published


def test_the_staff_part_and_the_review_part():
    checklist = load_checklist(VERSION)
    assert [q.id for q in checklist.questions_for(STAFF)] == STAFF_IDS
    assert [q.id for q in checklist.questions_for(REVIEW)] == REVIEW_IDS
    for question in checklist.referral_factors:
        assert question.part == STAFF


def test_each_question_is_asked_only_when_it_can_apply():
    checklist = load_checklist(VERSION)
    conditions = {q.id: dict(q.ask_if) for q in checklist.questions}
    assert conditions["danger_now"] == {"immediate_risk": ("yes", "not_known")}
    assert conditions["device_secured"] == {"device_involved": ("yes",)}
    assert conditions["imagery_viewed"] == {"image_nature": IMAGE_KNOWN}
    assert conditions["original_source"] == {
        "image_nature": ("ai_generated", "nudified", "not_known")
    }
    for qid in ("creator", "pictured_child_willing", "spread_platforms"):
        assert conditions[qid] == {"image_nature": IMAGE_KNOWN}, qid
    for qid in ("spread_recipients", "removal_offered"):
        assert conditions[qid] == {"spread_platforms": SHARED}, qid
    for qid in ("image_nature", "threats_or_demands", "device_involved", *FACTORS):
        assert conditions[qid] == {}, qid
    # Nothing about the image is asked when no image is known.
    no_image = {"image_nature": "no_image_known"}
    for qid in ("imagery_viewed", *REVIEW_IDS):
        assert not checklist.question(qid).is_asked(no_image), qid


def test_a_condition_only_looks_back_and_staff_never_wait_for_the_dsl():
    checklist = load_checklist(VERSION)
    order = [q.id for q in checklist.questions]
    for question in checklist.questions:
        for qid, values in question.ask_if:
            assert order.index(qid) < order.index(question.id), question.id
            assert set(values) <= set(checklist.question(qid).choice_values())
            if question.part == STAFF:
                assert checklist.question(qid).part == STAFF, question.id


def test_the_image_and_threats_are_separate_and_the_new_answers_are_offered():
    checklist = load_checklist(VERSION)
    assert checklist.question("image_nature").choice_values() == (
        "ai_generated",
        "nudified",
        "real_photo",
        "no_image_known",
        "not_known",
    )
    assert checklist.question("threats_or_demands").answer_type == "yes_no_unknown"
    assert "own_photo" in checklist.question("original_source").choice_values()
    assert "shown_in_person" in checklist.question("spread_platforms").choice_values()
    assert "adult" in checklist.question("creator").choice_values()


def test_the_referral_factors_use_the_guidance_words():
    checklist = load_checklist(VERSION)
    unusual = checklist.question("unusual_or_violent")
    assert "stage of development" in unusual.text and "age" not in unusual.text.split()
    assert "stage of development" in unusual.factor_label
    risk = checklist.question("immediate_risk")
    assert "immediate risk of harm" in risk.text
    assert "calmed" not in risk.text + risk.help
    assert "999" not in risk.text + risk.help  # 999 belongs to danger now, asked next
    under_13 = checklist.question("sexual_acts_under_13")
    assert "Year" not in under_13.help  # ages come from dates of birth, not year groups


def test_every_question_the_dsl_must_find_out_says_what_to_find_out():
    checklist = load_checklist(VERSION)
    for qid in ("image_nature", "threats_or_demands", *REVIEW_IDS[:-1]):
        assert checklist.question(qid).missing_fact, qid


def test_the_advice_the_new_rules_need_is_there_with_sources():
    checklist = load_checklist(VERSION)
    for advice_id in REQUIRED_ADVICE_IDS:
        item = checklist.advice_for(advice_id)
        assert item.text.strip() and item.source.strip()


def test_the_content_follows_the_sources():
    checklist = load_checklist(VERSION)
    advice = {a.id: a for a in checklist.advice}
    # 999 is conditional on danger now; staying with the child is its own advice.
    assert "danger" in advice["call_999"].text
    assert "Stay with the child" in advice["stay_with_child"].text
    # Keep the evidence: nothing tells the child to get rid of the image.
    keep = advice["sx_keep_evidence"].text
    assert "not to delete anything" in keep and "images" in keep
    assert "Do not keep" not in keep
    assert "Do not delete the image" in advice["dont_delete"].text
    # Staff tell the DSL; the DSL contacts the police or CEOP.
    assert advice["sx_report"].text.startswith("You tell the DSL")
    assert advice["sx_remove"].text.startswith("The DSL")
    for advice_id in ("sx_dont_pay", "sx_block", "sx_keep_evidence", "sx_not_to_blame"):
        assert advice[advice_id].text.startswith("Tell the child"), advice_id
    # A publicly posted image: its address goes to the IWF and the site; never saved or sent on.
    online = advice["report_url_iwf"].text
    assert "IWF" in online and "site or app" in online and "Nobody opens, saves" in online
    assert "school, club or team photo" in advice["review_school_photos"].text
    # Parents: told unless that puts a child at risk, with care when an adult may be involved.
    assert "unless that would put a child at risk" in advice["tell_parents"].text
    assert "may be in the family" in advice["tell_parents_with_care"].text
    # Sources cited by their right names.
    sources = [q.source for q in checklist.questions] + [a.source for a in checklist.advice]
    assert any(AI_GUIDE in source for source in sources)
    assert not any("AI-generated child sexual abuse imagery: an essential" in s for s in sources)
    assert not any("KCSIE 2024/2025" in source for source in sources)
    assert any(KCSIE in source for source in sources)
    assert "An essential guide for professionals who work with children and young people" in (
        AI_GUIDE
    )


def test_wording_not_yet_read_in_a_source_stays_visibly_marked():
    checklist = load_checklist(VERSION)
    waiting = {item.id for item in checklist.awaiting_confirmation}
    # Recalled rather than read this time (GUIDANCE.md "(confirm)"): still flagged.
    for item_id in (
        *("adult_involved", "coercion_or_capacity", "unusual_or_violent"),
        *("sexual_acts_under_13", "immediate_risk"),
        *("device_involved", "device_secured", "imagery_viewed"),
        *("dont_delete", "stay_with_child", "secure_device", "viewed_support"),
        *("tell_parents_with_care", "review_school_photos"),
    ):
        assert item_id in waiting, item_id
    # Read in the source this time: the staff overview's never view/copy/print/share/store/save,
    # and the NCA alert's advice (999 on an immediate risk of harm, do not pay, block, keep
    # everything, report to the police or CEOP).
    for item_id in ("dont_view", "call_999", "danger_now", "sx_keep_evidence", "sx_report"):
        assert item_id not in waiting, item_id
