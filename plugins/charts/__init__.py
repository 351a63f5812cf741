"""Altair charts rendered at build time and placed with {{ chart ID }} (see README.md)."""

from . import theme  # noqa: F401  (registers the house theme, once, on import)
from .charts import register  # noqa: F401
