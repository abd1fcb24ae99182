"""The proposal schema as editors read it: blanks allowed wherever ctreview allows them.

ctreview drops null values before it validates (a key left blank counts as absent, and absence is
what the rules judge), and `ctreview init` writes a skeleton full of such blanks. An editor's
language server (yaml-language-server) validates the file as written, nulls included, so the
schema it reads must say what ctreview means: every optional field may also be null. Required
fields stay as they are: a blank `id` is an error for ctreview too.

The published copy (`ctreview schema`, docs/proposal.schema.json) is made here from the schema
the validator uses, so the two cannot drift apart.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

NULL = {"type": "null"}
# Keywords whose value is one subschema, or a list or mapping of subschemas.
_ONE = ("items", "additionalProperties", "not", "if", "then", "else")
_LIST = ("anyOf", "oneOf", "allOf", "prefixItems")
_MAP = ("$defs", "properties", "patternProperties")
_ANNOTATIONS = ("description", "title", "x-icat", "x-iati")


def editor_schema(schema: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of `schema` in which every optional property also accepts null."""
    return _walk(copy.deepcopy(dict(schema)))


def _walk(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    for key in _ONE:
        if isinstance(node.get(key), dict):
            node[key] = _walk(node[key])
    for key in _LIST:
        if isinstance(node.get(key), list):
            node[key] = [_walk(item) for item in node[key]]
    for key in _MAP:
        if isinstance(node.get(key), dict):
            node[key] = {name: _walk(sub) for name, sub in node[key].items()}
    required = set(node.get("required", ()))
    if isinstance(node.get("properties"), dict):
        node["properties"] = {
            name: sub if name in required else nullable(sub)
            for name, sub in node["properties"].items()
        }
    return node


def nullable(node: dict[str, Any]) -> dict[str, Any]:
    """The same subschema, also accepting null.

    A plain `type` gains "null" (and an `enum` gains null), which keeps the editor's completion
    and hover as they were; a `$ref` or a combination is wrapped in `anyOf` with null.
    """
    if "const" in node:
        return node
    if "type" in node and "$ref" not in node:
        types = node["type"] if isinstance(node["type"], list) else [node["type"]]
        widened = {**node, "type": [*types, *(["null"] if "null" not in types else [])]}
        if "enum" in node and None not in node["enum"]:
            widened["enum"] = [*node["enum"], None]
        return widened
    annotations = {k: v for k, v in node.items() if k in _ANNOTATIONS}
    core = {k: v for k, v in node.items() if k not in annotations}
    return {**annotations, "anyOf": [core, NULL]}
