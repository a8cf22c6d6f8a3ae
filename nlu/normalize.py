"""Normalisation of utterances and pack examples.

``normalize`` maps the many ways a transcript can spell one answer to one
string, so that the matcher compares words rather than spellings. Both the
examples of the packs and the caller's utterances go through it, so every
rule here only has to be consistent, not linguistically complete:

- lower case, ``ё`` read as ``е``;
- punctuation, dashes and apostrophes become spaces (English contractions
  are expanded first: ``don't`` -> ``do not``, ``I'm`` -> ``i am``, also
  when the transcript dropped the apostrophe: ``dont``, ``im``);
- numbers written in words become digits: ``пять``, ``пяти`` and ``5``
  all read ``5``; ``двадцать пять`` and ``twenty five`` read ``25``;
  ``150 000`` reads ``150000``;
- colloquial and transcription variants become the common spelling
  (``щас`` -> ``сейчас``, ``неинтересно`` -> ``не интересно``,
  ``gonna`` -> ``going to``, ``uh-huh`` -> ``mhm``);
- hesitation sounds (``ээ``, ``ммм``, ``ну``, ``um``, ``uh``) are dropped.
"""

import re
from functools import lru_cache

from nlu.languages import require_language

# Words that carry only hesitation. "ну" is one too: «ну да» answers like
# «да», «ну не знаю» like «не знаю».
_FILLERS = {
    "ru": re.compile(r"(?:э+м*|м{2,}|хм+|ну+|а{2,}|ой+)"),
    "en": re.compile(r"(?:u+m+|u+h+|u+h+m+|e+r+m*|h+m+|m{2,}|a{2,}h*)"),
}
_FILLER_START = {"ru": frozenset("эмхнао"), "en": frozenset("uehma")}

# One-word variants (after lower-casing and ё -> е), mapped to the spelling
# the packs use. A value with a space expands to several words.
_WORD_VARIANTS = {
    "ru": {
        "щас": "сейчас",
        "ща": "сейчас",
        "счас": "сейчас",
        "щаз": "сейчас",
        "че": "что",
        "чо": "что",
        "шо": "что",
        "што": "что",
        "чаво": "что",
        "тока": "только",
        "ваще": "вообще",
        "вапще": "вообще",
        "ниче": "ничего",
        "неа": "нет",
        "нету": "нет",
        "але": "алло",
        "алле": "алло",
        "ало": "алло",
        "пожалуста": "пожалуйста",
        "пжлст": "пожалуйста",
        "пасиб": "спасибо",
        "спс": "спасибо",
        "седня": "сегодня",
        "сегодни": "сегодня",
        "седьня": "сегодня",
        "завтро": "завтра",
        "окей": "ок",
        "оке": "ок",
        "окэй": "ок",
        "ладненько": "ладно",
        # Negations a transcript often writes as one word.
        "неинтересно": "не интересно",
        "неинтересна": "не интересна",
        "неинтересен": "не интересен",
        "неинтересует": "не интересует",
        "неудобно": "не удобно",
        "ненужно": "не нужно",
        "ненужна": "не нужна",
        "ненужен": "не нужен",
        "ненадо": "не надо",
        "неактуально": "не актуально",
        "нехочу": "не хочу",
        "незнаю": "не знаю",
        "немогу": "не могу",
        "несмогу": "не смогу",
        "незанят": "не занят",
        "незанята": "не занята",
        "незвоните": "не звоните",
    },
    "en": {
        "im": "i am",
        "ive": "i have",
        "id": "i would",
        "ill": "i will",
        "youre": "you are",
        "theyre": "they are",
        "thats": "that is",
        "whats": "what is",
        "whos": "who is",
        "its": "it is",
        "theres": "there is",
        "dont": "do not",
        "doesnt": "does not",
        "didnt": "did not",
        "isnt": "is not",
        "arent": "are not",
        "wasnt": "was not",
        "werent": "were not",
        "cant": "can not",
        "cannot": "can not",
        "wont": "will not",
        "couldnt": "could not",
        "wouldnt": "would not",
        "shouldnt": "should not",
        "havent": "have not",
        "hasnt": "has not",
        "aint": "is not",
        "gonna": "going to",
        "wanna": "want to",
        "gotta": "got to",
        "kinda": "kind of",
        "lemme": "let me",
        "gimme": "give me",
        "ok": "okay",
        "k": "okay",
        "alright": "all right",
        "yea": "yeah",
        "nope": "no",
        "nah": "no",
        "mhmm": "mhm",
        "mmhmm": "mhm",
        "uninterested": "not interested",
        "disinterested": "not interested",
        "voicemail": "voice mail",
        "answerphone": "answering machine",
    },
}

# Rewrites that need the punctuation still in place or span several words,
# as one pattern per language and the replacement of each match.
_EN_IS = "it|that|what|who|there|here|he|she|where|how|this"
_PHRASES = {
    # «нет проблем» and "no problem" agree: read as «хорошо» and "okay",
    # their «нет» and "no" would otherwise count as a refusal.
    "ru": (
        re.compile(r"\bне-а\b|\bм-м(?:-м)?\b|\b(?:нет|без) проблем\b"),
        {"нет проблем": " хорошо ", "без проблем": " хорошо "},
    ),
    "en": (
        re.compile(
            r"\b(?:uh-huh|uh huh|um-hum|mm-hmm|mm hmm|m-hm|mm-hm)\b"
            r"|\bo\.k\.?(?=\W|$)"
            r"|\bno problems?\b"
            r"|\b(?:won't|can't|ain't|shan't)\b"
            rf"|\b(?:{_EN_IS})'s\b"
            r"|n't\b|'(?:m|re|ve|ll|d|s)\b"
        ),
        {
            "no problem": " okay ",
            "no problems": " okay ",
            "won't": "will not",
            "can't": "can not",
            "ain't": "is not",
            "shan't": "shall not",
            "n't": " not",
            "'m": " am",
            "'re": " are",
            "'ve": " have",
            "'ll": " will",
            "'d": " would",
            "'s": "s",  # possessive: "john's" reads "johns"
        },
    ),
}


def _phrase_replacement(language: str):
    replacements = _PHRASES[language][1]

    def replace(match: re.Match) -> str:
        found = match.group()
        if found in replacements:
            return replacements[found]
        if found.endswith("'s"):
            return found[:-2] + " is"
        if found.startswith("o."):
            return " okay "
        if language == "ru":
            return " нет "
        return " mhm "

    return replace


_PHRASE_REPLACE = {language: _phrase_replacement(language) for language in _PHRASES}

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "ʼ": "'"})
_NOT_WORD = re.compile(r"[\W_]+")
_DIGITS_OR_LETTERS = re.compile(r"\d+|\D+")


# Number words: value and kind. Kinds say how words combine: "unit" 0-9,
# "teen" 10-19, "tens" 20-90, "hundreds" 100-900, "hundred" (English,
# multiplies the unit before it) and "mult" (thousand, million).
def _ru_numbers() -> dict[str, tuple[int, str]]:
    words = {}

    def add(value, kind, *forms):
        for form in forms:
            words[form] = (value, kind)

    add(0, "unit", "ноль", "нуль", "ноля", "нуля")
    add(1, "unit", "один", "одна", "одно", "одного", "одной", "одному", "одним")
    add(1, "unit", "одну", "одном")
    add(2, "unit", "два", "две", "двух", "двум", "двумя")
    add(3, "unit", "три", "трех", "трем", "тремя")
    add(4, "unit", "четыре", "четырех", "четырем", "четырьмя")
    add(5, "unit", "пять", "пяти", "пятью")
    add(6, "unit", "шесть", "шести", "шестью")
    # "семью" is also "family" (accusative), so it stays a word.
    add(7, "unit", "семь", "семи")
    add(8, "unit", "восемь", "восьми", "восемью", "восьмью")
    add(9, "unit", "девять", "девяти", "девятью")
    teens = [
        "десят", "одиннадцат", "двенадцат", "тринадцат", "четырнадцат",
        "пятнадцат", "шестнадцат", "семнадцат", "восемнадцат", "девятнадцат",
    ]  # fmt: skip
    for value, stem in enumerate(teens, start=10):
        add(value, "teen", stem + "ь", stem + "и", stem + "ью")
    add(20, "tens", "двадцать", "двадцати", "двадцатью")
    add(30, "tens", "тридцать", "тридцати", "тридцатью")
    add(40, "tens", "сорок", "сорока")
    add(50, "tens", "пятьдесят", "пятидесяти")
    add(60, "tens", "шестьдесят", "шестидесяти")
    add(70, "tens", "семьдесят", "семидесяти")
    add(80, "tens", "восемьдесят", "восьмидесяти")
    add(90, "tens", "девяносто", "девяноста")
    add(100, "hundreds", "сто", "ста")
    add(200, "hundreds", "двести", "двухсот")
    add(300, "hundreds", "триста", "трехсот")
    add(400, "hundreds", "четыреста", "четырехсот")
    add(500, "hundreds", "пятьсот", "пятисот")
    add(600, "hundreds", "шестьсот", "шестисот")
    add(700, "hundreds", "семьсот", "семисот")
    add(800, "hundreds", "восемьсот", "восьмисот")
    add(900, "hundreds", "девятьсот", "девятисот")
    add(1000, "mult", "тысяча", "тысячи", "тысяч", "тысячу", "тысячей", "тыща")
    add(1000, "mult", "тыщи", "тыщ", "тыщу")
    add(1_000_000, "mult", "миллион", "миллиона", "миллионов")
    return words


def _en_numbers() -> dict[str, tuple[int, str]]:
    units = "zero one two three four five six seven eight nine".split()
    teens = (
        "ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen"
        " nineteen"
    ).split()
    tens = "twenty thirty forty fifty sixty seventy eighty ninety".split()
    words = {word: (value, "unit") for value, word in enumerate(units)}
    words.update({word: (value, "teen") for value, word in enumerate(teens, 10)})
    words.update({word: (20 + 10 * i, "tens") for i, word in enumerate(tens)})
    words["hundred"] = (100, "hundred")
    words["thousand"] = (1000, "mult")
    words["million"] = (1_000_000, "mult")
    return words


NUMBER_WORDS = {"ru": _ru_numbers(), "en": _en_numbers()}


def number_value(token: str, language: str) -> int | None:
    """The value of a number word or a run of digits, else ``None``."""
    if token.isdigit():
        return int(token)
    entry = NUMBER_WORDS[language].get(token)
    return entry[0] if entry else None


class _Number:
    """A number being read from consecutive words, e.g. «сто двадцать пять»."""

    def __init__(self):
        self.total = 0  # the part already closed by a multiplier
        self.group = 0  # the part below the last multiplier
        self.last = None  # kind of the last word taken

    def take(self, token: str, value: int, kind: str) -> bool:
        """Extend the number with one word; ``False`` if it cannot extend it."""
        last, group = self.last, self.group
        if kind == "digits":
            # "150 000": a group of three digits after a short digit run.
            fits = last is None or (
                last == "digits" and len(token) == 3 and 0 < group < 1000
            )
            if fits:
                self.group = group * 1000 + value if last else value
        elif kind == "mult":
            fits = last != "mult"
            if fits:
                self.total += (group or 1) * value
                self.group = 0
        elif kind == "hundred":
            # "five hundred", also "twenty five hundred" (2500)
            fits = last is None or (last in ("unit", "teen", "tens") and group < 100)
            if fits:
                self.group = (group or 1) * 100
        elif kind == "hundreds":
            fits = last is None or last == "mult"
            if fits:
                self.group = value
        elif kind in ("tens", "teen"):
            fits = last in (None, "mult", "hundreds", "hundred")
            if fits:
                self.group = group + value
        else:  # a unit
            fits = last in (None, "mult", "hundreds", "hundred", "tens")
            if fits:
                self.group = group + value
        if fits:
            self.last = kind
        return fits

    def __str__(self):
        return str(self.total + self.group)


def _numbers_to_digits(tokens: list[str], language: str) -> list[str]:
    words = NUMBER_WORDS[language]
    out = []
    number = None
    for token in tokens:
        if token.isdigit():
            entry = (int(token), "digits")
        else:
            entry = words.get(token)
        if entry is None:
            if number is not None:
                out.append(str(number))
                number = None
            out.append(token)
            continue
        if number is not None and not number.take(token, *entry):
            out.append(str(number))
            number = None
        if number is None:
            number = _Number()
            number.take(token, *entry)
    if number is not None:
        out.append(str(number))
    return out


def normalize(text: str, language: str) -> str:
    """Return ``text`` normalised for matching in ``language``.

    The result is lower-case words separated by single spaces, possibly
    empty. Raises ``UnknownLanguage`` for a language with no rules.
    """
    require_language(language)
    return _normalize(text, language)


@lru_cache(maxsize=8192)
def _normalize(text: str, language: str) -> str:
    text = text.lower().replace("ё", "е").translate(_APOSTROPHES)
    text = _PHRASES[language][0].sub(_PHRASE_REPLACE[language], text)
    text = _NOT_WORD.sub(" ", text)

    variants = _WORD_VARIANTS[language]
    filler, filler_start = _FILLERS[language].fullmatch, _FILLER_START[language]
    tokens = []
    for token in text.split():
        if not token.isalpha() and not token.isdigit():
            tokens.extend(_DIGITS_OR_LETTERS.findall(token))  # "5pm": "5", "pm"
            continue
        token = variants.get(token, token)
        if " " in token:
            tokens.extend(token.split())
        elif token[0] not in filler_start or not filler(token):
            tokens.append(token)
    return " ".join(_numbers_to_digits(tokens, language))
