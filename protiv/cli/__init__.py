"""The ``protiv`` command line: serve, migrate, load the demo, make tokens, sync from a file."""
