"""GitHub workflow-command annotations, escaped as GitHub reads them."""

from dataclasses import replace

from report_fixtures import clean_review, context, hostile_review

from reviewer.report import render
from reviewer.report.github import escape_data, escape_property


def _lines(*reviews) -> list[str]:
    return render(
        "github", list(reviews or [hostile_review(), clean_review()]), context()
    ).splitlines()


def test_one_annotation_per_active_finding_with_the_right_command():
    lines = _lines()
    annotations = [line for line in lines if line.startswith("::")]
    commands = {"error": "::error", "warning": "::warning", "info": "::notice"}
    active = sorted(
        (f for f in hostile_review().findings if f.waiver is None), key=lambda f: (f.line, f.column)
    )
    assert [line.split(" ", 1)[0] for line in annotations] == [
        commands[f.severity] for f in active
    ]
    lines_in_order = [int(line.split(",line=", 1)[1].split(",", 1)[0]) for line in annotations]
    assert lines_in_order == sorted(lines_in_order)
    assert lines[-1] == (
        "ctreview: Not ready. Design soundness: not ready (2 errors block approval, 1 warning "
        "to address). Completeness: revise (1 gap to fill, 1 note). (1 waived)"
    )
    awr = next(line for line in lines if "AWR-002" in line)
    assert awr.startswith(
        "::error file=samples/hostile proposal.yaml,line=30,col=3,"
        "title=AWR-002 Awareness raising without a desired action::"
    )


def test_github_escaping_of_data_and_properties():
    assert escape_data("100% done\r\nnext") == "100%25 done%0D%0Anext"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    assert escape_data("\x1b[31m") == "\\x1b[31m"


def test_proposal_text_cannot_start_a_command_or_add_a_property():
    review = hostile_review()
    evil = "x\n::error file=evil.py::owned\r\n::add-mask::y"
    review = replace(
        review,
        findings=[replace(f, message=evil, file="a,b:c.yaml") for f in review.findings],
    )
    lines = _lines(review)
    assert len(lines) == 6
    assert all(line.startswith(("::error ", "::warning ", "::notice ")) for line in lines[:-1])
    assert all("x%0A::error file=evil.py::owned%0D%0A::add-mask::y" in line for line in lines[:-1])
    assert all("file=a%2Cb%3Ac.yaml," in line for line in lines[:-1])


def test_no_findings_gives_only_the_summary():
    assert _lines(clean_review()) == [
        "ctreview: Ready. Design soundness: ready (no findings). Completeness: ready (no gaps)."
    ]
