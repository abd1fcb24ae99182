"""The HTML report: the Markdown report rendered into one self-contained, printable page.

Safety does not rest on the Markdown escaping alone: markdown-it runs with raw HTML off, only
in-page links (``#anchor``) are accepted, and no image, script or external resource is ever
written. Anchors and severity badges come from markers only this module's Markdown contains.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline

from reviewer.inert import one_line
from reviewer.report import ReportContext
from reviewer.report.markdown import Marks, build_markdown
from reviewer.review import Review

HTML_MARKS = Marks(anchor_format="{{#{}}}", badge_format="{{!{severity}}}")
_MARKER = re.compile(r"\{([#!])([a-z0-9-]+)\}")
_ANCHOR = re.compile(r"#[a-z0-9-]+\Z")

_CSS = """
:root { --error: #b42318; --warning: #9a5b00; --info: #175cd3; --rule: #d0d5dd; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: #101828; background: #fff; overflow-wrap: break-word; }
main { max-width: 52rem; margin: 0 auto; padding: 2rem 1.25rem 4rem; }
@media (max-width: 40rem) { main { padding: 1rem .75rem 2rem; } }
h1 { font-size: 1.75rem; margin: 0 0 .25rem; }
h2 { font-size: 1.4rem; margin-top: 2.5rem; padding-top: 1rem; border-top: 2px solid #101828; }
h3 { font-size: 1.15rem; margin-top: 2rem; border-bottom: 1px solid var(--rule); }
h4 { font-size: 1.05rem; margin: 1.75rem 0 .5rem; }
h5 { font-size: .95rem; margin: 1.5rem 0 .25rem; color: #344054; }
h6 { font-size: 1rem; margin: 1.25rem 0 .5rem; padding-top: .75rem;
  border-top: 1px solid var(--rule); }
table { border-collapse: collapse; margin: .5rem 0; max-width: 100%; }
th, td { border: 1px solid var(--rule); padding: .25rem .75rem; text-align: left;
  overflow-wrap: anywhere; }
th { background: #f2f4f7; }
a { color: #175cd3; }
li { margin: .2rem 0; }
.badge { display: inline-block; min-width: 4.5rem; padding: 0 .4rem; margin-right: .35rem;
  border-radius: .25rem; color: #fff; font-size: .8rem; text-align: center;
  text-transform: uppercase; letter-spacing: .03em; vertical-align: middle; }
.badge-error { background: var(--error); }
.badge-warning { background: var(--warning); }
.badge-info { background: var(--info); }
:target { scroll-margin-top: 1rem; }
li:target, h4:has(:target), h6:has(:target) { background: #fffbe6; }
@page { margin: 16mm 14mm; }
@media print {
  body { font-size: 10pt; line-height: 1.4; }
  main { max-width: none; padding: 0; }
  a { color: inherit; text-decoration: none; }
  h2 { break-before: page; }
  h2:first-of-type, h2:has(#not-judged) { break-before: auto; }
  h3, h4, h5, h6 { break-after: avoid; }
  li, tr { break-inside: avoid; }
  .badge { border: 1px solid #000; color: #000; background: none !important; }
}
""".strip()


def render_html(reviews: Sequence[Review], ctx: ReportContext) -> str:
    # The only raw zero-width space is the one the Markdown puts after an `@` (proposal text
    # has every invisible character escaped): written as an entity, the page stays visible text.
    body = _markdown_it().render(build_markdown(reviews, ctx, HTML_MARKS))
    body = body.replace("\u200b", "&#8203;")
    titles = [one_line(r.metadata.get("title") or r.file) for r in reviews]
    title = "Design review: " + ("; ".join(titles) if titles else "no proposal")
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        # A second line of defence behind escaping: the page may load and run nothing.
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'\">\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta name="generator" content="ctreview {html.escape(one_line(ctx.tool_version))}">\n'
        f"<title>{html.escape(title)}</title>\n<style>\n{_CSS}\n</style>\n</head>\n"
        f"<body>\n<main>\n{body}</main>\n</body>\n</html>\n"
    )


def _markdown_it() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    md.validateLink = _in_page_link  # type: ignore[method-assign]
    md.inline.ruler.before("escape", "ctreview_marker", _marker)
    md.add_render_rule("ctreview_anchor", _render_anchor)
    md.add_render_rule("ctreview_badge", _render_badge)
    return md


def _in_page_link(url: str) -> bool:
    """The report links only within itself: any other destination stays plain text."""
    return bool(_ANCHOR.match(url))


def _marker(state: StateInline, silent: bool) -> bool:
    match = _MARKER.match(state.src, state.pos)
    if not match:
        return False
    if not silent:
        kind = "ctreview_anchor" if match.group(1) == "#" else "ctreview_badge"
        state.push(kind, "", 0).meta = {"value": match.group(2)}
    state.pos = match.end()
    return True


def _render_anchor(self, tokens, idx, options, env) -> str:
    return f'<a id="{html.escape(tokens[idx].meta["value"])}"></a>'


def _render_badge(self, tokens, idx, options, env) -> str:
    severity = html.escape(tokens[idx].meta["value"])
    return f'<span class="badge badge-{severity}">{severity}</span>'
