from .corrections import SETTINGS, CorrectionsError, load_corrections, register  # noqa: F401
