"""Accuracy of a matcher on labelled phrases, and its confusion table.

An evaluation file is UTF-8 text with one ``intent<TAB>phrase`` per line;
the intent ``none`` marks a phrase that must match no intent. Blank lines
and lines starting with ``#`` are skipped.
"""

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

NONE = "none"


class EvalFileError(ValueError):
    """An evaluation file that cannot be read or has a malformed line."""


@dataclass(frozen=True)
class Case:
    line: int
    expected: str
    phrase: str


@dataclass(frozen=True)
class Report:
    """Outcomes of one evaluation: ``(case, predicted)`` pairs in file order."""

    outcomes: tuple[tuple[Case, str], ...]

    @property
    def total(self) -> int:
        return len(self.outcomes)

    @property
    def correct(self) -> int:
        return sum(case.expected == predicted for case, predicted in self.outcomes)

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0

    @property
    def errors(self) -> list[tuple[Case, str]]:
        return [(c, p) for c, p in self.outcomes if c.expected != p]

    def confusion(self) -> Counter:
        """Counts of ``(expected, predicted)`` pairs."""
        return Counter((case.expected, predicted) for case, predicted in self.outcomes)


def read_cases(path: str | Path) -> list[Case]:
    """Read an evaluation file; ``EvalFileError`` names the first bad line."""
    try:
        # utf-8-sig: a byte-order mark that an editor put first is not part
        # of the first intent's name.
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise EvalFileError(f"no such evaluation file: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise EvalFileError(f"cannot read {path}: {exc}") from None

    cases = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        intent, tab, phrase = line.partition("\t")
        if not tab or not intent.strip() or not phrase.strip() or "\t" in phrase:
            raise EvalFileError(
                f"{path}, line {number}: expected 'intent<TAB>phrase', got {line!r}"
            )
        cases.append(Case(number, intent.strip(), phrase.strip()))
    if not cases:
        raise EvalFileError(f"{path} has no 'intent<TAB>phrase' lines")
    return cases


def check_labels(cases: list[Case], known) -> None:
    """``EvalFileError`` for the first line whose intent nobody knows: a
    typo there would silently count as a miss."""
    allowed = set(known) | {"none"}
    for case in cases:
        if case.expected not in allowed:
            raise EvalFileError(
                f"line {case.line}: unknown intent {case.expected!r} "
                f"(known: {', '.join(sorted(allowed))})"
            )


def evaluate(matcher, cases: list[Case]) -> Report:
    """Match every case's phrase with ``matcher`` (an ``IntentMatcher``)."""
    return Report(
        tuple((case, matcher.match(case.phrase).intent or NONE) for case in cases)
    )


def format_report(report: Report, labels: list[str] | None = None) -> str:
    """The accuracy, a confusion table and the misses, as plain text.

    Rows are the expected intents, columns the predicted ones, both in the
    order of ``labels`` (default: sorted, ``none`` last) and limited to those
    that occur. A dot stands for zero.
    """
    seen = {c.expected for c, _ in report.outcomes} | {p for _, p in report.outcomes}
    if labels is None:
        labels = sorted(seen - {NONE}) + [NONE]
    labels = [label for label in labels if label in seen]
    labels += sorted(seen - set(labels))
    confusion = report.confusion()

    lines = [f"accuracy: {report.accuracy:.1%} ({report.correct}/{report.total})", ""]
    width = max(len(label) for label in labels)
    lines.append("expected \\ predicted")
    lines.append(" " * width + "".join(f" {i:>3}" for i in range(1, len(labels) + 1)))
    for row, expected in enumerate(labels, start=1):
        cells = "".join(
            f" {confusion[expected, predicted] or '.':>3}" for predicted in labels
        )
        lines.append(f"{expected:<{width}}{cells}  ({row})")

    if report.errors:
        lines += ["", "misses:"]
        for case, predicted in report.errors:
            lines.append(
                f"  line {case.line}: {case.expected} -> {predicted}: {case.phrase}"
            )
    return "\n".join(lines)
