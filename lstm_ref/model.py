"""A recurrent network with PyTorch's call signature, remembering its last forward for ``backward``.

The math lives in pure functions (`lstm_ref.network`); this class only
adds the state that makes it convenient: the parameters, and the cache of the
last forward call.

Examples:
    >>> import numpy as np
    >>> from lstm_ref.params import RecurrentConfig
    >>> m = Recurrent.init(RecurrentConfig("lstm", input_size=3, hidden_size=2), seed=0)
    >>> output, (h_n, c_n) = m(np.ones((4, 1, 3)))      # (T, B, I)
    >>> grads = m.backward(np.ones_like(output))
    >>> sorted(grads)
    ['bias_hh_l0', 'bias_ih_l0', 'c_0', 'h_0', 'input', 'weight_hh_l0', 'weight_ih_l0']
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import keras_interop, torch_interop
from .backend import Array, namespace
from .network import ForwardCache, backward, forward
from .params import Params, RecurrentConfig, init_params

__all__ = ["Recurrent", "from_keras", "from_torch"]


class Recurrent:
    """``torch.nn.RNN/LSTM/GRU``'s forward and a hand-written backward, over `Params`.

    Examples:
        >>> import numpy as np
        >>> m = Recurrent.init(RecurrentConfig("gru", input_size=3, hidden_size=4, num_layers=2), seed=0)
        >>> output, h_n = m(np.ones((5, 2, 3)))
        >>> grads = m.backward(np.ones_like(output))
        >>> output.shape, h_n.shape, grads["weight_hh_l1"].shape, grads["h_0"].shape
        ((5, 2, 4), (2, 2, 4), (12, 4), (2, 2, 4))
    """

    def __init__(self, params: Params) -> None:
        self.params = params
        self._cache: ForwardCache | None = None

    @classmethod
    def init(cls, config: RecurrentConfig, *, seed: int | np.random.Generator = 0, **options: Any) -> Recurrent:
        """A network with PyTorch's default initialisation (see `init_params`)."""
        return cls(init_params(config, seed=seed, **options))

    @property
    def config(self) -> RecurrentConfig:
        return self.params.config

    def named_parameters(self) -> dict[str, Array]:
        """Parameters keyed by PyTorch's names."""
        return self.params.named()

    def __call__(self, x: Array, state: Any = None) -> tuple[Array, Any]:
        """``(output, final_state)`` exactly as the torch module's forward on batched input.

        ``x`` is ``(T, B, I)`` (``(B, T, I)`` with ``batch_first``); ``state`` is
        ``h_0`` or, for an LSTM, ``(h_0, c_0)``; zeros when omitted. Parameters
        follow ``x`` to its array library (NumPy or CuPy).
        """
        xp = namespace(x)
        if namespace(self.params.layers[0].W_ih) is not xp:
            self.params = self.params.to(xp)
        output, final_state, self._cache = forward(self.params, x, state)
        return output, final_state

    def backward(self, d_output: Array, d_final_state: Any = None, *, truncate: int | None = None) -> dict[str, Array]:
        """Gradients for the last forward call, keyed by PyTorch's parameter names plus
        ``"input"``, ``"h_0"`` and, for an LSTM, ``"c_0"``.

        Args:
            d_output: ``∂L/∂output``, shaped like the output.
            d_final_state: ``∂L/∂h_n`` or ``(∂L/∂h_n, ∂L/∂c_n)``; zeros when omitted.
            truncate: truncated BPTT, see `lstm_ref.network.backward`.
        """
        if self._cache is None:
            raise RuntimeError("backward: no forward call to differentiate; call the model on an input first")
        grads = backward(self._cache, d_output, d_final_state, truncate=truncate)
        initial = zip((f"{name}_0" for name in self.config.state_names), self.config.unpack_state(grads.state), strict=True)
        return {**grads.params.named(), "input": grads.input, **dict(initial)}

    def to_torch(self) -> Any:
        """An equivalent ``torch.nn`` module (needs PyTorch)."""
        return torch_interop.to_torch(self.params)

    def to_keras(self, *, return_sequences: bool = True, return_state: bool = False) -> Any:
        """An equivalent Keras 3 layer, or a ``keras.Sequential`` when stacked (needs Keras); see `lstm_ref.keras_interop`."""
        return keras_interop.to_keras(self.params, return_sequences=return_sequences, return_state=return_state)

    def __repr__(self) -> str:
        return f"Recurrent({self.config!r})"


def from_torch(module: Any) -> Recurrent:
    """A `Recurrent` with a ``torch.nn.RNN``, ``LSTM`` or ``GRU``'s configuration and a copy of its weights.

    Arrays are created in the active backend (NumPy unless CuPy is selected), in
    the module's dtype. ``m(x, state)`` then returns what ``module(x, state)``
    returns for batched input, and ``m.backward(...)`` the gradients autograd
    would, keyed by ``module``'s parameter names. See `lstm_ref.torch_interop`.
    """
    return Recurrent(torch_interop.params_from_torch(module))


def from_keras(layer: Any) -> Recurrent:
    """A `Recurrent` computing what a Keras ``LSTM``, ``GRU`` or ``SimpleRNN`` computes.

    Also takes a ``Bidirectional`` wrapper and a ``Sequential`` of stacked recurrent
    layers. The result is ``batch_first`` like Keras. See `lstm_ref.keras_interop`.
    """
    return Recurrent(keras_interop.params_from_keras(layer))
