import pytest

from nlu.slots import extract_when


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Перезвоните завтра после пяти", "завтра после пяти"),
        ("перезвоните через 2 часа", "через 2 часа"),
        ("давайте через пару часов", "через пару часов"),
        ("на следующей неделе во вторник", "на следующей неделе во вторник"),
        ("перезвоните после 17:00.", "после 17:00"),
        ("завтра, часов в шесть", "завтра часов в шесть"),
        ("часов в шесть вечера", "часов в шесть вечера"),
        ("сегодня не могу, давайте завтра после обеда", "завтра после обеда"),
        ("не сегодня, завтра", "завтра"),
        ("добрый день, я занят, перезвоните вечером", "вечером"),
        ("я занят, перезвоните позже", "позже"),
    ],
)
def test_the_russian_time_asked_for_comes_back_in_the_callers_words(text, expected):
    assert extract_when(text, "ru") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("call me back tomorrow after five", "tomorrow after five"),
        ("Can you call me in a couple of hours?", "in a couple of hours"),
        ("call back at 5 pm", "at 5 pm"),
        ("the day after tomorrow", "the day after tomorrow"),
        ("No, not today. Tomorrow morning, please", "tomorrow morning"),
        ("good evening, I'm busy, call me later", "later"),
    ],
)
def test_the_english_time_asked_for_comes_back_in_the_callers_words(text, expected):
    assert extract_when(text, "en") == expected


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("я занят", "ru"),
        ("перезвоните мне в", "ru"),
        ("одну минутку", "ru"),
        ("I am busy", "en"),
        ("no one is available", "en"),
    ],
)
def test_an_utterance_without_a_time_has_none(text, language):
    assert extract_when(text, language) is None
