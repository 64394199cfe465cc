"""What a question template is: an id, a topic, a title and a seeded build function.

A bank module (:mod:`quizzes.bank`) writes each template as a decorated build
function, which becomes a :class:`Template`, and lists its templates in
``TEMPLATES``; :mod:`quizzes.registry` indexes those lists. Nothing is
registered as a side effect of importing a module.

>>> from quizzes.question import Numeric
>>> @template("demo-half", "counting", "Half of a number")
... def half(rng):
...     n = int(rng.integers(2, 10))
...     return Draft(f"What is {n}/2?", Numeric(n / 2), "Divide by two.", f"{n}/2 = {n / 2}", {"n": n})
>>> half.id, half.generate(4).variant_id == half.generate(4).variant_id
('demo-half', True)
"""

from __future__ import annotations

import dataclasses
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .question import Answer, Choice, Question

if TYPE_CHECKING:
    import numpy as np

__all__ = ["MAX_SEED", "TOPICS", "Draft", "Template", "check_seed", "template"]

#: Seeds are whole numbers from 0 to MAX_SEED, everywhere: the CLI, the site, answers files, exports.
MAX_SEED = 2**63 - 1


def check_seed(seed: object) -> int:
    """``seed`` if it is a whole number from 0 to MAX_SEED; ``ValueError`` naming the range otherwise."""
    if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed <= MAX_SEED:
        raise ValueError(f"seed: expected a whole number from 0 to 2**63 - 1, got {seed!r}"[:120])
    return seed


#: Topics, in learning order, with a one-line description.
TOPICS: dict[str, str] = {
    "lstm-step": "computing an LSTM step: gates, candidate, cell and hidden state",
    "gru-rnn": "a step of a plain RNN and of a GRU",
    "memory": "memory and gradients with numbers: forget products, vanishing and exploding factors",
    "counting": "parameter counts and weight shapes",
    "concepts": "what each part does, and why plain RNNs fail on long sequences",
    "gru-vs-lstm": "the GRU compared with the LSTM",
    "pytorch": "PyTorch's conventions: gate order, biases, names",
    "keras": "Keras and TensorFlow: kernel layout, gate blocks, one bias, the forget bias",
}


@dataclass(frozen=True)
class Draft:
    """What a template's build function returns: a question without its identity.

    ``mistakes`` gives, for a numeric answer, the value each applicable slip of
    :mod:`quizzes.mistakes` produces from the same inputs (a number, or one per entry).
    """

    prompt: str
    answer: Answer
    hint: str
    solution: str
    params: dict[str, Any]
    mistakes: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Template:
    id: str
    topic: str
    title: str
    build: Callable[[np.random.Generator], Draft]

    def generate(self, seed: int) -> Question:
        """The variant for ``seed``: the generator is seeded by the seed and the template id.

        A draw in which a named slip would be accepted as the key (or two options read the
        same) cannot tell the slip from the truth: it is drawn again, from the next stream of
        the same seed, up to ``MAX_DRAWS`` times.
        """
        import numpy as np  # here, so that importing quizzes stays light

        check_seed(seed)
        for draw in range(MAX_DRAWS):
            rng = np.random.default_rng([seed, zlib.crc32(self.id.encode())] + ([draw] if draw else []))
            d = self.build(rng)
            answer = _with_slips(d.answer, d.mistakes)
            if not answer.confusable():
                break
        else:
            raise RuntimeError(f"template {self.id!r}: seed {seed} gave {MAX_DRAWS} draws in which a slip reads as the answer")
        return Question(self.id, seed, self.topic, self.title, d.prompt, answer, d.hint, d.solution, d.params)


MAX_DRAWS = 50


def _with_slips(answer: Answer, mistakes: dict[str, Any]) -> Answer:
    """``answer`` carrying the value of each slip (a numeric answer; a choice keeps its own)."""
    import numpy as np

    if not mistakes or isinstance(answer, Choice):
        return answer
    slips = tuple((mid, tuple(float(v) for v in np.ravel(value))) for mid, value in mistakes.items())
    return dataclasses.replace(answer, mistakes=slips)


def template(id: str, topic: str, title: str) -> Callable[[Callable[[np.random.Generator], Draft]], Template]:
    """Make a build function into template ``id`` under ``topic``."""
    if topic not in TOPICS:
        raise ValueError(f"topic: unknown topic {topic!r}; expected one of {list(TOPICS)}")

    def make(build: Callable[[np.random.Generator], Draft]) -> Template:
        return Template(id, topic, title, build)

    return make
