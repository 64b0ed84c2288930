"""The Starlette application serving GraphQL (HTTP, GraphiQL, WebSocket subscriptions)."""
