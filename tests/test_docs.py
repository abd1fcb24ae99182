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
