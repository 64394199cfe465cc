"""The question bank: one module per topic, each listing its templates in ``TEMPLATES``."""

from __future__ import annotations

from ..template import Template
from . import concepts, counting, gru_rnn, gru_vs_lstm, keras, lstm_step, memory, pytorch

#: Every template, topic by topic in learning order (see quizzes.template.TOPICS).
BANK: tuple[Template, ...] = (
    *lstm_step.TEMPLATES,
    *gru_rnn.TEMPLATES,
    *memory.TEMPLATES,
    *counting.TEMPLATES,
    *concepts.TEMPLATES,
    *gru_vs_lstm.TEMPLATES,
    *pytorch.TEMPLATES,
    *keras.TEMPLATES,
)
