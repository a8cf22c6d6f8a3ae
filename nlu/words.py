"""The words the matcher compares, made from normalised text.

Two rewrites carry meaning that plain words lose:

- a time expression («завтра после пяти», "in an hour") becomes the single
  word ``@time``, so «перезвоните в четверг» is as close to «перезвоните
  завтра» as to itself;
- a negated word is fused with its negation: «не интересно» reads
  ``!интересно`` and "not interested" ``!interested``, which share nothing
  with ``интересно`` and ``interested``. Adverbs in between stay aside
  («не очень удобно» reads ``очень !удобно``), the polite «не могли бы вы»
  negates nothing, and a «не» that negates no word is the answer «нет».
"""

from functools import lru_cache

from nlu.slots import time_spans

TIME_WORD = "@time"
NEGATED = "!"

_NEGATORS = {"ru": frozenset({"не"}), "en": frozenset({"not", "never"})}
# Words that may stand between a negation and the word it negates.
_NEGATION_GAP = {
    "ru": frozenset(
        "очень особо совсем так слишком сильно особенно вообще уж же то".split()
    ),
    "en": frozenset(
        """
        really very so too that quite at all even exactly currently right a an
        the be been being actually particularly
        """.split()
    ),
}
_ANSWER_NO = {"ru": {"не": "нет"}, "en": {}}
_POLITE = ("мог", "може")  # «не могли бы вы», «не можете ли»
_POLITE_NEXT = (["бы"], ["ли"])

# Two words are forms of one word when they begin alike for at least
# (letters, all but this many letters of the shorter).
_STEM = {"ru": (3, 2), "en": (4, 2)}
_OPPOSITE_PREFIXES = ("не", "un")


@lru_cache(maxsize=16384)
def matcher_words(normalised: str, language: str) -> tuple[str, ...]:
    """The matcher's words for ``normalised`` text, each once, in order."""
    words = normalised.split()
    for start, end in reversed(time_spans(words, language)):
        words[start:end] = [TIME_WORD]

    negators, gap = _NEGATORS[language], _NEGATION_GAP[language]
    answer_no = _ANSWER_NO[language]
    fused = []
    i, n = 0, len(words)
    while i < n:
        word = words[i]
        if word in negators:
            j = i + 1
            while j < n and words[j] in gap:
                j += 1
            if j < n and words[j] not in negators:
                polite = words[j].startswith(_POLITE)
                if polite and words[j + 1 : j + 2] in _POLITE_NEXT:
                    i += 1
                    continue
                fused.extend(words[i + 1 : j])
                fused.append(NEGATED + words[j])
                i = j + 1
                continue
            word = answer_no.get(word, word)
        fused.append(word)
        i += 1
    return tuple(dict.fromkeys(fused))


def bucket(word: str) -> str:
    """Words that may stand for each other share polarity and first letter."""
    return word[:2] if word.startswith(NEGATED) else word[:1]


def same_stem(a: str, b: str, language: str) -> bool:
    """Whether two words look like forms of one: «настоящий», «настоящая»."""
    a, b = a.lstrip(NEGATED), b.lstrip(NEGATED)
    common = 0
    for x, y in zip(a, b):
        if x != y:
            break
        common += 1
    least, ending = _STEM[language]
    return common >= max(least, min(len(a), len(b)) - ending)


def opposites(a: str, b: str) -> bool:
    """«удобно» and «неудобно», "interested" and "uninterested": near, yet opposite."""
    a, b = a.lstrip(NEGATED), b.lstrip(NEGATED)
    return any(a == p + b or b == p + a for p in _OPPOSITE_PREFIXES)
