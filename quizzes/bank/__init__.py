"""The question bank: importing this package registers every template."""

from . import concepts, counting, gru_rnn, gru_vs_lstm, lstm_step, memory, pytorch  # noqa: F401
