"""Round trips with Keras 3: ``params_from_keras(layer)`` and ``to_keras(params)``.

Keras is needed only here, and only when these functions are called. What
differs from PyTorch, and how each difference is bridged:

| What | Keras 3 | PyTorch / lstm_ref |
|---|---|---|
| kernels | `kernel` (I, G·H), `recurrent_kernel` (H, G·H) | `weight_ih` (G·H, I), `weight_hh` (G·H, H): transposed |
| LSTM gate order | i, f, c, o | i, f, g, o: the same blocks |
| GRU gate order | z, r, h | r, z, n: blocks permuted |
| LSTM / RNN bias | one `bias` (G·H,) | `bias_ih` = Keras's bias, `bias_hh` = 0 |
| GRU `reset_after=True` | `bias` (2, 3H): input and recurrent rows | `gru_reset="after"` (PyTorch's), `bias_ih`, `bias_hh` |
| GRU `reset_after=False` | `bias` (3H,), reset before the recurrent product | `gru_reset="before"`, `bias_hh` = 0 |
| layout | batch first (B, T, I) | `batch_first=True` |

Going to Keras, two biases become one (their sum: the same function, rounded
once more); a LSTM projection or an LSTM variant has no Keras layer and is
refused. A ``Bidirectional`` wrapper (``merge_mode="concat"``) and a
``Sequential`` of stacked recurrent layers convert, and so does ``go_backwards``
(`RecurrentConfig.go_backwards`, which has no PyTorch module).
Activations must be Keras's defaults (tanh, and sigmoid for the gates) or,
for ``SimpleRNN``, relu. Dropout does not change inference and is not carried.

On the PyTorch backend, Keras 3.15 multiplies float64 matrices in float32
(keras-team/keras#23704): its ``SimpleRNN`` and ``GRU(reset_after=False)`` then
agree with lstm_ref to float32 precision only; its ``LSTM`` and
``GRU(reset_after=True)`` run fused torch code and agree to float64 rounding.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .backend import asarray, backend_namespace, to_numpy
from .params import GATES, Params, RecurrentConfig, gru_reset, mode

__all__ = ["KERAS_GATES", "config_from_keras", "from_keras_weights", "params_from_keras", "to_keras", "to_keras_weights"]

#: Keras's gate blocks, in the column order of ``kernel`` and ``recurrent_kernel``.
KERAS_GATES: dict[str, tuple[str, ...]] = {"rnn_tanh": ("h",), "rnn_relu": ("h",), "lstm": ("i", "f", "g", "o"), "gru": ("z", "r", "n")}
_CLASSES = {"LSTM": "lstm", "GRU": "gru", "SimpleRNN": "rnn"}


def _keras() -> Any:
    import importlib.util
    import os
    import sys

    if "keras" not in sys.modules and "KERAS_BACKEND" not in os.environ and importlib.util.find_spec("tensorflow") is None:
        os.environ["KERAS_BACKEND"] = "torch"  # Keras's default backend is TensorFlow; without it, use PyTorch
    try:
        import keras
    except ImportError as exc:  # pragma: no cover - exercised only without keras
        raise ImportError("this needs Keras 3: pip install keras (with KERAS_BACKEND=torch, or jax, or tensorflow)") from exc
    return keras


def _reorder(a: np.ndarray, mode: str, *, to_keras: bool) -> np.ndarray:
    """Permute gate blocks along the first axis between PyTorch's order and Keras's."""
    src, dst = (GATES[mode], KERAS_GATES[mode]) if to_keras else (KERAS_GATES[mode], GATES[mode])
    blocks = np.split(a, len(src), axis=0)
    return np.concatenate([blocks[src.index(g)] for g in dst], axis=0)


def _stack(obj: Any) -> list[Any]:
    """The recurrent layers of ``obj``, bottom to top (a layer, a Bidirectional, or a Sequential of them)."""
    keras = _keras()
    if isinstance(obj, keras.layers.RNN | keras.layers.Bidirectional):
        return [obj]
    layers = [layer for layer in getattr(obj, "layers", []) if not isinstance(layer, keras.layers.InputLayer)]
    if not layers or not all(isinstance(layer, keras.layers.RNN | keras.layers.Bidirectional) for layer in layers):
        kinds = [type(layer).__name__ for layer in layers] or type(obj).__name__
        raise TypeError(f"layer: expected a Keras LSTM, GRU or SimpleRNN, a Bidirectional of one, or a Sequential of them, got {kinds}")
    return layers


def _directions(layer: Any) -> list[Any]:
    keras = _keras()
    if isinstance(layer, keras.layers.Bidirectional):
        if layer.merge_mode != "concat":
            raise ValueError(f"layer: Bidirectional(merge_mode={layer.merge_mode!r}) has no PyTorch equivalent; PyTorch concatenates (merge_mode='concat')")
        return [layer.forward_layer, layer.backward_layer]
    return [layer]


def _name(rnn: Any) -> str:
    """lstm_ref's name of one Keras recurrent layer (see `lstm_ref.params.mode`), after checking its activations."""
    name = type(rnn).__name__
    if name not in _CLASSES:
        raise TypeError(f"layer: expected LSTM, GRU or SimpleRNN, got {name}")
    cell = rnn.cell
    act = cell.activation.__name__
    if name == "SimpleRNN":
        if act not in ("tanh", "relu"):
            raise ValueError(f"layer: SimpleRNN(activation={act!r}); PyTorch's RNN has tanh or relu")
        return f"rnn_{act}"
    gate = cell.recurrent_activation.__name__
    if (act, gate) != ("tanh", "sigmoid"):
        raise ValueError(f"layer: {name}(activation={act!r}, recurrent_activation={gate!r}); PyTorch's {name} is tanh with sigmoid gates")
    if name == "GRU":
        return "gru" if cell.reset_after else "gru_before"
    return "lstm"


def config_from_keras(obj: Any) -> RecurrentConfig:
    """The `RecurrentConfig` of a Keras recurrent layer, Bidirectional, or stack (``batch_first=True``)."""
    stack = _stack(obj)
    firsts = [_directions(layer)[0] for layer in stack]
    names = {_name(d) for layer in stack for d in _directions(layer)}
    if len(names) != 1:
        raise ValueError(f"layer: every layer of a stack must be the same kind, got {sorted(names)}")
    units = {d.units for layer in stack for d in _directions(layer)}
    biases = {d.cell.use_bias for layer in stack for d in _directions(layer)}
    bidirectional = {len(_directions(layer)) == 2 for layer in stack}
    backwards = {bool(layer.go_backwards) for layer in stack if len(_directions(layer)) == 1}
    if len(units) != 1 or len(biases) != 1 or len(bidirectional) != 1 or len(backwards) > 1:
        raise ValueError("layer: every layer of a stack needs the same units, use_bias, directions and go_backwards (as in one network)")
    (name,), (H,) = names, units
    kernel = firsts[0].cell.kernel
    return RecurrentConfig(
        mode(name),
        input_size=int(kernel.shape[0]),
        hidden_size=int(H),
        num_layers=len(stack),
        bias=biases.pop(),
        batch_first=True,
        bidirectional=bidirectional.pop(),
        gru_reset=gru_reset(name),
        go_backwards=backwards.pop() if backwards else False,
    )


def params_from_keras(obj: Any) -> Params:
    """The configuration and a copy of the weights, as PyTorch lays them out, in the active backend.

    Examples:
        >>> keras = _keras()  # Keras 3; on PyTorch where TensorFlow is not installed
        >>> layer = keras.layers.GRU(4, reset_after=False, dtype="float64")
        >>> layer.build((None, None, 3))
        >>> params = params_from_keras(layer)
        >>> params.config.gru_reset, {k: tuple(a.shape) for k, a in params.named().items()}
        ('before', {'weight_ih_l0': (12, 3), 'weight_hh_l0': (12, 4), 'bias_ih_l0': (12,), 'bias_hh_l0': (12,)})
    """
    config = config_from_keras(obj)
    cells = [rnn.cell for layer in _stack(obj) for rnn in _directions(layer)]
    return from_keras_weights(config, [{name: _numpy(getattr(c, name)) for name in _weight_names(config)} for c in cells])


def _weight_names(config: RecurrentConfig) -> tuple[str, ...]:
    """A Keras cell's weights, in the order of ``get_weights()``."""
    return ("kernel", "recurrent_kernel", "bias") if config.bias else ("kernel", "recurrent_kernel")


KerasWeights = dict[str, np.ndarray]  # "kernel", "recurrent_kernel" and, with biases, "bias"


def to_keras_weights(params: Params) -> list[KerasWeights]:
    """The weights of each Keras cell (layer by layer, forward direction first), as NumPy arrays.

    Needs no Keras: this is the whole layout conversion. Kernels are transposed, GRU blocks
    reordered to z, r, h, and the two biases become one: their sum, or for a GRU that resets
    after the product (``reset_after=True``) the two rows of a ``(2, 3H)`` bias.

    Examples:
        >>> from lstm_ref.params import RecurrentConfig, init_params
        >>> [{k: v.shape for k, v in w.items()} for w in to_keras_weights(init_params(RecurrentConfig("gru", 3, 4)))]
        [{'kernel': (3, 12), 'recurrent_kernel': (4, 12), 'bias': (2, 12)}]
    """
    cfg = params.config
    if cfg.proj_size:
        raise ValueError("params: Keras's LSTM has no projection (proj_size); it cannot be converted")
    if cfg.lstm_variant != "vanilla":
        raise ValueError(f"params: Keras has no {cfg.lstm_variant!r} LSTM; only the vanilla LSTM converts")
    keras_order = lambda a: _reorder(to_numpy(a), cfg.mode, to_keras=True)  # noqa: E731
    out = []
    for p in params.layers:
        weights = {"kernel": keras_order(p.W_ih).T, "recurrent_kernel": keras_order(p.W_hh).T}
        if cfg.bias:
            b_ih, b_hh = (keras_order(b) for b in p.biases)
            weights["bias"] = np.stack([b_ih, b_hh]) if cfg.mode == "gru" and cfg.gru_reset == "after" else b_ih + b_hh
        out.append({k: np.ascontiguousarray(v) for k, v in weights.items()})
    return out


def from_keras_weights(config: RecurrentConfig, weights: list[KerasWeights]) -> Params:
    """`Params` from each Keras cell's weights (the inverse of `to_keras_weights`), in the active backend.

    A one-row bias goes to ``b_ih`` with ``b_hh = 0``: the same sum, so the same function.

    Examples:
        >>> import numpy as np
        >>> from lstm_ref.params import RecurrentConfig
        >>> cfg = RecurrentConfig("lstm", 3, 2, batch_first=True)
        >>> kernel = np.arange(24.0).reshape(3, 8)              # (I, 4H): columns i | f | c | o
        >>> p = from_keras_weights(cfg, [{"kernel": kernel, "recurrent_kernel": np.zeros((2, 8)), "bias": np.ones(8)}])
        >>> p.layers[0].W_ih[2:4]                                 # PyTorch's forget rows = Keras's f columns
        array([[ 2., 10., 18.],
               [ 3., 11., 19.]])
        >>> p.layers[0].b_hh
        array([0., 0., 0., 0., 0., 0., 0., 0.])
    """
    if len(weights) != len(config.suffixes()):
        raise ValueError(f"weights: expected one dict per layer and direction ({len(config.suffixes())}), got {len(weights)}")
    xp = backend_namespace()
    arrays: dict[str, Any] = {}
    torch_order = lambda a: _reorder(np.asarray(a), config.mode, to_keras=False)  # noqa: E731
    for suffix, w in zip(config.suffixes(), weights, strict=True):
        arrays[f"weight_ih{suffix}"] = torch_order(w["kernel"].T)
        arrays[f"weight_hh{suffix}"] = torch_order(w["recurrent_kernel"].T)
        if config.bias:
            bias = np.asarray(w["bias"])
            b_ih, b_hh = (bias[0], bias[1]) if bias.ndim == 2 else (bias, np.zeros_like(bias))
            arrays[f"bias_ih{suffix}"], arrays[f"bias_hh{suffix}"] = torch_order(b_ih), torch_order(b_hh)
    return Params.from_named(config, {k: asarray(np.ascontiguousarray(v), xp=xp) for k, v in arrays.items()})


def _numpy(variable: Any) -> np.ndarray:
    """A copy of a Keras variable's value (a torch tensor on the torch backend, read without autograd)."""
    value = variable.value
    if hasattr(value, "detach"):
        return value.detach().cpu().numpy().copy()
    return np.array(value)


def to_keras(params: Params, *, return_sequences: bool = True, return_state: bool = False) -> Any:
    """An equivalent Keras layer: ``Bidirectional`` when bidirectional, a ``Sequential`` when stacked.

    ``return_sequences`` and ``return_state`` are those of the (top) Keras layer; a
    stack cannot return its states (a ``Sequential`` returns one tensor).

    Examples:
        >>> from lstm_ref.params import RecurrentConfig, init_params
        >>> layer = to_keras(init_params(RecurrentConfig("lstm", 3, 4, bidirectional=True)))
        >>> type(layer).__name__, [tuple(w.shape) for w in layer.weights][:3]
        ('Bidirectional', [(3, 16), (4, 16), (16,)])
    """
    cfg = params.config
    cells = iter(to_keras_weights(params))  # checks that Keras has this network
    if return_state and cfg.num_layers > 1:
        raise ValueError("return_state: a stack becomes a keras.Sequential, which returns one tensor; convert each layer instead")
    keras = _keras()
    dtype = str(to_numpy(params.layers[0].W_ih).dtype)
    cls = {"lstm": keras.layers.LSTM, "gru": keras.layers.GRU}.get(cfg.mode, keras.layers.SimpleRNN)
    options: dict[str, Any] = {"use_bias": cfg.bias, "dtype": dtype, "go_backwards": cfg.go_backwards}
    if cfg.mode.startswith("rnn"):
        options["activation"] = cfg.mode.removeprefix("rnn_")
    if cfg.mode == "gru":
        options["reset_after"] = cfg.gru_reset == "after"
    stack = []
    for layer in range(cfg.num_layers):
        top = layer == cfg.num_layers - 1
        flags = {"return_sequences": return_sequences if top else True, "return_state": return_state and top}
        built = cls(cfg.hidden_size, **flags, **options)
        if cfg.bidirectional:
            built = keras.layers.Bidirectional(built, merge_mode="concat", dtype=dtype)
        built.build((None, None, cfg.layer_input_size(layer)))
        built.set_weights([w for _ in range(cfg.num_directions) for w in map(next(cells).__getitem__, _weight_names(cfg))])
        stack.append(built)
    if cfg.num_layers == 1:
        return stack[0]
    return keras.Sequential([keras.Input((None, cfg.input_size), dtype=dtype), *stack])
