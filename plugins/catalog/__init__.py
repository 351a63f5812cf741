"""Curated datasets: validation, typed tables and dataset pages (see README.md)."""

from .catalog import (Catalog, CatalogSettingsError, get_catalog, localized, record_usage,  # noqa: F401
                      register, usages)
from .problems import DataValidationError, Problem  # noqa: F401
