"""Inline values: ``{{ value DATASET.COLUMN ... }}`` (see ../README.md, "Inline values")."""
