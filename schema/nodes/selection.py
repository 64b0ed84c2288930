"""What the query asks of a field's result, read from the field's own nodes in the document."""

from __future__ import annotations

from typing import Any

from graphql import FieldNode, FragmentSpreadNode, InlineFragmentNode, SelectionSetNode

from schema.context import Info


def selects(info: Info, name: str) -> bool:
    """Whether the current field's selection asks for field ``name`` (through fragments too),
    so a resolver fetches a relation in the same batch only when it will be read."""
    raw = info._raw_info
    seen: set[str] = set()
    return any(
        node.selection_set is not None
        and _in_selection(node.selection_set, name, raw.fragments, seen)
        for node in raw.field_nodes
    )


def _in_selection(
    selection_set: SelectionSetNode, name: str, fragments: dict[str, Any], seen: set[str]
) -> bool:
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            if selection.name.value == name:
                return True
        elif isinstance(selection, InlineFragmentNode):
            if _in_selection(selection.selection_set, name, fragments, seen):
                return True
        elif isinstance(selection, FragmentSpreadNode):
            fragment = fragments.get(selection.name.value)
            if fragment is not None and selection.name.value not in seen:
                seen.add(selection.name.value)
                if _in_selection(fragment.selection_set, name, fragments, seen):
                    return True
    return False
