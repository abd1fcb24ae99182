"""What every format promises: registered, deterministic, and fine with no input."""

import pytest
from report_fixtures import clean_review, context, hostile_review

from reviewer.report import RENDERERS, render

FORMATS = ["text", "markdown", "html", "json", "sarif", "junit", "github", "gitlab"]


def test_every_format_is_registered():
    assert sorted(RENDERERS) == sorted(FORMATS)


@pytest.mark.parametrize("fmt", FORMATS)
def test_two_renders_of_the_same_input_are_byte_identical(fmt):
    first = render(fmt, [hostile_review(), clean_review()], context())
    second = render(fmt, [hostile_review(), clean_review()], context())
    assert first.encode() == second.encode()
    assert first.endswith("\n")


@pytest.mark.parametrize("fmt", FORMATS)
def test_findings_given_in_any_order_render_the_same(fmt):
    review = hostile_review()
    shuffled = hostile_review()
    shuffled.findings.reverse()
    assert render(fmt, [review], context()) == render(fmt, [shuffled], context())


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_reviews_and_no_knowledge_still_render(fmt):
    assert render(fmt, [], context())
    assert render(fmt, [hostile_review()], context(knowledge=None))
