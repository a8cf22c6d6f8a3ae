from pathlib import Path

import pytest

from nlu.evaluation import Case, EvalFileError, evaluate, format_report, read_cases
from nlu.matcher import matcher_for
from nlu.normalize import normalize
from nlu.packs import BUILTIN_INTENTS, load_pack

EVAL_DIR = Path(__file__).resolve().parents[2] / "nlu" / "eval"


@pytest.mark.parametrize("language", ["ru", "en"])
def test_the_shipped_evaluation_is_held_out_from_the_pack(language):
    cases = read_cases(EVAL_DIR / f"{language}.tsv")
    pack = load_pack(language)
    examples = {normalize(e, language) for intent in pack for e in pack[intent]}

    assert len(cases) >= 120
    assert {case.expected for case in cases} == set(BUILTIN_INTENTS) | {"none"}
    assert [c.phrase for c in cases if normalize(c.phrase, language) in examples] == []


@pytest.mark.parametrize("language", ["ru", "en"])
def test_the_matcher_stays_accurate_on_the_shipped_evaluation(language):
    report = evaluate(matcher_for(language), read_cases(EVAL_DIR / f"{language}.tsv"))

    assert report.accuracy >= 0.92, format_report(report)


def test_cases_skip_blank_lines_and_comments(tmp_path):
    path = tmp_path / "cases.tsv"
    path.write_text("# a comment\n\nyes\tда\n none \t абырвалг \n", encoding="utf-8")

    assert read_cases(path) == [Case(3, "yes", "да"), Case(4, "none", "абырвалг")]


@pytest.mark.parametrize(
    "line",
    ["yes да", "yes\t", "\tда", "yes\tда\tещё"],
    ids=["no tab", "no phrase", "no intent", "two tabs"],
)
def test_a_malformed_line_is_reported_with_its_number(tmp_path, line):
    path = tmp_path / "cases.tsv"
    path.write_text(f"yes\tда\n{line}\n", encoding="utf-8")

    expected = r"cases.tsv, line 2: expected 'intent<TAB>phrase'"
    with pytest.raises(EvalFileError, match=expected):
        read_cases(path)


def test_a_missing_file_is_reported(tmp_path):
    with pytest.raises(EvalFileError, match="no such evaluation file: .*missing.tsv"):
        read_cases(tmp_path / "missing.tsv")


def test_a_file_that_is_not_utf8_is_reported(tmp_path):
    path = tmp_path / "cases.tsv"
    path.write_bytes("yes\tда\n".encode("cp1251"))

    with pytest.raises(EvalFileError, match="cannot read"):
        read_cases(path)


def test_the_report_gives_accuracy_a_confusion_table_and_the_misses():
    cases = [Case(1, "yes", "да"), Case(2, "no", "нет"), Case(3, "none", "да")]

    report = evaluate(matcher_for("ru"), cases)

    assert (report.correct, report.total) == (2, 3)
    assert format_report(report) == "\n".join(
        [
            "accuracy: 66.7% (2/3)",
            "",
            "expected \\ predicted",
            "       1   2   3",
            "no     1   .   .  (1)",
            "yes    .   1   .  (2)",
            "none   .   1   .  (3)",
            "",
            "misses:",
            "  line 3: none -> yes: да",
        ]
    )
