"""HTML report: a self-contained page where proposal text can only ever be text."""

from hypothesis import given, settings
from hypothesis import strategies as st
from report_fixtures import (
    HOSTILE_TITLE,
    NASTY,
    Page,
    assert_inert_html,
    clean_review,
    context,
    hostile_review,
    with_text,
)

from reviewer.report import render
from reviewer.report.html import _markdown_it
from reviewer.review import Review


def _page(*reviews: Review) -> Page:
    page = Page()
    page.feed(render("html", list(reviews), context()))
    page.close()
    return page


def test_hostile_proposal_text_is_shown_as_text_never_as_markup():
    page = _page(hostile_review(), clean_review())
    assert_inert_html(page)
    text = "".join(page.text)
    assert "<script>alert(1)</script>" in text
    assert '<img src=x onerror="alert(1)">' in text
    assert "[click me](javascript:alert(1))" in text
    assert "\\x1b[31mred" in text and "\x1b" not in text


def test_in_page_links_resolve_and_ids_are_unique():
    page = _page(hostile_review(), clean_review())
    ids = [attrs["id"] for _, attrs in page.tags if "id" in attrs]
    hrefs = [str(attrs["href"])[1:] for _, attrs in page.tags if "href" in attrs]
    assert len(ids) == len(set(ids))
    assert hrefs and set(hrefs) <= set(ids)
    assert {"p1-f3", "p1-g1", "p1-r1", "p1-q-icat-3-q2", "p1-w1", "p1-verdict"} <= set(ids)


def test_page_is_self_contained_and_printable():
    html = render("html", [hostile_review()], context())
    assert html.startswith("<!DOCTYPE html>")
    assert "@media print" in html
    assert "<title>Design review: Safe | Line # Injected heading" in html
    assert HOSTILE_TITLE.splitlines()[0] in html
    assert html.count('class="badge badge-error"') == 2
    assert (
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'\">"
    ) in html


def test_page_carries_the_full_report():
    text = "".join(_page(hostile_review()).text)
    for part in (
        "Questions to revisit",
        "Waived findings",
        "Funder review board",
        "Notices",
        "What this review cannot judge",
        "How to fix.",
        "IND-3-10",
    ):
        assert part in text


def test_known_markdown_constructs_and_html_stay_text():
    for nasty in [*NASTY, "<script>x</script>", '<a href="javascript:x">a</a>', "[a](data:x)"]:
        assert_inert_html(_page(with_text(hostile_review(), nasty)))


@settings(max_examples=40, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("<>\"'=/ab:[]()!#javascript{}&;\\\n")), max_size=40))
def test_any_text_stays_inert(text):
    assert_inert_html(_page(with_text(hostile_review(), text)))


def test_the_renderer_itself_refuses_html_and_links_out_of_the_page():
    html = _markdown_it().render(
        "[a](https://x.example) [b](javascript:alert(1)) [c](data:text/html,x) "
        "![i](https://x.example/i.png) <script>x</script> [ok](#p1-f1)\n\n<div onclick=x>\n"
    )
    page = Page()
    page.feed(html)
    assert page.tags == [("p", {}), ("a", {"href": "#p1-f1"}), ("p", {})]
    assert "<script>x</script>" in "".join(page.text)
