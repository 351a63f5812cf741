"""Curated datasets: validation, typed tables and dataset pages (see ../README.md, "Datasets")."""

from .catalog import (Catalog, data_dir_of, get_catalog, localized,  # noqa: F401
                      record_usage, usages)
from .problems import DataValidationError, Problem  # noqa: F401
