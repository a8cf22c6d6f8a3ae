"""Intent matching: which intent, if any, a caller's utterance expresses.

How a score is made. The utterance and every example are normalised
(``nlu.normalize``) and turned into the matcher's words (``nlu.words``:
times read ``@time``, negated words ``!word``).

Each word weighs more the fewer intents use it (an inverse document
frequency over intents); a word no example uses weighs ``UNKNOWN_WEIGHT``.
An utterance word stands for the known words that look like its forms
(a long common beginning, so «настоящая» counts for «настоящий»), and, when
the examples never use it, for any known word of the same polarity and
first letter that rapidfuzz finds at least ``WORD_CUTOFF`` similar, for
transcription slips.

An example scores the larger of two readings of the weighted overlap:

- the Dice coefficient of its words and the utterance's. Words of the
  utterance that only this intent uses, found in its other examples, count
  at a discount (``OWN_WORDS_CREDIT``), so «да, верно» scores as ``yes``
  though no example says both;
- containment, for phrases that say enough (``CONTAINED_WORDS`` words and
  ``CONTAINED_WEIGHT`` in weight): how much of the example the utterance
  contains, or of the utterance the example contains, checked with
  rapidfuzz's ``partial_ratio`` so that the words also stand together. The
  less of the other side is covered, the lower the score, the less so the
  longer the phrase; left-over words that only other intents use lower it
  further (``FOREIGN_PENALTY``). This is what lets a long voicemail greeting,
  whole or cut short by the transcript, match the sentence it shares with
  an example, while a short answer such as «нет» is never found inside a
  longer utterance.

An utterance that says no («нет», "no") and negates no word shares only
``NO_AGAINST_YES`` of its overlap with the examples of ``yes`` that do
neither: "no, absolutely no" is not ``yes``, «нет, не занят» still is.

An intent scores its best example. The winner needs a score of at least
``threshold`` and a lead of at least ``margin`` over the runner-up;
otherwise nothing matches. A bare ``yes`` or ``no`` within the margin of a
more specific intent that reaches the threshold gives way to it.
"""

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz import fuzz, process

from nlu.languages import require_language
from nlu.normalize import normalize
from nlu.packs import load_pack
from nlu.slots import extract_when
from nlu.words import NEGATED, bucket, matcher_words, opposites, same_stem

YES = "yes"
ANSWERING_MACHINE = "answering_machine"
# Bare answers: a more specific intent close to one of them wins over it.
GENERIC_INTENTS = ("yes", "no")

DEFAULT_THRESHOLD = 0.6
DEFAULT_MARGIN = 0.08

UNKNOWN_WEIGHT = 1.0
NO_WORDS = {"ru": frozenset({"нет"}), "en": frozenset({"no"})}
NO_AGAINST_YES = 0.5
# Shorter words stand only for themselves (a known word one letter shorter
# may still be the stem of a longer one: «бот», «ботом»).
FUZZY_MIN_LENGTH = 4
WORD_CUTOFF = 78  # rapidfuzz ratio for an unknown word to stand for a known one
STEM_CUTOFF = 65  # the least ratio of two forms of one word
OWN_WORDS_CREDIT = 0.6
KEY_SHARE = 0.25  # a common word finds the examples it weighs this share of
CONTAINED_WORDS = 3
CONTAINED_WEIGHT = 1.5  # in weights of a word that one intent alone uses
CONTAINED_COVER = 0.6  # the least share of the shorter side found in the longer
FOREIGN_PENALTY = 1.0


class InvalidIntents(ValueError):
    """Script intents that are not a dict of ids to lists of example phrases."""


@dataclass(frozen=True)
class Match:
    """The outcome of matching one utterance.

    ``intent`` is the matched intent id, or ``None`` for no match.
    ``confidence`` is the winner's score (0..1); on no match it is the score
    of the nearest allowed intent, and ``runner_up`` names that intent, so
    that logs show how near the miss was. On a match ``runner_up`` is the
    second-best intent. ``slots`` holds ``when`` (the time asked for, in the
    caller's words) for a ``busy_callback`` that named one; else it is empty.
    """

    intent: str | None
    confidence: float
    slots: dict = field(default_factory=dict)
    runner_up: str | None = None


class IntentMatcher:
    """Matches utterances of one language against built-in and script intents.

    ``extra_intents`` maps intent ids to example phrases; an id of a built-in
    intent adds its examples to that intent, an intent with no examples is
    known but never matches. Construction does all the preparation; the
    matcher is read-only afterwards (but for a bounded cache of word
    look-ups) and may be shared between threads. ``matcher_for`` returns a
    cached one.
    """

    def __init__(
        self,
        language: str,
        extra_intents: Mapping[str, Iterable[str]] | None = None,
        *,
        threshold: float = DEFAULT_THRESHOLD,
        margin: float = DEFAULT_MARGIN,
    ):
        require_language(language)
        if not 0.0 <= threshold <= 1.0 or not 0.0 <= margin <= 1.0:
            raise ValueError(
                f"threshold and margin are scores between 0 and 1, "
                f"got threshold={threshold!r}, margin={margin!r}"
            )
        self.language = language
        self.threshold = threshold
        self.margin = margin

        examples = dict(_builtin_examples(language))
        for intent, phrases in _frozen_intents(extra_intents):
            words = (matcher_words(normalize(p, language), language) for p in phrases)
            examples[intent] = examples.get(intent, ()) + tuple(w for w in words if w)
        self._intents = tuple(examples)
        self._generic = frozenset(self._intents.index(i) for i in GENERIC_INTENTS)
        self._index(examples)
        self._word_cache: dict[str, tuple[tuple[str, float], ...]] = {}

    @property
    def intents(self) -> tuple[str, ...]:
        """Every intent id this matcher knows, built-in ones first."""
        return self._intents

    def _index(self, examples: dict[str, tuple[tuple[str, ...], ...]]):
        users: dict[str, set[int]] = {}
        for i, intent in enumerate(self._intents):
            for words in examples[intent]:
                for word in words:
                    users.setdefault(word, set()).add(i)
        count = len(self._intents)
        self._weight = {w: math.log((count + 1) / len(u)) for w, u in users.items()}
        # Words that more than a third of the intents use.
        self._common = frozenset(w for w, u in users.items() if 3 * len(u) > count)
        # The intent that alone uses a word, else -1.
        self._owner = {w: min(u) if len(u) == 1 else -1 for w, u in users.items()}
        self._contained_weight = CONTAINED_WEIGHT * math.log(count + 1)

        self._example_intent: list[int] = []
        self._example_text: list[str] = []
        self._example_word_set: list[frozenset[str]] = []
        self._example_weight: list[float] = []
        self._example_contained: list[bool] = []
        postings: dict[str, list[int]] = {}
        for i, intent in enumerate(self._intents):
            for words in dict.fromkeys(examples[intent]):
                number = len(self._example_intent)
                total = sum(self._weight[w] for w in words)
                self._example_intent.append(i)
                self._example_text.append(" ".join(words))
                self._example_word_set.append(frozenset(words))
                self._example_weight.append(total)
                self._example_contained.append(
                    len(words) >= CONTAINED_WORDS and total >= self._contained_weight
                )
                for word in words:
                    postings.setdefault(word, []).append(number)
        self._postings = {word: tuple(numbers) for word, numbers in postings.items()}
        self._key_postings = {
            word: tuple(
                number
                for number in postings[word]
                if self._weight[word] >= KEY_SHARE * self._example_weight[number]
            )
            for word in self._common
        }

        # Examples of yes that neither say no nor negate a word: an utterance
        # that says no and negates nothing is kept from them. («Нет, не
        # занят» negates a word, and still reads as yes.)
        no = NO_WORDS[self.language]
        yes = self._intents.index("yes")
        self._plain_yes = frozenset(
            number
            for number, words in enumerate(self._example_word_set)
            if self._example_intent[number] == yes
            and not words & no
            and not any(word.startswith(NEGATED) for word in words)
        )

        # Words a yes may negate («нет, не занят», "not at all busy"); an
        # utterance that negates any other word is never read as yes.
        self._yes_negated = frozenset(
            word
            for number, words in enumerate(self._example_word_set)
            if self._example_intent[number] == yes
            for word in words
            if word.startswith(NEGATED)
        )

        self._neighbours: dict[str, list[str]] = {}
        for word in self._weight:
            if len(word.lstrip(NEGATED)) >= FUZZY_MIN_LENGTH - 1:
                self._neighbours.setdefault(bucket(word), []).append(word)

    def match(self, text: str, candidates: Iterable[str] | None = None) -> Match:
        """Match ``text``, an utterance as transcribed, to one intent or none.

        ``candidates`` limits the intents that may win to those ids (ids not
        known are ignored); ``answering_machine`` may always win. Intents
        outside ``candidates`` still count as rivals, so a phrase that
        plainly means something the caller was not asked gives no match
        rather than the nearest intent that was listened for.

        A bare yes or no close to a more specific intent gives way to it:
        «нет, мне это совсем не интересно» is ``not_interested``, «да, но я
        занят» is ``busy_callback``.
        """
        scores = self.scores(text)
        order = sorted(range(len(scores)), key=scores.__getitem__, reverse=True)
        if candidates is None:
            allowed = order
        else:
            wanted = set(candidates)
            wanted.add(ANSWERING_MACHINE)
            allowed = [i for i in order if self._intents[i] in wanted]
        if not allowed or scores[allowed[0]] == 0.0:
            return Match(None, 0.0, {})

        best = allowed[0]
        generic = self._generic
        if best in generic:
            for other in allowed[1:]:
                if scores[best] - scores[other] >= self.margin:
                    break
                if other not in generic and scores[other] >= self.threshold:
                    best = other
                    break
        rival = self._rival(best, order, scores)
        lead = scores[best] - scores[rival]
        confidence = round(scores[best], 3)
        if scores[best] < self.threshold or lead < self.margin:
            return Match(None, confidence, {}, self._intents[best])

        intent = self._intents[best]
        if intent == YES and self._negates_beyond_yes(text):
            # «Это не то, что мне интересно», "that's not something I'm
            # interested in": the negation reaches further than the fused
            # word, and a wrong yes transfers a caller who refused.
            return Match(None, confidence, {}, intent)
        runner_up = next((i for i in order if i != best), best)
        runner_up = self._intents[runner_up] if scores[runner_up] > 0.0 else None
        slots = {}
        if intent == "busy_callback":
            when = extract_when(text, self.language)
            if when:
                slots["when"] = when
        return Match(intent, confidence, slots, runner_up)

    def _negates_beyond_yes(self, text: str) -> bool:
        words = matcher_words(normalize(text, self.language), self.language)
        return any(
            word.startswith(NEGATED)
            and not any(same_stem(word, known, self.language) for known in self._yes_negated)
            for word in words
        )

    def _rival(self, best: int, order: list[int], scores: list[float]) -> int:
        """The intent ``best`` must lead by the margin: the next best, passing
        over a bare yes or no that is close to a specific ``best``."""
        generic = self._generic
        for other in order:
            if other == best:
                continue
            if best in generic or other not in generic:
                return other
            if scores[other] >= scores[best] + self.margin:
                return other
        return best

    def scores(self, text: str) -> list[float]:
        """The score (0..1) of every intent for ``text``, in ``intents`` order."""
        best = [0.0] * len(self._intents)
        intent_of = self._example_intent
        for number, score in self._score(text).items():
            intent = intent_of[number]
            if score > best[intent]:
                best[intent] = score
        return best

    def explain(self, text: str, limit: int = 3) -> list[tuple[str, float, str]]:
        """The ``limit`` best intents for ``text``: id, score and why.

        For tuning packs and reading evaluation misses. The reason is the best
        example in the matcher's words (normalised, ``@time``, ``!negated``).
        """
        best: dict[int, tuple[float, str]] = {}
        for number, score in self._score(text).items():
            intent = self._example_intent[number]
            if score > best.get(intent, (0.0, ""))[0]:
                best[intent] = score, self._example_text[number]
        ranked = sorted(best.items(), key=lambda item: item[1][0], reverse=True)
        return [
            (self._intents[i], round(score, 3), why)
            for i, (score, why) in ranked[:limit]
        ]

    def _score(self, text: str) -> dict[int, float]:
        """Scores of the examples sharing a word with ``text``, by number."""
        words = matcher_words(normalize(text, self.language), self.language)
        overlap = _Overlap()
        for word in words:
            self._add_word(overlap, word)
        if not overlap.weight:
            return {}
        self._add_common_words(overlap)

        intent_of = self._example_intent
        weight_of = self._example_weight
        contained = self._example_contained
        utterance_weight = overlap.weight
        own = overlap.own
        all_own = sum(own.values())
        long_utterance = (
            len(words) >= CONTAINED_WORDS and utterance_weight >= self._contained_weight
        )
        max_weight = self._contained_weight / CONTAINED_WEIGHT
        says_plain_no = NO_WORDS[self.language].intersection(words) and not any(
            word.startswith(NEGATED) for word in words
        )
        plain_yes = self._plain_yes if says_plain_no else ()
        utterance = None
        scores = {}
        for number, shared in overlap.shared.items():
            if number in plain_yes:
                shared *= NO_AGAINST_YES
            example_weight = weight_of[number]
            mine = own.get(intent_of[number], 0.0) if own else 0.0
            extra = 0.0
            if mine:
                elsewhere = mine - overlap.shared_own.get(number, 0.0)
                if elsewhere > 0.0:
                    extra = OWN_WORDS_CREDIT * elsewhere
            score = 2 * (shared + extra) / (utterance_weight + example_weight + extra)

            if contained[number] or long_utterance:
                cover = shared / example_weight
                left = (shared + extra) / utterance_weight
                if cover >= left:
                    big, small, size = cover, left, example_weight
                    eligible = contained[number]
                else:
                    big, small, size = left, cover, utterance_weight
                    eligible = long_utterance
                if eligible and big >= CONTAINED_COVER:
                    base = min(0.9, 0.5 + 0.1 * size / max_weight)
                    inside = big * (base + (1 - base) * small)
                    foreign = (all_own - mine) / utterance_weight
                    inside *= 1.0 - FOREIGN_PENALTY * foreign
                    if inside > score:
                        # The shared words must also stand together.
                        utterance = utterance or " ".join(words)
                        example = self._example_text[number]
                        inside *= fuzz.partial_ratio(example, utterance) / 100.0
                        score = max(score, inside)
            scores[number] = min(score, 1.0)
        return scores

    def _add_word(self, overlap: "_Overlap", word: str) -> None:
        """Add one utterance word to ``overlap``: to the utterance's weight,
        and, unless most intents use it, to every example it occurs in."""
        known = self._known(word)
        if not known:
            overlap.weight += UNKNOWN_WEIGHT
            return
        weight, owner, postings = self._weight, self._owner, self._postings
        top, similarity = known[0]
        overlap.weight += weight[top] * similarity
        if owner[top] >= 0:
            own = overlap.own
            own[owner[top]] = own.get(owner[top], 0.0) + weight[top] * similarity
        if top in self._common:
            overlap.common.append(known)
            return

        shared, shared_own = overlap.shared, overlap.shared_own
        if len(known) == 1:
            share = weight[top] * similarity
            for number in postings[top]:
                shared[number] = shared.get(number, 0.0) + share
            if owner[top] >= 0:
                for number in postings[top]:
                    shared_own[number] = shared_own.get(number, 0.0) + share
            return
        # One utterance word counts once per example, for its best form.
        best: dict[int, tuple[float, bool]] = {}
        for form, similarity in known:
            share = weight[form] * similarity
            exclusive = owner[form] >= 0
            for number in postings[form]:
                if share > best.get(number, (0.0, False))[0]:
                    best[number] = share, exclusive
        for number, (share, exclusive) in best.items():
            shared[number] = shared.get(number, 0.0) + share
            if exclusive:
                shared_own[number] = shared_own.get(number, 0.0) + share

    def _add_common_words(self, overlap: "_Overlap") -> None:
        """Add the words most intents use to the examples found so far, and
        to the examples they make up a good part of. Looking them up in every
        example they occur in would be most of the work of a match, for
        examples that cannot score much."""
        if not overlap.common:
            return
        shared = overlap.shared
        for known in overlap.common:
            for form, _ in known:
                for number in self._key_postings.get(form, ()):
                    shared.setdefault(number, 0.0)
        weight, words_of = self._weight, self._example_word_set
        for number in shared:
            example_words = words_of[number]
            for known in overlap.common:
                for form, similarity in known:
                    if form in example_words:
                        shared[number] += weight[form] * similarity
                        break

    def _known(self, word: str) -> tuple[tuple[str, float], ...]:
        """Known words that ``word`` stands for, with their similarity, best first."""
        try:
            return self._word_cache[word]
        except KeyError:
            pass
        is_known = word in self._weight
        known = [(word, 1.0)] if is_known else []
        neighbours = self._neighbours.get(bucket(word))
        if neighbours and len(word.lstrip(NEGATED)) >= FUZZY_MIN_LENGTH:
            similar = process.extract(
                word,
                neighbours,
                scorer=fuzz.ratio,
                score_cutoff=STEM_CUTOFF,
                limit=None,
            )
            for form, ratio, _ in similar:
                if form == word or opposites(word, form):
                    continue
                if same_stem(word, form, self.language) or (
                    not is_known and ratio >= WORD_CUTOFF
                ):
                    known.append((form, ratio / 100.0))
        known.sort(key=lambda item: item[1], reverse=True)
        if len(self._word_cache) >= 50_000:
            self._word_cache.clear()
        self._word_cache[word] = known = tuple(known)
        return known


class _Overlap:
    """What one utterance shares with the examples, gathered word by word."""

    __slots__ = ("weight", "own", "shared", "shared_own", "common")

    def __init__(self):
        self.weight = 0.0  # of the utterance's words
        self.own: dict[int, float] = {}  # intent -> weight of words only it uses
        self.shared: dict[int, float] = {}  # example -> weight it shares
        self.shared_own: dict[int, float] = {}  # the part only its intent uses
        self.common: list[tuple[tuple[str, float], ...]] = []  # words, as known


def matcher_for(
    language: str, extra_intents: Mapping[str, Iterable[str]] | None = None
) -> IntentMatcher:
    """A shared matcher for ``language`` and these script intents.

    Matchers are cached per language and content of ``extra_intents``, so
    every call of one script version reuses one matcher.
    """
    return _cached_matcher(language, _frozen_intents(extra_intents))


@lru_cache(maxsize=256)
def _cached_matcher(language: str, frozen: tuple) -> IntentMatcher:
    return IntentMatcher(language, dict(frozen))


def _frozen_intents(extra_intents) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """``extra_intents`` checked and made hashable, in their given order."""
    if extra_intents is None:
        return ()
    if not isinstance(extra_intents, Mapping):
        raise InvalidIntents(
            f"script intents must be a dict of intent ids to example lists, "
            f"got {type(extra_intents).__name__}"
        )
    frozen = []
    for intent, phrases in extra_intents.items():
        if not isinstance(intent, str) or not intent.strip():
            raise InvalidIntents(f"an intent id must be a non-empty string: {intent!r}")
        if isinstance(phrases, str) or not isinstance(phrases, Iterable):
            raise InvalidIntents(
                f"examples of intent {intent!r} must be a list of phrases"
            )
        phrases = tuple(phrases)
        if not all(isinstance(phrase, str) for phrase in phrases):
            raise InvalidIntents(f"examples of intent {intent!r} must be strings")
        frozen.append((intent, phrases))
    return tuple(frozen)


@lru_cache(maxsize=None)
def _builtin_examples(language: str) -> tuple[tuple[str, tuple], ...]:
    """The built-in pack of ``language`` in the matcher's words, per intent."""
    def words(phrase):
        return matcher_words(normalize(phrase, language), language)

    pack = load_pack(language)
    return tuple((intent, tuple(map(words, pack[intent]))) for intent in pack)
