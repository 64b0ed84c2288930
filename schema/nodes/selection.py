"""What the query asks of a field's result, read from the field's own nodes in the document.

A field carrying a directive (``@include``/``@skip``) counts as not asked for: whoever uses
this to fetch ahead then leaves that field to load for itself, which is always correct.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from graphql import FieldNode, FragmentSpreadNode, InlineFragmentNode, SelectionSetNode

from schema.context import Info


def selects(info: Info, name: str) -> bool:
    """Whether the current field's selection asks for field ``name`` (through fragments too),
    so a resolver fetches a relation in the same batch only when it will be read."""
    return name in field_names(info, own(info))


def own(info: Info) -> list[SelectionSetNode]:
    """The selection sets of the field being resolved."""
    return [node.selection_set for node in info._raw_info.field_nodes if node.selection_set]


def below(info: Info, sets: Iterable[SelectionSetNode], name: str) -> list[SelectionSetNode]:
    """The selection sets of the fields called ``name`` inside ``sets``."""
    return [
        field.selection_set
        for field in _fields(sets, info._raw_info.fragments)
        if field.name.value == name and field.selection_set is not None
    ]


def field_names(info: Info, sets: Iterable[SelectionSetNode]) -> set[str]:
    """The names of the fields asked for inside ``sets``."""
    return {field.name.value for field in _fields(sets, info._raw_info.fragments)}


def _fields(sets: Iterable[SelectionSetNode], fragments: dict[str, Any]) -> list[FieldNode]:
    found: list[FieldNode] = []
    seen: set[str] = set()
    for selection_set in sets:
        _collect(selection_set, fragments, seen, found)
    return found


def _collect(
    selection_set: SelectionSetNode,
    fragments: dict[str, Any],
    seen: set[str],
    found: list[FieldNode],
) -> None:
    for selection in selection_set.selections:
        if selection.directives:
            continue
        if isinstance(selection, FieldNode):
            found.append(selection)
        elif isinstance(selection, InlineFragmentNode):
            _collect(selection.selection_set, fragments, seen, found)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            if name in fragments and name not in seen:
                seen.add(name)
                _collect(fragments[name].selection_set, fragments, seen, found)
