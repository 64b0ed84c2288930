"""Documents this process has already parsed, validated and answered as a query without errors,
so the server's fast path (``protiv.server.fast_path``) may execute them again directly.

Only the full path adds to it (``RememberQueries``, the last schema extension, after every
limit and the access gate have passed), so the fast path never runs a document the full path
has not accepted under the same schema and rules. Bounded like strawberry's own caches.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator

from graphql import DocumentNode
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

MAX_DOCUMENTS = 256


class PreparedQueries:
    """(query text, operation name) → its parsed document, least recently used dropped."""

    def __init__(self, maxsize: int = MAX_DOCUMENTS) -> None:
        self.maxsize = maxsize
        self._documents: OrderedDict[tuple[str, str | None], DocumentNode] = OrderedDict()

    def get(self, query: str, operation_name: str | None) -> DocumentNode | None:
        key = (query, operation_name)
        document = self._documents.get(key)
        if document is not None:
            self._documents.move_to_end(key)
        return document

    def remember(self, query: str, operation_name: str | None, document: DocumentNode) -> None:
        self._documents[(query, operation_name)] = document
        self._documents.move_to_end((query, operation_name))
        while len(self._documents) > self.maxsize:
            self._documents.popitem(last=False)

    def __len__(self) -> int:
        return len(self._documents)


PREPARED = PreparedQueries()


class RememberQueries(SchemaExtension):
    """Remembers a query document once the full path has answered it without any error."""

    def on_operation(self) -> Iterator[None]:
        yield
        context = self.execution_context
        result = context.result
        if (
            context.query is not None
            and context.graphql_document is not None
            and result is not None
            and not result.errors
            and context.operation_type is OperationType.QUERY
        ):
            PREPARED.remember(
                context.query, context._provided_operation_name, context.graphql_document
            )
