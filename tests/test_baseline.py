"""Baselines: recording findings, reading the file back, leaving recorded findings out."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from ci_helpers import make_finding, make_review, make_waiver
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewer.baseline import (
    BASELINE_VERSION,
    BaselineError,
    Entry,
    apply_baseline,
    baseline_json,
    entries_for,
    fingerprint,
    load_baseline,
)


def record(tmp_path, *reviews):
    path = tmp_path / "ctreview-baseline.json"
    path.write_text(baseline_json(entries_for(reviews, tmp_path)), encoding="utf-8")
    return load_baseline(path)


def test_baseline_file_is_versioned_sorted_and_relative(tmp_path):
    review_b = make_review(make_finding("MEL-002", "ind-2"), file=str(tmp_path / "b" / "p.yaml"))
    review_a = make_review(
        make_finding("MEL-001", "ind-1"),
        make_finding("AW-001", "", entity="programme", waiver=make_waiver("AW-001", "")),
        file=str(tmp_path / "a.yaml"),
    )
    text = baseline_json(entries_for([review_b, review_a], tmp_path))
    document = json.loads(text)
    assert document["version"] == BASELINE_VERSION
    assert [(e["file"], e["rule"], e["item"]) for e in document["findings"]] == [
        ("a.yaml", "MEL-001", "ind-1"),  # the waived finding is not recorded
        ("b/p.yaml", "MEL-002", "ind-2"),
    ]
    assert text == baseline_json(entries_for([review_a, review_b], tmp_path))  # deterministic
    assert "line" not in document["findings"][0]


def test_recorded_findings_are_left_out_and_new_ones_reported(tmp_path):
    file = str(tmp_path / "p.yaml")
    entries = record(tmp_path, make_review(make_finding("MEL-001", "ind-1"), file=file))
    later = make_review(
        make_finding("MEL-001", "ind-1", line=80),  # moved further down: still recorded
        make_finding("MEL-002", "ind-1"),
        file=file,
    )
    (review,), dropped = apply_baseline([later], entries, tmp_path)
    assert dropped == 1
    assert [f.rule_id for f in review.findings] == ["MEL-002"]
    assert review.notices == []


def test_recorded_findings_that_no_longer_occur_are_notices(tmp_path):
    file = str(tmp_path / "p.yaml")
    entries = record(
        tmp_path,
        make_review(make_finding("MEL-001", "ind-1"), make_finding("AW-001", ""), file=file),
    )
    (review,), dropped = apply_baseline([make_review(file=file)], entries, tmp_path)
    assert dropped == 0
    assert review.notices == [
        f"{file}: baseline entry AW-001 for the programme no longer occurs; refresh the "
        "baseline with --write-baseline",
        f"{file}: baseline entry MEL-001 for item 'ind-1' no longer occurs; refresh the "
        "baseline with --write-baseline",
    ]


def test_entries_of_files_not_reviewed_are_left_alone(tmp_path):
    entries = record(tmp_path, make_review(make_finding(), file=str(tmp_path / "other.yaml")))
    (review,), _ = apply_baseline([make_review(file=str(tmp_path / "p.yaml"))], entries, tmp_path)
    assert review.notices == []


def test_a_renamed_item_matches_by_fingerprint_unless_ambiguous(tmp_path):
    file = str(tmp_path / "p.yaml")
    entries = record(tmp_path, make_review(make_finding(item="ind-1", label="Calls"), file=file))
    renamed = make_review(make_finding(item="i-calls", label="  calls "), file=file)
    (review,), dropped = apply_baseline([renamed], entries, tmp_path)
    assert (dropped, review.findings, review.notices) == (1, [], [])
    twins = make_review(
        make_finding(item="a", label="Calls"), make_finding(item="b", label="Calls"), file=file
    )
    (review,), dropped = apply_baseline([twins], entries, tmp_path)
    assert dropped == 0 and len(review.findings) == 2 and len(review.notices) == 1


def test_a_waived_finding_stays_visible_and_keeps_its_entry_used(tmp_path):
    file = str(tmp_path / "p.yaml")
    entries = record(tmp_path, make_review(make_finding(), file=file))
    waived = make_review(make_finding(waiver=make_waiver()), file=file)
    (review,), dropped = apply_baseline([waived], entries, tmp_path)
    assert dropped == 0 and review.findings[0].waiver and review.notices == []


def test_fingerprint_ignores_place_and_message_but_not_rule_or_name():
    base = make_finding(label="Calls to the hotline")
    assert fingerprint(replace(base, line=99, message="other", yaml_path="x")) == fingerprint(base)
    assert fingerprint(replace(base, item_label="Referrals")) != fingerprint(base)
    assert fingerprint(make_finding("MEL-002", label="Calls to the hotline")) != fingerprint(base)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such baseline file"),
        ('{\n  "version": 1,\n', ":3:1: not valid JSON"),
        ('{"version": 2, "findings": []}', "not a ctreview baseline of version 1"),
        ("[]", "not a ctreview baseline of version 1"),
        ('{"version": 1, "findings": [{"file": "p.yaml"}]}', "'findings' must be a list"),
    ],
)
def test_unusable_baseline_files_say_what_to_do(tmp_path, content, message):
    path = tmp_path / "b.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(BaselineError) as caught:
        load_baseline(path)
    assert message in str(caught.value) and str(path) in str(caught.value)
    assert "--write-baseline" in str(caught.value)


findings = st.lists(
    st.builds(
        make_finding,
        rule_id=st.sampled_from(["MEL-001", "MEL-002", "AW-001"]),
        item=st.sampled_from(["", "ind-1", "ind-2", "c-1"]),
        line=st.integers(1, 500),
        label=st.sampled_from(["Calls", "Referrals", "calls"]),
        waiver=st.one_of(st.none(), st.just(make_waiver())),
    ),
    max_size=8,
    unique_by=lambda f: f.identity,
)


@settings(max_examples=100, deadline=None)
@given(findings, st.randoms(use_true_random=False))
def test_a_fresh_baseline_leaves_out_every_unwaived_finding(tmp_path_factory, found, rnd):
    folder = tmp_path_factory.mktemp("b")
    file = str(folder / "p.yaml")
    entries = record(folder, make_review(*found, file=file))
    assert all(isinstance(e, Entry) for e in entries)
    moved = [replace(f, line=rnd.randint(1, 500)) for f in found]
    (review,), dropped = apply_baseline([make_review(*moved, file=file)], entries, folder)
    assert dropped == sum(1 for f in found if f.waiver is None)
    assert all(f.waiver is not None for f in review.findings)
    assert review.notices == []
