"""Curated datasets: validation, typed tables and dataset pages (see ../README.md, "Datasets")."""

from .catalog import (Catalog, UnknownColumnError, UnknownDatasetError, data_dir_of,  # noqa: F401
                      get_catalog, localized)
from .problems import DataValidationError, Problem  # noqa: F401
