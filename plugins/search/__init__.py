from .search import SETTINGS, SearchIndexError, register  # noqa: F401
