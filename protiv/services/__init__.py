"""Use cases: one async function each, inside a unit of work."""
