"""Quizzes about recurrent networks: templates whose answers are computed by lstm_ref.

A template draws parameters from a seeded generator, shows them rounded, computes
the answer with ``lstm_ref`` *from the rounded numbers shown*, and writes a worked
solution from the same computation. The same template, seed and package version
always give the same variant (and the same variant id).

>>> from quizzes import generate
>>> q = generate("lstm-forget-gate", seed=3)
>>> q.variant_id == generate("lstm-forget-gate", seed=3).variant_id
True
"""

from .grading import Decimals, FormatError, Result, SigFigs, Tolerance, grade
from .question import Choice, Numeric, Question, Vector
from .registry import TEMPLATES, TOPICS, Template, generate, templates

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
