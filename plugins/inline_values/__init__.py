from .inline_values import register  # noqa: F401
