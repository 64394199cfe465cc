"""The template registry: every question template, by id and by topic.

Templates live in :mod:`quizzes.bank`, one module per topic, registered with the
:func:`template` decorator. The bank is imported on first use, so that
``lstm-quiz --help`` stays fast.

>>> sorted(TOPICS)[:3]
['concepts', 'counting', 'gru-rnn']
>>> len(templates()) >= 30
True
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .question import Question

__all__ = ["TEMPLATES", "TOPICS", "Draft", "Template", "generate", "template", "templates"]

#: Topics, in learning order, with a one-line description.
TOPICS: dict[str, str] = {
    "lstm-step": "computing an LSTM step: gates, candidate, cell and hidden state",
    "gru-rnn": "a step of a plain RNN and of a GRU",
    "memory": "memory and gradients with numbers: forget products, vanishing and exploding factors",
    "counting": "parameter counts and weight shapes",
    "concepts": "what each part does, and why plain RNNs fail on long sequences",
    "gru-vs-lstm": "the GRU compared with the LSTM",
    "pytorch": "PyTorch's conventions: gate order, biases, names",
}


@dataclass(frozen=True)
class Draft:
    """What a template's build function returns: a question without its identity."""

    prompt: str
    answer: Any
    hint: str
    solution: str
    params: dict[str, Any]


@dataclass(frozen=True)
class Template:
    id: str
    topic: str
    title: str
    build: Callable[[Any], Draft]  # numpy Generator -> Draft

    def generate(self, seed: int) -> Question:
        import numpy as np

        rng = np.random.default_rng([seed, zlib.crc32(self.id.encode())])
        d = self.build(rng)
        return Question(self.id, seed, self.topic, self.title, d.prompt, d.answer, d.hint, d.solution, d.params)


TEMPLATES: dict[str, Template] = {}


def template(id: str, topic: str, title: str) -> Callable[[Callable[[Any], Draft]], Callable[[Any], Draft]]:
    """Register a build function as template ``id`` under ``topic``."""
    if topic not in TOPICS:
        raise ValueError(f"topic: unknown topic {topic!r}; expected one of {list(TOPICS)}")

    def register(build: Callable[[Any], Draft]) -> Callable[[Any], Draft]:
        if id in TEMPLATES:
            raise ValueError(f"id: template {id!r} is registered twice")
        TEMPLATES[id] = Template(id, topic, title, build)
        return build

    return register


def templates(topics: list[str] | None = None) -> list[Template]:
    """All templates (in topic order), or those of ``topics``."""
    from . import bank  # noqa: F401  (registers every template)

    if topics:
        unknown = [t for t in topics if t not in TOPICS]
        if unknown:
            raise ValueError(f"topics: unknown {unknown}; choose from {list(TOPICS)}")
    order = list(TOPICS)
    chosen = [t for t in TEMPLATES.values() if not topics or t.topic in topics]
    return sorted(chosen, key=lambda t: order.index(t.topic))


def generate(template_id: str, seed: int) -> Question:
    """The variant of ``template_id`` for ``seed``."""
    from . import bank  # noqa: F401

    if template_id not in TEMPLATES:
        raise KeyError(f"template: no template {template_id!r}; see `lstm-quiz list`")
    return TEMPLATES[template_id].generate(seed)
