from .site_context import plugin_settings, register  # noqa: F401
