from .site_context import register  # noqa: F401
