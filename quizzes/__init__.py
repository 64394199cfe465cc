"""Quizzes about recurrent networks: templates whose answers are computed by lstm_ref.

A template draws parameters from a seeded generator, shows them rounded, computes
the answer with ``lstm_ref`` *from the rounded numbers shown*, and writes a worked
solution from the same computation. The same template, seed and package version
always give the same variant (and the same variant id).

>>> from quizzes import generate
>>> q = generate("lstm-forget-gate", seed=3)
>>> q.variant_id == generate("lstm-forget-gate", seed=3).variant_id
True

``TEMPLATES`` (every template, by id) is complete on first access; the bank is
imported then, not by ``import quizzes``.
"""

from typing import TYPE_CHECKING, Any

from .grading import Decimals, Result, SigFigs, Tolerance
from .parsing import FormatError
from .question import Choice, Numeric, Question, Vector, grade
from .template import TOPICS, Template

if TYPE_CHECKING:
    from .registry import TEMPLATES, generate, templates

_FROM_REGISTRY = ("TEMPLATES", "generate", "templates")


def __getattr__(name: str) -> Any:
    # The registry imports the bank (numpy, lstm_ref): only when asked, so `lstm-quiz --help` stays fast.
    if name in _FROM_REGISTRY:
        from . import registry

        return getattr(registry, name)
    raise AttributeError(f"module 'quizzes' has no attribute {name!r}")


__all__ = [
    "TEMPLATES",
    "TOPICS",
    "Choice",
    "Decimals",
    "FormatError",
    "Numeric",
    "Question",
    "Result",
    "SigFigs",
    "Template",
    "Tolerance",
    "Vector",
    "generate",
    "grade",
    "templates",
]
