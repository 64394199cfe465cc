"""lstm_ref: a reference implementation of RNN, LSTM and GRU that matches PyTorch exactly.

Pure functions over frozen parameter dataclasses, hand-written backpropagation
through time, NumPy by default and CuPy on a GPU. Importing it never imports
PyTorch or CuPy.
"""

from .backend import BackendUnavailableError, active_backend, asarray, to_numpy, use_backend
from .grad_mode import is_grad_enabled, no_grad
from .gru import gru_cell, gru_cell_backward, gru_layer, gru_layer_backward
from .lstm import lstm_cell, lstm_cell_backward, lstm_layer, lstm_layer_backward
from .model import Recurrent, from_keras, from_torch
from .network import ForwardCache, Gradients, backward, forward
from .params import CellParams, Params, RecurrentConfig, init_params, set_forget_bias
from .rnn import rnn_cell, rnn_cell_backward, rnn_layer, rnn_layer_backward
from .steps import StepGrads
from .torch_interop import to_torch

__version__ = "0.1.0"

__all__ = [
    "BackendUnavailableError",
    "CellParams",
    "ForwardCache",
    "Gradients",
    "Params",
    "Recurrent",
    "RecurrentConfig",
    "StepGrads",
    "active_backend",
    "asarray",
    "backward",
    "forward",
    "from_keras",
    "from_torch",
    "gru_cell",
    "gru_cell_backward",
    "gru_layer",
    "gru_layer_backward",
    "init_params",
    "is_grad_enabled",
    "lstm_cell",
    "lstm_cell_backward",
    "lstm_layer",
    "lstm_layer_backward",
    "no_grad",
    "rnn_cell",
    "rnn_cell_backward",
    "rnn_layer",
    "rnn_layer_backward",
    "set_forget_bias",
    "to_numpy",
    "to_torch",
    "use_backend",
]
