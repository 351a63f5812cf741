from .i18n_catalogs import compile_catalogs, register  # noqa: F401
