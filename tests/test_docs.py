"""Generated reference documents are committed and must be current."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewer.docgen import generated_documents
from reviewer.schema import vocabulary

DOCS = Path(__file__).resolve().parent.parent / "docs"


@pytest.mark.parametrize("name", sorted(generated_documents()))
def test_generated_document_is_current(name):
    committed = (DOCS / name).read_text(encoding="utf-8")
    assert committed == generated_documents()[name], (
        f"docs/{name} is out of date: run `ctreview generate-docs` and commit the result"
    )


def test_format_doc_covers_every_component_block():
    text = generated_documents()["proposal-format.md"]
    for block in vocabulary("component", "type")[:-1]:  # every type but `other` has a block
        assert f"## components[].{block}" in text
    assert "`awareness.desired_action`" not in text  # block fields are listed in their section
    assert "| `desired_action` |" in text


def test_the_readme_findings_per_sample_table_is_current():
    """The table says what `ctreview check --no-config` finds in each sample today: a rule's
    severity or scope changing shows in it."""
    from reviewer.corpus import with_block
    from reviewer.docgen import SAMPLES_END, SAMPLES_START, findings_per_sample_table

    readme = (DOCS.parent / "README.md").read_text(encoding="utf-8")
    assert SAMPLES_START in readme and SAMPLES_END in readme
    table = findings_per_sample_table(DOCS.parent)
    assert with_block(readme, SAMPLES_START, SAMPLES_END, table) == readme, (
        "README.md's findings per sample are out of date: run `ctreview generate-docs`"
    )
    assert "| hotline-campaign-kh-th | 0 / 0 / 0 | 0 / 0 / 0 | 0 / 0 / 0 | ready, ready |" in table
