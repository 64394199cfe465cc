"""The one error of the exports, in a module of its own so that ``quizzes.export`` imports nothing heavy."""

__all__ = ["ExportError"]


class ExportError(ValueError):
    """The requested export is impossible; the message says why and what to do."""
