import pytest

from nlu.languages import UnknownLanguage
from nlu.normalize import normalize


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Да, СЛУШАЮ!", "да слушаю"),
        ("ещё всё", "еще все"),
        ("  нет...   не-а  ", "нет нет"),
        ("пять", "5"),
        ("5", "5"),
        ("после пяти", "после 5"),
        ("двадцать пять", "25"),
        ("сто двадцать пять тысяч", "125000"),
        ("150 000 рублей", "150000 рублей"),
        ("пять тридцать", "5 30"),
        ("в 5:30", "в 5 30"),
        ("два два", "2 2"),
        ("ну, щас, ээ, минутку", "сейчас минутку"),
        ("Неинтересно", "не интересно"),
        ("нету", "нет"),
        ("алё", "алло"),
    ],
)
def test_russian_text_normalises_to_plain_words_and_digits(text, expected):
    assert normalize(text, "ru") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Yes, SPEAKING.", "yes speaking"),
        ("five", "5"),
        ("after five", "after 5"),
        ("twenty five", "25"),
        ("two hundred fifty thousand", "250000"),
        ("at 5pm", "at 5 pm"),
        ("I'm not interested, don't call", "i am not interested do not call"),
        ("im not interested dont call", "i am not interested do not call"),
        ("won't can't", "will not can not"),
        ("it's John's phone", "it is johns phone"),
        ("Um, uh-huh", "mhm"),
        ("O.K., gonna", "okay going to"),
    ],
)
def test_english_text_normalises_to_plain_words_and_digits(text, expected):
    assert normalize(text, "en") == expected


def test_a_number_in_words_and_in_digits_read_the_same():
    assert normalize("перезвоните в пять", "ru") == normalize("перезвоните в 5", "ru")
    assert normalize("call me at five", "en") == normalize("call me at 5", "en")


def test_text_of_punctuation_and_hesitation_only_normalises_to_nothing():
    assert normalize("...?!", "ru") == ""
    assert normalize("эээ... ммм", "ru") == ""
    assert normalize("um, uh", "en") == ""


def test_an_unknown_language_is_refused_with_the_supported_ones():
    expected = "unknown language 'de'; use one of: ru, en"
    with pytest.raises(UnknownLanguage, match=expected):
        normalize("hallo", "de")
