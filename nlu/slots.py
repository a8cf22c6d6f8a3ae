"""Time expressions in an utterance: «завтра после пяти», "in an hour".

A time expression is a run of words built around anchors (day names, parts
of the day, "later", hours as numbers from 2 to 24) and joined by small
linking words («после», «в», «через», "after", "at", "in a couple of") and
other numbers («через 30 минут»). Linking words count only when an anchor
follows them, so «перезвоните мне в» has none.

The matcher uses ``time_spans`` on normalised words to read every time
expression as one token, and ``extract_when`` on the caller's own words to
fill the ``when`` slot of ``busy_callback`` with the time as it was said.
"""

import re

from nlu.languages import require_language
from nlu.normalize import NUMBER_WORDS, number_value

_ANCHORS = {
    "ru": frozenset(
        """
        завтра послезавтра сегодня сегодняшний вечером вечерком вечера вечер
        вечеру утром утречком утра утро утру днем дня день деньков денька дней
        ночью обеда обед обеду обедом выходных выходные выходным неделе неделю
        недели недельку месяц месяца месяце позже попозже позднее потом скоро
        понедельник понедельника понедельнику вторник вторника вторнику среду
        среда среды четверг четверга четвергу пятницу пятница пятницы субботу
        суббота субботы воскресенье воскресенья час часа часов часик часика
        часиков часок полчаса полчасика минут минуты минуток минуточек числа
        числе январе феврале марте апреле мае июне июле августе сентябре
        октябре ноябре декабре
        """.split()
    ),
    "en": frozenset(
        """
        tomorrow today tonight morning mornings afternoon evening evenings night
        noon midday lunch lunchtime later weekend week weeks month day days
        monday tuesday wednesday thursday friday saturday sunday mondays
        tuesdays wednesdays thursdays fridays hour hours minutes oclock soon
        january february march april june july august september october
        november december
        """.split()
    ),
}

# Linking words: taken inside a time expression or just before its first
# anchor, never at its end.
_LINKS = {
    "ru": frozenset(
        """
        после в во через до к ко на около ближе где то где-то примерно часам
        и или с со по между следующей следующий следующую следующем этой этот
        эту этом другой другое другую другом половине начале конце середине
        пол часу пару пара несколько первой второй
        """.split()
    ),
    "en": frozenset(
        """
        after before at in on around about by until till next this the a an
        or and of couple few half past quarter from to another other end
        beginning start middle early late
        """.split()
    ),
}

# "am"/"pm" are anchors only right after a number: "5 pm", not "I am".
_AFTER_NUMBER = {"ru": frozenset(), "en": frozenset({"am", "pm"})}

# A part of the day after these is a greeting: «добрый день», "good evening".
_GREETINGS = frozenset({"добрый", "доброе", "доброй", "good"})
_NEGATIONS = frozenset({"не", "not"})

# Words as spoken, and the punctuation marks that end a time expression.
_SPOKEN_WORD = re.compile(r"\d+(?:[:.]\d+)*|[^\W\d_]+(?:['’-][^\W\d_]+)*|[,;.!?]")


_KEY = str.maketrans({"ё": "е", "'": None, "’": None})


def _number(word: str, language: str) -> int | None:
    """The value of a number, or of the hour of "17:00"; ``None`` for a word."""
    if word[:1].isdigit():
        return int(word.replace(".", ":").split(":", 1)[0])
    return number_value(word, language)


def _is_hour(word: str, language: str) -> bool:
    # "one" reads as "one moment" or "no one" far more often than a time, and
    # a number above 24 is an amount; both may still stand inside a time
    # («в 1 час», «через 30 минут»).
    value = _number(word, language)
    return value is not None and 2 <= value <= 24


def time_spans(words: list[str], language: str) -> list[tuple[int, int]]:
    """Return ``(start, end)`` of each time expression in ``words``.

    ``words`` are lower-case words, normalised or as spoken; a punctuation
    mark among them ends an expression. The spans do not overlap and come
    in order.
    """
    keys = [word.translate(_KEY) for word in words]
    anchors, links = _ANCHORS[language], _LINKS[language]
    if (
        anchors.isdisjoint(keys)
        and NUMBER_WORDS[language].keys().isdisjoint(keys)
        and not any(key[:1].isdigit() for key in keys)
    ):
        return []
    after_number = _AFTER_NUMBER[language]
    is_anchor = []
    for i, key in enumerate(keys):
        if i and keys[i - 1] in _GREETINGS:
            is_anchor.append(False)
        elif key in after_number:
            is_anchor.append(i > 0 and _number(keys[i - 1], language) is not None)
        else:
            is_anchor.append(key in anchors or _is_hour(key, language))
    if not any(is_anchor):
        return []
    is_link = [
        key in links or _number(key, language) is not None for key in keys
    ]

    spans = []
    i, n = 0, len(keys)
    while i < n:
        if not is_anchor[i]:
            i += 1
            continue
        start = i
        floor = spans[-1][1] if spans else 0
        while start > floor and is_link[start - 1]:
            start -= 1
        end = i + 1
        while True:
            j = end
            while j < n and is_link[j] and not is_anchor[j]:
                j += 1
            if j < n and is_anchor[j]:
                end = j + 1
            else:
                break
        spans.append((start, end))
        i = end
    return spans


def extract_when(text: str, language: str) -> str | None:
    """The time a caller asked for, in their own words, or ``None``.

    Of several time expressions the longest wins, and of equals the last,
    leaving out one the caller negated: «сегодня не могу, давайте завтра
    после пяти» and «не сегодня, завтра» give «завтра после пяти» and
    «завтра». The words come back lower-case, without punctuation.
    """
    require_language(language)
    words = _SPOKEN_WORD.findall(text.lower())
    spans = []
    for start, end in time_spans(words, language):
        negated = start > 0 and words[start - 1].translate(_KEY) in _NEGATIONS
        if spans and not spans[-1][2] and words[spans[-1][1] : start] == [","]:
            # «завтра, часов в шесть» is one time.
            spans[-1] = (spans[-1][0], end, negated)
        else:
            spans.append((start, end, negated))
    if not spans:
        return None
    asserted = [span for span in spans if not span[2]] or spans
    start, end, _ = max(asserted, key=lambda span: (span[1] - span[0], span[0]))
    return " ".join(word for word in words[start:end] if word != ",")
