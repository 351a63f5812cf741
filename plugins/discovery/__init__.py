from .discovery import SETTINGS, DiscoveryError, register  # noqa: F401
