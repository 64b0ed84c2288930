"""Relay cursor connections with keyset paging (``id > after``), ``first`` from 1 to 100."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

import strawberry
from strawberry import relay

from protiv.domain.errors import ValidationFailed
from protiv.services.queries import MAX_PAGE, Page
from schema.ids import cursor_for, parse_cursor

NodeT = TypeVar("NodeT")


@strawberry.type(description="An edge of a connection: a node and the cursor to page after it.")
class Edge(Generic[NodeT]):
    cursor: str = strawberry.field(description="Pass it as `after` to page on from this node.")
    node: NodeT = strawberry.field(description="The result itself.")


@strawberry.type(description="A page of results with the cursors to fetch the next page.")
class Connection(Generic[NodeT]):
    edges: list[Edge[NodeT]] = strawberry.field(description="This page's results, in order.")
    page_info: relay.PageInfo = strawberry.field(
        description="Whether there is a next page, and the cursors at both ends of this one."
    )
    total_count: int = strawberry.field(description="How many results match, on all pages.")

    @strawberry.field(description="The nodes of this page, without their edges.")
    def nodes(self) -> list[NodeT]:
        return [edge.node for edge in self.edges]


def page_args(first: int | None, after: str | None, default: int = 20) -> tuple[int, int | None]:
    """Checked paging arguments: ``first`` 1..100 (GitHub's rule), a cursor we issued."""
    size = default if first is None else first
    if size < 1 or size > MAX_PAGE:
        raise ValidationFailed(
            f"first must be between 1 and {MAX_PAGE}, not {size}.", field=["first"]
        )
    return size, parse_cursor(after)


def connection(page: Page, convert: Callable[[Any], NodeT]) -> Connection[NodeT]:
    edges = [Edge(cursor=cursor_for(row.id), node=convert(row)) for row in page.rows]
    return Connection(
        edges=edges,
        page_info=relay.PageInfo(
            has_next_page=page.has_next,
            has_previous_page=page.has_previous,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        total_count=page.total,
    )
