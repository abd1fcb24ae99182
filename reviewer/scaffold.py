"""`ctreview init`: a commented proposal skeleton, generated from the schema so it never drifts.

Every field appears with its meaning and ICAT references as a comment and an empty value (empty
counts as absent, so the skeleton is a valid draft). `--type` adds one component per type with
its type-specific block; `--interactive` fills the key ICAT answers from prompts.
"""

from __future__ import annotations

import io
import re
import textwrap
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from reviewer.doc_links import FORMAT_PAGE, doc_url
from reviewer.schema import SCOPED_KEYS, proposal_schema, vocabulary

COMPONENT_TYPES = vocabulary("component", "type")
_COMMENT_WIDTH = 70


def proposal_id(name: str) -> str:
    """An id the format accepts (letters, digits, - _ . ; a letter or digit first; at most 64
    characters), made from a file name: accents dropped, other characters replaced by '-';
    'proposal' when nothing is left. `ctreview check` would refuse the skeleton otherwise."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    cleaned = re.sub(r"[^A-Za-z0-9_.-]+", "-", ascii_name)
    cleaned = re.sub(r"^[^A-Za-z0-9]+", "", cleaned)[:64].rstrip("-_.")
    return cleaned or "proposal"


def skeleton(proposal_id: str, component_types: Sequence[str] = ()) -> CommentedMap:
    """The whole format as a commented mapping with empty values."""
    schema = proposal_schema()
    root = _object(
        schema,
        {
            "ctreview": "proposal/v1",
            "id": proposal_id,
            "title": "Programme title",
            "status": "draft",
        },
    )
    components = CommentedSeq()
    for index, ctype in enumerate(component_types, start=1):
        components.append(_component(ctype, f"{ctype.replace('_', '-')}-{index}"))
    root["components"] = components
    return root


def _component(ctype: str, ident: str) -> CommentedMap:
    node = _deref(proposal_schema()["$defs"]["component"])
    blocks = set(COMPONENT_TYPES)
    props = {k: v for k, v in node["properties"].items() if k not in blocks or k == ctype}
    return _object({**node, "properties": props}, {"id": ident, "type": ctype}, depth=4)


def _object(node: Mapping[str, Any], preset: Mapping[str, Any], depth: int = 0) -> CommentedMap:
    out = CommentedMap()
    for name, raw in node.get("properties", {}).items():
        if name in SCOPED_KEYS:
            continue  # a way to answer any question, explained in the skeleton's header
        sub = _deref(raw)
        out[name] = preset[name] if name in preset else _empty(name, sub, depth)
        comment = _comment(sub)
        if comment:
            out.yaml_set_comment_before_after_key(name, before=comment, indent=depth)
    return out


def _empty(name: str, node: Mapping[str, Any], depth: int) -> Any:
    """An empty value for a field: None for scalars, an example item for entity lists whose
    only required key is `id`, and an empty list otherwise (its comment lists the item keys)."""
    if name in ("components", "waivers"):
        return CommentedSeq()
    if node.get("type") == "object" and "properties" in node:
        return _object(node, {}, depth + 2)
    if node.get("type") == "array":
        items = _deref(node.get("items", {}))
        seq = CommentedSeq()
        if items.get("type") == "object" and set(items.get("required", [])) <= {"id"}:
            ident = f"{name.rstrip('s').replace('_', '-')}-1"
            seq.append(_object(items, {"id": ident}, depth + 4))
        return seq
    return None


def _comment(node: Mapping[str, Any]) -> str:
    words = node.get("description", "")
    if "enum" in node:
        words += " One of: " + ", ".join(str(v) for v in node["enum"]) + "."
    items = _deref(node.get("items", {})) if node.get("type") == "array" else {}
    if items.get("type") == "object" and not set(items.get("required", [])) <= {"id"}:
        required = set(items.get("required", []))
        keys = [f"{key}{' (required)' if key in required else ''}" for key in items["properties"]]
        words += " Each item has: " + ", ".join(keys) + "."
    if node.get("x-icat"):
        words += " [" + ", ".join(node["x-icat"]) + "]"
    return "\n".join(textwrap.wrap(words.strip(), _COMMENT_WIDTH))


def _deref(node: Mapping[str, Any]) -> dict[str, Any]:
    node = dict(node)
    if node.get("x-scoped") and "oneOf" in node:  # an answer, or a scoped answer: the answer
        node = {**node["oneOf"][0], **{k: v for k, v in node.items() if k != "oneOf"}}
    while "$ref" in node:
        target = proposal_schema()["$defs"][node.pop("$ref").rsplit("/", 1)[1]]
        node = {**target, **node}
    return node


def render(tree: CommentedMap) -> str:
    yaml = YAML()
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 100
    stream = io.StringIO()
    stream.write(
        "# A ctreview proposal. Empty fields count as absent: fill in what applies.\n"
        "# A question that does not apply: answer {not_relevant: <why, in a clause>}; one the\n"
        "# programme will answer: {to_be_established: {activity: <activity id>, by_month: <n>}}.\n"
        "# Placeholders such as N/A or TBD count as no answer.\n"
        f"# Format reference: {doc_url(FORMAT_PAGE)}\n"
        "# Check it with: ctreview check FILE\n"
        "# Editor completion: save `ctreview schema` as proposal.schema.json and add the line\n"
        "#   # yaml-language-server: $schema=proposal.schema.json\n"
    )
    yaml.dump(tree, stream)
    return stream.getvalue()


# --- interactive answers ---------------------------------------------------------------------

Ask = Callable[[str, str], str]

# (question put to the designer, where the answer goes in a component of that type)
_COMPONENT_QUESTIONS: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "awareness": (
        (
            "What should the audience do differently after the campaign? (ICAT 3 Q2)",
            ("awareness", "desired_action"),
        ),
        (
            "How does that action reduce trafficking? (ICAT 3 Q3)",
            ("awareness", "action_impact_link"),
        ),
    ),
    "livelihood": (
        (
            "At what income level would people intending to migrate stay? (ICAT 4 Q1)",
            ("livelihood", "income_threshold", "analysis"),
        ),
    ),
    "criminal_justice_capacity": (
        (
            "How will staff turnover and rotation be handled? (ICAT 6 L3)",
            ("criminal_justice_capacity", "turnover_mitigation"),
        ),
        (
            "What mentoring follows the training? (ICAT 6 Q8)",
            ("criminal_justice_capacity", "mentoring"),
        ),
    ),
    "victim_identification": (
        (
            "How will identification data be used to improve targeting? (ICAT 7 Q8)",
            ("victim_identification", "identification_data_use"),
        ),
    ),
    "victim_support": (
        (
            "How long will reintegration be followed up, in months? (ICAT 8 L6)",
            ("victim_support", "reintegration_monitoring_months"),
        ),
    ),
    "national_action_plan": (
        (
            "Which entity will coordinate and monitor the plan? (ICAT 9 Q3)",
            ("national_action_plan", "coordinating_body", "name"),
        ),
    ),
}


def fill_interactively(tree: CommentedMap, ask: Ask) -> CommentedMap:
    """Ask the key ICAT questions and write the non-empty answers into the skeleton."""
    _set(tree, ("title",), ask("Programme title", str(tree["title"])))
    _set(tree, ("organisation",), ask("Implementing organisation", ""))
    group = tree["target_groups"][0]
    _set(group, ("name",), ask("Main target group (whose behaviour should change?)", ""))
    _set(
        group, ("desired_behaviour",), ask("What should this group do differently? (ICAT 1 Q1)", "")
    )
    _set(
        tree,
        ("theory_of_change", "displacement", "analysis"),
        ask("How could traffickers adapt (other targets, routes, members)? (ICAT 1 Q3)", ""),
    )
    for component in tree["components"]:
        for question, path in _COMPONENT_QUESTIONS.get(component["type"], ()):
            answer = ask(f"[{component['id']}] {question}", "")
            _set(component, path, _number_or_text(answer))
    return tree


def _number_or_text(answer: str) -> int | str:
    """A whole number typed in ASCII digits (as many as the format accepts) is a number;
    anything else stays text (`str.isdigit` would take '²', which int() refuses)."""
    return int(answer) if re.fullmatch(r"[0-9]{1,15}", answer) else answer


def _set(node: Any, path: tuple[str, ...], value: Any) -> None:
    if value in ("", None):
        return
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
