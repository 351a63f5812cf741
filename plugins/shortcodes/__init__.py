from .shortcodes import (  # noqa: F401
    ShortcodeContext,
    ShortcodeError,
    register,
    register_handler,
)
