"""HTML report: a self-contained page where proposal text can only ever be text."""

from html.parser import HTMLParser

from hypothesis import given, settings
from hypothesis import strategies as st
from report_fixtures import HOSTILE_TITLE, NASTY, clean_review, context, hostile_review, with_text

from reviewer.report import render
from reviewer.report.html import _markdown_it
from reviewer.review import Review

# Attributes that fetch or run something, wherever they appear.
_LOADING = {"src", "srcset", "data", "action", "formaction", "poster", "background", "xlink:href"}


class _Page(HTMLParser):
    """Collects every start tag with its attributes, and the text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.style = ""
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_style = tag == "style"

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.style += data
        else:
            self.text.append(data)


def _page(*reviews: Review) -> _Page:
    page = _Page()
    page.feed(render("html", list(reviews), context()))
    page.close()
    return page


def _assert_inert(page: _Page) -> None:
    names = [tag for tag, _ in page.tags]
    for forbidden in ("script", "img", "iframe", "object", "embed", "link", "form", "base", "svg"):
        assert forbidden not in names
    assert names.count("style") == 1 and names.count("meta") == 3
    for tag, attrs in page.tags:
        assert not [name for name in attrs if name.startswith("on")], tag
        assert not set(attrs) & _LOADING, tag
        assert "style" not in attrs, tag
        if "href" in attrs:
            assert str(attrs["href"]).startswith("#"), attrs
    assert "url(" not in page.style and "@import" not in page.style


def test_hostile_proposal_text_is_shown_as_text_never_as_markup():
    page = _page(hostile_review(), clean_review())
    _assert_inert(page)
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
    assert {"p1-f3", "p1-q-icat-3-q2", "p1-w1"} <= set(ids)


def test_page_is_self_contained_and_printable():
    html = render("html", [hostile_review()], context())
    assert html.startswith("<!DOCTYPE html>")
    assert "@media print" in html
    assert "<title>Design review: Safe | Line # Injected heading" in html
    assert HOSTILE_TITLE.splitlines()[0] in html
    assert html.count('class="badge badge-error"') == 2


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
        _assert_inert(_page(with_text(hostile_review(), nasty)))


@settings(max_examples=40, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("<>\"'=/ab:[]()!#javascript{}&;\\\n")), max_size=40))
def test_any_text_stays_inert(text):
    _assert_inert(_page(with_text(hostile_review(), text)))


def test_the_renderer_itself_refuses_html_and_links_out_of_the_page():
    html = _markdown_it().render(
        "[a](https://x.example) [b](javascript:alert(1)) [c](data:text/html,x) "
        "![i](https://x.example/i.png) <script>x</script> [ok](#p1-f1)\n\n<div onclick=x>\n"
    )
    page = _Page()
    page.feed(html)
    assert page.tags == [("p", {}), ("a", {"href": "#p1-f1"}), ("p", {})]
    assert "<script>x</script>" in "".join(page.text)
