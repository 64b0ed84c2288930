"""The `protiv` command line."""
