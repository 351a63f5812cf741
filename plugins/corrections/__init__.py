from .corrections import CorrectionsError, load_corrections, register  # noqa: F401
