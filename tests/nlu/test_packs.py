import pytest

from nlu.languages import UnknownLanguage
from nlu.matcher import matcher_for
from nlu.normalize import normalize
from nlu.packs import BUILTIN_INTENTS, load_pack
from nlu.words import matcher_words


def test_the_built_in_intents_are_the_fifteen_of_outbound_calls():
    assert BUILTIN_INTENTS == (
        "yes",
        "no",
        "who_is_calling",
        "is_robot",
        "busy_callback",
        "not_interested",
        "already_have",
        "expensive",
        "think_about_it",
        "operator",
        "wrong_person",
        "repeat",
        "hold_on",
        "do_not_call",
        "answering_machine",
    )


@pytest.mark.parametrize("language", ["ru", "en"])
def test_a_pack_has_every_built_in_intent_with_many_examples(language):
    pack = load_pack(language)

    assert tuple(pack) == BUILTIN_INTENTS
    for intent, examples in pack.items():
        assert 25 <= len(examples) <= 60, intent
        assert all(isinstance(e, str) and e.strip() for e in examples), intent


@pytest.mark.parametrize("language", ["ru", "en"])
def test_no_two_intents_share_an_example(language):
    seen = {}
    for intent, examples in load_pack(language).items():
        for example in examples:
            words = matcher_words(normalize(example, language), language)
            assert seen.setdefault(words, intent) == intent, example


@pytest.mark.parametrize("language", ["ru", "en"])
def test_every_example_matches_its_own_intent(language):
    matcher = matcher_for(language)
    for intent, examples in load_pack(language).items():
        for example in examples:
            assert matcher.match(example).intent == intent, example


def test_a_loaded_pack_is_a_copy_the_caller_may_change():
    load_pack("ru")["yes"].append("поехали")

    assert "поехали" not in load_pack("ru")["yes"]


def test_a_pack_of_an_unknown_language_is_a_value_error():
    with pytest.raises(ValueError, match="unknown language 'fr'"):
        load_pack("fr")
    assert issubclass(UnknownLanguage, ValueError)
