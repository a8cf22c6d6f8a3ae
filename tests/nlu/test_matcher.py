import pytest

from nlu.languages import UnknownLanguage
from nlu.matcher import (
    DEFAULT_THRESHOLD,
    IntentMatcher,
    InvalidIntents,
    Match,
    matcher_for,
)
from nlu.normalize import normalize
from nlu.packs import BUILTIN_INTENTS, load_pack

# One phrase per intent and language, none of them an example of a pack.
RUSSIAN = [
    ("yes", "да-да, я слушаю вас"),
    ("no", "нет-нет, что вы"),
    ("who_is_calling", "простите, кто мне звонит?"),
    ("is_robot", "вы что, робот?"),
    ("busy_callback", "сейчас я занята, наберите вечером"),
    ("not_interested", "спасибо, мне такое не интересно"),
    ("already_have", "у меня уже есть ваша кредитка"),
    ("expensive", "проценты у вас слишком высокие"),
    ("think_about_it", "надо подумать, я перезвоню"),
    ("operator", "переключите меня на оператора, пожалуйста"),
    ("wrong_person", "вы, наверное, ошиблись номером"),
    ("repeat", "повторите, пожалуйста, не расслышал"),
    ("hold_on", "подождите минуточку, сейчас"),
    ("do_not_call", "не звоните мне больше, пожалуйста"),
    (
        "answering_machine",
        "Здравствуйте, вы позвонили Ольге, оставьте сообщение после сигнала",
    ),
]
ENGLISH = [
    ("yes", "yeah, sure, I'm listening"),
    ("no", "no, no thanks"),
    ("who_is_calling", "sorry, who's calling me?"),
    ("is_robot", "hold on, am I talking to a robot?"),
    ("busy_callback", "I'm busy at the moment, call me back tomorrow"),
    ("not_interested", "thanks, but I'm not interested"),
    ("already_have", "I already have a card with you guys"),
    ("expensive", "your interest rate is too high"),
    ("think_about_it", "I need to think this over"),
    ("operator", "can I speak to a human please"),
    ("wrong_person", "sorry, you've got the wrong number"),
    ("repeat", "could you repeat that please"),
    ("hold_on", "one moment please, hold on"),
    ("do_not_call", "stop calling me, seriously"),
    (
        "answering_machine",
        "Hi, this is Mark, I can't take your call, please leave your message "
        "after the tone",
    ),
]


@pytest.fixture(scope="module")
def ru():
    return matcher_for("ru")


@pytest.fixture(scope="module")
def en():
    return matcher_for("en")


def _not_in_pack(language, phrase):
    pack = load_pack(language)
    examples = {normalize(e, language) for intent in pack for e in pack[intent]}
    return normalize(phrase, language) not in examples


def test_the_phrases_below_cover_every_built_in_intent_and_are_not_pack_examples():
    assert [intent for intent, _ in RUSSIAN] == list(BUILTIN_INTENTS)
    assert [intent for intent, _ in ENGLISH] == list(BUILTIN_INTENTS)
    assert all(_not_in_pack("ru", phrase) for _, phrase in RUSSIAN)
    assert all(_not_in_pack("en", phrase) for _, phrase in ENGLISH)


@pytest.mark.parametrize(("intent", "phrase"), RUSSIAN)
def test_a_russian_phrase_outside_the_pack_matches_its_intent(ru, intent, phrase):
    match = ru.match(phrase)

    assert match.intent == intent
    assert DEFAULT_THRESHOLD <= match.confidence <= 1.0


@pytest.mark.parametrize(("intent", "phrase"), ENGLISH)
def test_an_english_phrase_outside_the_pack_matches_its_intent(en, intent, phrase):
    match = en.match(phrase)

    assert match.intent == intent
    assert DEFAULT_THRESHOLD <= match.confidence <= 1.0


def test_an_exact_example_matches_with_full_confidence(ru):
    assert ru.match("Да!") == Match("yes", 1.0, {}, "no")


@pytest.mark.parametrize(
    ("language", "phrase", "intent"),
    [
        ("ru", "интересно", "yes"),
        ("ru", "не интересно", "not_interested"),
        ("ru", "мне это не особо интересно", "not_interested"),
        ("ru", "это я", "yes"),
        ("ru", "не я", "wrong_person"),
        ("ru", "удобно", "yes"),
        ("ru", "неудобно", "busy_callback"),
        ("ru", "не звоните", "do_not_call"),
        ("ru", "нет, не занят", "yes"),
        ("ru", "да нет, я не занята", "yes"),
        ("ru", "не, не надо", "not_interested"),
        ("en", "I'm interested", "yes"),
        ("en", "not interested", "not_interested"),
        ("en", "I'm not really interested", "not_interested"),
        ("en", "no, I'm not busy", "yes"),
        ("en", "not busy", "yes"),
        ("en", "I can talk now", "yes"),
        ("en", "I can't talk right now", "busy_callback"),
    ],
)
def test_a_negation_turns_a_phrase_into_another_intent(language, phrase, intent):
    assert matcher_for(language).match(phrase).intent == intent


@pytest.mark.parametrize(
    ("language", "phrase"),
    [("ru", "нет, не занят"), ("ru", "не занята я"), ("en", "no, I'm not busy")],
)
def test_not_busy_is_never_a_refusal(language, phrase):
    match = matcher_for(language).match(phrase)

    assert match.intent not in {"busy_callback", "not_interested", "no"}


@pytest.mark.parametrize(
    ("language", "phrase", "intent"),
    [
        ("ru", "нет, мне это совсем не интересно", "not_interested"),
        ("ru", "да, но я сейчас занят", "busy_callback"),
        ("en", "no, I'll pass", "not_interested"),
    ],
)
def test_a_reason_wins_over_the_bare_yes_or_no_before_it(language, phrase, intent):
    assert matcher_for(language).match(phrase).intent == intent


@pytest.mark.parametrize(
    ("language", "phrase"),
    [("en", "no, absolutely no"), ("en", "no, sure"), ("ru", "нет, правильно")],
)
def test_a_no_that_negates_nothing_never_reads_as_yes(language, phrase):
    assert matcher_for(language).match(phrase).intent != "yes"


def test_the_polite_negation_of_a_request_negates_nothing(ru):
    match = ru.match("не могли бы вы перезвонить завтра")

    assert match.intent == "busy_callback"
    assert match.slots == {"when": "завтра"}


@pytest.mark.parametrize(
    ("language", "phrase", "when"),
    [
        ("ru", "Перезвоните завтра после пяти", "завтра после пяти"),
        ("ru", "я на работе, наберите мне через пару часов", "через пару часов"),
        ("ru", "занят, давайте в понедельник в 10", "в понедельник в 10"),
        ("en", "call me back tomorrow after five", "tomorrow after five"),
        ("en", "I'm driving, call me in an hour", "in an hour"),
    ],
)
def test_a_callback_request_carries_the_time_asked_for(language, phrase, when):
    match = matcher_for(language).match(phrase)

    assert match.intent == "busy_callback"
    assert match.slots == {"when": when}


def test_a_callback_request_without_a_time_has_no_slots(ru):
    match = ru.match("я сейчас занят")

    assert match.intent == "busy_callback"
    assert match.slots == {}


def test_only_a_callback_request_has_slots(ru):
    assert ru.match("завтра подумаю").slots == {}


@pytest.mark.parametrize(
    ("language", "phrase"),
    [
        ("ru", ""),
        ("ru", "..."),
        ("ru", "абырвалг"),
        ("ru", "синий трактор едет по полю"),
        ("en", "qwzx vbnm"),
        ("en", "the blue tractor is coming"),
    ],
)
def test_gibberish_matches_nothing(language, phrase):
    match = matcher_for(language).match(phrase)

    assert match.intent is None
    assert match.confidence < DEFAULT_THRESHOLD
    assert match.slots == {}


def test_an_unknown_word_has_no_score_at_all(ru):
    assert ru.match("абырвалг") == Match(None, 0.0, {}, None)


def test_a_phrase_of_two_intents_alike_matches_neither(ru):
    match = ru.match("кто это, робот?")

    assert match.intent is None
    assert match.confidence >= DEFAULT_THRESHOLD  # refused for its margin
    assert match.runner_up == "who_is_calling"


def test_without_a_margin_the_best_of_two_intents_alike_wins():
    assert IntentMatcher("ru", margin=0.0).match("кто это, робот?").intent == (
        "who_is_calling"
    )


def test_a_higher_threshold_refuses_a_loose_match():
    loose = "перезвоните"

    assert IntentMatcher("ru").match(loose).intent == "busy_callback"
    strict = IntentMatcher("ru", threshold=0.95).match(loose)
    assert strict.intent is None
    assert strict.runner_up == "busy_callback"
    assert 0.6 < strict.confidence < 0.95


@pytest.mark.parametrize(
    "settings", [{"threshold": 1.5}, {"threshold": -0.1}, {"margin": 2.0}]
)
def test_a_threshold_or_margin_outside_zero_to_one_is_refused(settings):
    with pytest.raises(ValueError, match="scores between 0 and 1"):
        IntentMatcher("ru", **settings)


def test_candidates_limit_the_intents_that_may_win(ru):
    assert ru.match("да", candidates=["yes", "no"]).intent == "yes"
    assert ru.match("нет", candidates=["yes", "no"]).intent == "no"


def test_a_phrase_plainly_of_another_intent_than_the_candidates_matches_nothing(ru):
    match = ru.match("да", candidates=["no", "operator"])

    assert match.intent is None


def test_an_answering_machine_wins_whatever_the_candidates(ru):
    match = ru.match("абонент не отвечает", candidates=["yes", "no"])

    assert match.intent == "answering_machine"


def test_unknown_candidates_are_ignored(ru):
    assert ru.match("да", candidates=["yes", "card_question"]).intent == "yes"


@pytest.mark.parametrize(
    ("language", "greeting"),
    [
        (
            "ru",
            "здравствуйте вы позвонили ивану петровичу я сейчас не могу ответить "
            "оставьте пожалуйста сообщение после сигнала и я вам обязательно",
        ),
        ("ru", "в данный момент никто не может принять ваш"),
        ("ru", "Представьтесь, пожалуйста."),
        ("ru", "Набранный вами номер отключён"),
        (
            "en",
            "hey this is dave from accounting i'm either away from my desk or on "
            "another call please leave your message after the tone and i'll get",
        ),
        ("en", "nobody is available to take your"),
        (
            "en",
            "Hi, the person you're calling is using a screening service from Google. "
            "Please state your name and the reason for your call.",
        ),
    ],
)
def test_a_long_or_cut_voicemail_greeting_is_an_answering_machine(language, greeting):
    assert matcher_for(language).match(greeting).intent == "answering_machine"


@pytest.mark.parametrize(
    ("language", "answer", "intent"),
    [
        ("ru", "нет", "no"),
        ("ru", "да, слушаю", "yes"),
        ("ru", "а кто это?", "who_is_calling"),
        ("en", "no", "no"),
        ("en", "yes, speaking", "yes"),
    ],
)
def test_a_short_human_answer_is_not_taken_for_a_machine(language, answer, intent):
    assert matcher_for(language).match(answer).intent == intent


def test_a_script_intent_matches_its_own_phrasings():
    matcher = IntentMatcher("ru", {"card_question": ["а какая карта", "что за карта"]})

    assert matcher.intents == BUILTIN_INTENTS + ("card_question",)
    assert matcher.match("а что за карта у вас?").intent == "card_question"
    assert matcher.match("да, слушаю").intent == "yes"


def test_a_script_intent_with_a_built_in_id_adds_examples_to_it():
    assert IntentMatcher("ru").match("поехали").intent is None

    matcher = IntentMatcher("ru", {"yes": ["поехали", "погнали"]})

    assert matcher.intents == BUILTIN_INTENTS
    assert matcher.match("поехали").intent == "yes"
    assert matcher.match("да").intent == "yes"


def test_a_script_intent_without_examples_is_known_but_never_matches():
    matcher = IntentMatcher("en", {"card_question": []})

    assert "card_question" in matcher.intents
    assert matcher.match("card question").intent is None


@pytest.mark.parametrize(
    ("intents", "message"),
    [
        (["yes"], "must be a dict of intent ids to example lists, got list"),
        ({"": ["да"]}, "an intent id must be a non-empty string: ''"),
        ({"card": "какая карта"}, "examples of intent 'card' must be a list"),
        ({"card": ["какая", 5]}, "examples of intent 'card' must be strings"),
    ],
)
def test_malformed_script_intents_are_refused(intents, message):
    with pytest.raises(InvalidIntents, match=message):
        IntentMatcher("ru", intents)


def test_an_unknown_language_is_refused():
    with pytest.raises(UnknownLanguage):
        IntentMatcher("de")


def test_matchers_are_shared_per_language_and_script_intents():
    intents = {"card_question": ["а какая карта"]}

    assert matcher_for("ru") is matcher_for("ru")
    assert matcher_for("ru", intents) is matcher_for("ru", dict(intents))
    assert matcher_for("ru", intents) is not matcher_for("ru")
    assert matcher_for("en") is not matcher_for("ru")


def test_explain_names_the_nearest_intents_and_their_examples(ru):
    assert ru.explain("мне не интересно", limit=1) == [
        ("not_interested", 1.0, "мне !интересно")
    ]


@pytest.mark.parametrize(
    ("language", "phrase"),
    [
        ("en", "Thanks, but that's not something I'm interested in"),
        ("ru", "Это не то, что мне интересно"),
        ("ru", "Ну не сказать, чтобы интересно"),
    ],
)
def test_a_negation_reaching_past_its_word_is_never_a_yes(language, phrase):
    from nlu.matcher import IntentMatcher

    match = IntentMatcher(language).match(phrase)

    assert match.intent is None
    assert match.runner_up == "yes"


@pytest.mark.parametrize(
    ("language", "phrase"),
    [("ru", "нет, не занят"), ("ru", "ну я не против"), ("en", "no, I'm not busy")],
)
def test_a_negation_that_a_yes_itself_says_is_still_yes(language, phrase):
    from nlu.matcher import IntentMatcher

    assert IntentMatcher(language).match(phrase).intent == "yes"


@pytest.mark.parametrize(
    ("language", "phrase", "intent"),
    [
        ("en", "no problem", "yes"),
        ("en", "yeah, no problem", "yes"),
        ("ru", "без проблем", "yes"),
        ("ru", "Нет проблем", "yes"),
    ],
)
def test_no_problem_agrees(language, phrase, intent):
    from nlu.matcher import IntentMatcher

    assert IntentMatcher(language).match(phrase).intent == intent


def test_no_problem_at_all_is_never_a_refusal():
    from nlu.matcher import IntentMatcher

    assert IntentMatcher("en").match("no problem at all").intent in (None, "yes")
