"""Calls through the demo scripts with the real matcher, worded the way
callers talk (none of the phrases is an example of an intent pack or of
the scripts' own intents)."""

import pytest

from runtime.engine import Transfer, compile_script
from runtime.engine.harness import ScriptHarness

from .conftest import CONTACTS, demo_document

PHRASES = {
    "ru": {
        "hello": "Алло, да, слушаю вас",
        "its_me": "Ну да, это я, а что?",
        "busy": "Мне сейчас неудобно, перезвоните позже",
        "busy_at": "Давайте не сейчас, наберите мне завтра после обеда",
        "voicemail": "Здравствуйте, вы позвонили Ольге. Сейчас я не могу "
        "ответить, оставьте сообщение после сигнала.",
        "mumble": "Ммм… э-э…",
        "good_time": "Да, удобно, говорите",
        "not_interested": "Спасибо, но мне это не интересно",
        "no_thanks": "Нет, девушка, спасибо, мне ничего не надо",
        "expensive": "Ой, кредитки это дорого, проценты конские",
        "already_have": "Так у меня уже есть кредитка в другом банке",
        "agree": "Да, давайте, интересно",
        "not_now": "Нет, сейчас не могу",
        "off_topic": "А у вас отделение на Ленина ещё работает?",
        "wrong_person": "Нет, вы ошиблись, таких здесь нет",
        "dnc": "Уберите мой номер из базы и больше сюда не звоните",
    },
    "en": {
        "hello": "Hello, yes, I'm listening",
        "its_me": "Yeah, this is Margaret speaking",
        "busy": "I can't talk right now, call me later",
        "busy_at": "Not now, could you ring me tomorrow after lunch",
        "voicemail": "Hi, you've reached Margaret. I can't come to the phone "
        "right now, please leave your message after the tone.",
        "mumble": "Uh… um…",
        "good_time": "Yes, it's fine, go on",
        "not_interested": "Thanks, but I'm really not interested",
        "no_thanks": "No, I still don't need it",
        "expensive": "Credit cards cost way too much, the interest is crazy",
        "already_have": "I've already got a credit card with another bank",
        "agree": "Yes, sounds good, let's do it",
        "not_now": "No, not right now",
        "off_topic": "Is your branch on Main Street still open?",
        "wrong_person": "No, you've got the wrong number, nobody by that name here",
        "dnc": "Take my number off your list and stop calling me",
    },
}


CALLBACK_LATER = {
    "ru": "Хорошо, перезвоним вам позже. Всего доброго!",
    "en": "Sure, we'll call you back later. Have a nice day!",
}
CALLBACK_SOMETIME = {
    "ru": "Хорошо, перезвоним вам в другое время. Всего доброго!",
    "en": "Sure, we'll call you back at a better time. Have a nice day!",
}
CALLBACK_AT = {
    "ru": "Хорошо, перезвоним вам завтра после обеда. Всего доброго!",
    "en": "Sure, we'll call you back tomorrow after lunch. Have a nice day!",
}
SUMMARY = {
    "ru": "Ольга, сегмент active, одобренный лимит 120 000 ₽. Интересуется "
    "кредитной картой. Последняя фраза: «Да, давайте, интересно».",
    "en": "Margaret, segment active, pre-approved limit $4,500. Interested in "
    "the credit card. Last said: \"Yes, sounds good, let's do it\".",
}
UP_TO_THE_OFFER = ["greeting", "check_person", "disclaimer", "offer"]

_compiled = {}


def call(language, *, segment="", call_id="demo-call"):
    if language not in _compiled:
        _compiled[language] = compile_script(demo_document(language))
    return ScriptHarness(
        _compiled[language],
        segment=segment,
        variables=CONTACTS[language],
        call_id=call_id,
    )


def reach_the_offer(language, **kwargs):
    said = PHRASES[language]
    h = call(language, **kwargs)
    h.start()
    h.say(said["hello"])
    h.say(said["its_me"])
    assert h.node == "offer", h.path
    return h


# The four behaviours the demo is shown for.


def test_a_caller_who_cannot_talk_now_is_called_back(language):
    h = call(language)
    h.start()

    h.say(PHRASES[language]["busy"])

    assert h.outcome == "callback"
    assert h.path == ["greeting", "end_callback"]
    assert h.said == [CALLBACK_LATER[language]]


def test_a_caller_who_refuses_twice_ends_as_a_refusal(language):
    h = reach_the_offer(language)

    h.say(PHRASES[language]["not_interested"])
    h.say(PHRASES[language]["no_thanks"])

    assert h.outcome == "refusal"
    assert h.path == UP_TO_THE_OFFER + ["obj_not_interested", "end_refusal"]


def test_a_voicemail_greeting_ends_as_an_answering_machine(language):
    h = call(language)
    h.start()

    h.say(PHRASES[language]["voicemail"])

    assert h.outcome == "answering_machine"
    assert h.path == ["greeting", "end_answering_machine"]
    assert h.said == []  # nothing personal is left on a voicemail


def test_a_caller_who_agrees_is_transferred_with_a_summary(language):
    h = reach_the_offer(language, segment="active")

    h.say(PHRASES[language]["agree"])

    assert h.outcome == "transfer"
    assert h.path == UP_TO_THE_OFFER + ["say_connect", "transfer"]
    assert isinstance(h.ending, Transfer)
    assert h.ending.target == "operators-cards"
    assert h.ending.summary == SUMMARY[language]
    assert h.said[-1].startswith(("Соединяю", "I'm connecting"))


# The other ways a call goes.


def test_a_contact_without_a_segment_gets_a_summary_without_one(language):
    h = reach_the_offer(language)

    h.say(PHRASES[language]["agree"])

    start = {"ru": "Ольга, одобренный лимит", "en": "Margaret, pre-approved limit"}
    assert h.ending.summary.startswith(start[language])


def test_a_callback_time_is_repeated_back_to_the_caller(language):
    h = reach_the_offer(language)

    h.say(PHRASES[language]["busy_at"])

    assert h.outcome == "callback"
    assert h.said == [CALLBACK_AT[language]]


def test_a_callback_without_a_time_is_promised_for_another_time(language):
    h = call(language)
    h.start()

    h.run(PHRASES[language]["mumble"], PHRASES[language]["not_now"])

    assert h.outcome == "callback"
    assert h.path == ["greeting", "amd_check", "end_callback"]
    assert h.said == [CALLBACK_SOMETIME[language]]


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("ru", "Ну, не сказать, что очень интересно"),
        ("ru", "Не думаю, что это мне интересно"),
        ("en", "I don't think I'd be interested"),
        ("en", "It's not really something I need"),
    ],
)
def test_a_refusal_around_a_negation_is_not_taken_for_agreement(language, text):
    """The matcher fuses «не» / "not" with the next word only, so "not
    something I'm interested in" reads "interested" as agreement; the
    scripts' own examples of ``not_interested`` catch these forms."""
    h = reach_the_offer(language)

    h.say(text)

    assert h.node == "obj_not_interested"


@pytest.mark.parametrize(
    ("first", "second", "objection"),
    [
        ("expensive", "already_have", "obj_expensive"),
        ("already_have", "no_thanks", "obj_already_have"),
    ],
)
def test_any_second_objection_ends_as_a_refusal(language, first, second, objection):
    h = reach_the_offer(language)

    h.say(PHRASES[language][first])
    h.say(PHRASES[language][second])

    assert h.outcome == "refusal"
    assert h.path == UP_TO_THE_OFFER + [objection, "end_refusal"]


def test_agreeing_after_an_objection_is_still_a_transfer(language):
    h = reach_the_offer(language)

    h.say(PHRASES[language]["expensive"])
    h.say(PHRASES[language]["agree"])

    assert h.outcome == "transfer"
    assert h.path[-3:] == ["obj_expensive", "say_connect", "transfer"]


def test_an_unclear_first_answer_is_checked_for_a_machine(language):
    h = call(language)
    h.start()

    h.say(PHRASES[language]["mumble"])
    assert h.node == "amd_check"
    h.say(PHRASES[language]["voicemail"])

    assert h.outcome == "answering_machine"
    assert h.path == ["greeting", "amd_check", "end_answering_machine"]


def test_a_person_who_answers_the_machine_check_goes_on_to_the_offer(language):
    h = call(language)
    h.start()

    h.run(
        PHRASES[language]["mumble"],
        PHRASES[language]["good_time"],
        PHRASES[language]["its_me"],
    )

    assert h.path == ["greeting", "amd_check", "check_person", "disclaimer", "offer"]


def test_the_wrong_person_ends_the_call(language):
    h = call(language)
    h.start()

    h.run(PHRASES[language]["hello"], PHRASES[language]["wrong_person"])

    assert h.outcome == "wrong_person"
    assert h.path == ["greeting", "check_person", "end_wrong_person"]


def test_do_not_call_ends_the_call_at_the_offer(language):
    h = reach_the_offer(language)

    h.say(PHRASES[language]["dnc"])

    assert h.outcome == "do_not_call"
    assert h.path == UP_TO_THE_OFFER + ["end_dnc"]


def test_silence_is_asked_about_once_then_ends_without_response(language):
    h = call(language)
    h.start()

    h.silence()
    assert h.node == "greeting"
    h.silence()

    assert h.outcome == "no_response"
    assert h.path == ["greeting", "end_no_response"]
    assert len(h.prompts) == 3  # the greeting, "can you hear me?", goodbye


def test_an_unclear_answer_at_the_offer_is_handed_to_a_specialist(language):
    h = reach_the_offer(language)

    h.say(PHRASES[language]["off_topic"])
    assert h.node == "offer"  # asked again first
    h.say(PHRASES[language]["off_topic"])

    assert h.outcome == "transfer"
    assert h.path[-2:] == ["say_handoff", "transfer"]


def test_an_unclear_answer_after_an_objection_ends_as_a_refusal(language):
    h = reach_the_offer(language)

    h.say(PHRASES[language]["expensive"])
    h.say(PHRASES[language]["off_topic"])
    assert h.node == "obj_expensive"  # asked again first
    h.say(PHRASES[language]["off_topic"])

    assert h.outcome == "refusal"
    assert h.path[-2:] == ["obj_expensive", "end_refusal"]


# What the robot says.


@pytest.mark.parametrize(
    ("segment", "variant"),
    [
        ("triggers", "triggers"),
        ("active", "active"),
        ("inactive", "inactive"),
        ("", "default"),
        ("vip", "default"),
    ],
)
def test_each_segment_hears_its_offer_with_name_and_limit(
    language, segment, variant, caplog
):
    name, limit = CONTACTS[language]["name"], CONTACTS[language]["limit"]

    with caplog.at_level("WARNING", logger="outcall.engine"):
        h = reach_the_offer(language, segment=segment)

    assert h.variant_choices["offer"] == variant
    offer = h.said[-1]
    assert offer.startswith(f"{name}, ")
    assert limit in offer
    assert caplog.records == []  # every template rendered


def test_callers_hear_all_four_greetings(language):
    drawn = {}
    for n in range(200):
        h = call(language, call_id=f"demo-{n}")
        h.start()
        variant = h.variant_choices["greeting"]
        drawn[variant] = drawn.get(variant, 0) + 1

    assert set(drawn) == {"a", "b", "c", "d"}
    # Variant "a" weighs 40 against 20 for each other.
    assert drawn["a"] > max(drawn["b"], drawn["c"], drawn["d"])
