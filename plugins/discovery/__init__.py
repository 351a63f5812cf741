from .discovery import DiscoveryError, register  # noqa: F401
