from .editorial import SETTINGS, register  # noqa: F401
