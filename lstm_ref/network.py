"""A whole network: stacked layers, both directions, ``batch_first``, initial states.

This is ``torch.nn.RNN/LSTM/GRU``'s forward (and its backward) as pure functions
over `Params`:

* layer ``l`` reads the input (``l = 0``) or the previous layer's output;
* the reverse direction runs the same layer code on the time-reversed sequence;
  the directions' outputs are concatenated: ``(T, B, D*R)``;
* with ``go_backwards`` (one direction), every layer reads its input reversed and
  returns its outputs in that reading order, as Keras does;
* states are ``(L*D, B, R)`` (``h``) and ``(L*D, B, H)`` (LSTM ``c``), in the
  order of ``Params.layers``; they are never batch-first, as in PyTorch.

Examples:
    >>> import numpy as np
    >>> from lstm_ref.params import RecurrentConfig, init_params
    >>> cfg = RecurrentConfig("lstm", 3, 2, num_layers=2, bidirectional=True)
    >>> params = init_params(cfg, seed=0)
    >>> out, (h_n, c_n), cache = forward(params, np.ones((5, 4, 3)))
    >>> out.shape, h_n.shape, c_n.shape
    ((5, 4, 4), (4, 4, 2), (4, 4, 2))
    >>> grads = backward(cache, np.ones_like(out))
    >>> grads.input.shape, grads.params.named()["weight_hh_l1_reverse"].shape
    ((5, 4, 3), (8, 2))
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any, NamedTuple

from .backend import Array, namespace
from .grad_mode import for_backward, is_grad_enabled
from .gru import gru_layer, gru_layer_backward
from .lstm import lstm_layer, lstm_layer_backward
from .params import Params, RecurrentConfig
from .rnn import Nonlinearity, rnn_layer, rnn_layer_backward
from .validation import check_array, check_finite, check_shape

__all__ = ["ForwardCache", "Gradients", "backward", "backward_parts", "forward", "forward_parts", "layer_functions"]

State = Any  # h_0, or (h_0, c_0) for an LSTM


class ForwardCache(NamedTuple):
    """Everything `backward` needs from one `forward` call.

    Examples:
        >>> import numpy as np
        >>> from lstm_ref.params import RecurrentConfig, init_params
        >>> _, _, cache = forward(init_params(RecurrentConfig("rnn_tanh", 3, 2, num_layers=2)), np.ones((4, 1, 3)))
        >>> len(cache.layer_caches), cache.output_shape
        (2, (4, 1, 2))
    """

    params: Params
    layer_caches: tuple[Any, ...]  # one per (layer, direction), as Params.layers; None inside no_grad
    output_shape: tuple[int, ...]


class Gradients(NamedTuple):
    """Gradients of a scalar loss: parameters (same structure), input, initial state.

    Examples:
        >>> import numpy as np
        >>> from lstm_ref.params import RecurrentConfig, init_params
        >>> out, _, cache = forward(init_params(RecurrentConfig("lstm", 3, 2)), np.ones((4, 1, 3)))
        >>> g = backward(cache, np.ones_like(out))
        >>> g.input.shape, [s.shape for s in g.state], g.params.layers[0].W_hh.shape
        ((4, 1, 3), [(1, 1, 2), (1, 1, 2)], (8, 2))
    """

    params: Params
    input: Array
    state: State  # ∂L/∂h_0, or (∂L/∂h_0, ∂L/∂c_0)


def layer_functions(config: RecurrentConfig) -> tuple[Callable[..., Any], Callable[..., Any]]:
    """The ``(layer, layer_backward)`` pair of a config's mode, with its options bound."""
    if config.mode == "lstm":
        if config.lstm_variant == "vanilla":
            return lstm_layer, lstm_layer_backward
        return partial(lstm_layer, variant=config.lstm_variant), partial(lstm_layer_backward, variant=config.lstm_variant)
    if config.mode == "gru":
        return partial(gru_layer, reset=config.gru_reset), partial(gru_layer_backward, reset=config.gru_reset)
    nonlinearity: Nonlinearity = "tanh" if config.mode == "rnn_tanh" else "relu"
    return partial(rnn_layer, nonlinearity=nonlinearity), partial(rnn_layer_backward, nonlinearity=nonlinearity)


def _check_parts(cfg: RecurrentConfig, parts: tuple[Array, ...], batch: int, dtype: Any, arg: str) -> tuple[Array, ...]:
    names = [arg] if len(parts) == 1 else [f"{arg}[{k}] ({name})" for k, name in enumerate(cfg.state_names)]
    for name, part, shape in zip(names, parts, cfg.state_shapes(batch), strict=True):
        check_array(name, part, ndim=3, dtype=dtype)
        check_shape(name, part, shape)
        check_finite(name, part)
    return parts


def _time_major(cfg: RecurrentConfig, a: Array) -> Array:
    return namespace(a).permute_dims(a, (1, 0, 2)) if cfg.batch_first else a


def forward(params: Params, x: Array, state: State | None = None) -> tuple[Array, State, ForwardCache]:
    """Run the network on ``x``: ``(T, B, I)``, or ``(B, T, I)`` with ``batch_first``.

    Returns ``(output, final_state, cache)``: output ``(T, B, D*R)`` (batch-first
    if configured), final state shaped like ``state``, and the cache for `backward`.

    Examples:
        >>> import numpy as np
        >>> from lstm_ref.params import RecurrentConfig, init_params
        >>> params = init_params(RecurrentConfig("gru", 3, 4, batch_first=True), seed=0)
        >>> output, h_n, cache = forward(params, np.zeros((2, 7, 3)))   # (B, T, I)
        >>> output.shape, h_n.shape
        ((2, 7, 4), (1, 2, 4))
    """
    cfg = params.config
    output, parts, cache = forward_parts(params, x, None if state is None else cfg.unpack_state(state, "state"))
    return output, cfg.pack_state(parts), cache


def forward_parts(params: Params, x: Array, parts: tuple[Array, ...] | None = None) -> tuple[Array, tuple[Array, ...], ForwardCache]:
    """`forward` with the state as a tuple of parts (`RecurrentConfig.state_names`), as used inside the package.

    Examples:
        >>> import numpy as np
        >>> from lstm_ref.params import RecurrentConfig, init_params
        >>> _, parts, _ = forward_parts(init_params(RecurrentConfig("rnn_tanh", 3, 4)), np.zeros((2, 1, 3)))
        >>> [p.shape for p in parts]
        [(1, 1, 4)]
    """
    cfg = params.config
    dtype = params.layers[0].W_ih.dtype
    check_array("x", x, ndim=3, dtype=dtype)
    xp = namespace(x)
    if namespace(params.layers[0].W_ih) is not xp:
        raise TypeError("x: its array library differs from the parameters'; convert one (Params.to(xp)) or use use_backend()")
    x = _time_major(cfg, x)
    T, B, I = x.shape
    layout = "(B, T, I)" if cfg.batch_first else "(T, B, I)"
    if T == 0 or B == 0:
        raise ValueError(f"x: empty sequence or batch, shape {layout} = {tuple(_time_major(cfg, x).shape)}")
    if I != cfg.input_size:
        raise ValueError(f"x: expected last dimension input_size={cfg.input_size}, got shape {tuple(_time_major(cfg, x).shape)}")
    check_finite("x", x)
    if parts is None:
        parts = tuple(xp.zeros(shape, dtype=dtype) for shape in cfg.state_shapes(B))
    else:
        parts = _check_parts(cfg, tuple(parts), B, dtype, "state")
    layer, _ = layer_functions(cfg)
    D = cfg.num_directions
    finals: list[list[Array]] = [[] for _ in parts]
    caches = []
    layer_input = x
    for l in range(cfg.num_layers):
        outputs = []
        for d in range(D):
            idx = l * D + d
            reads_backwards = d == 1 or cfg.go_backwards
            seq = xp.flip(layer_input, axis=0) if reads_backwards else layer_input
            out, final, cache = layer(seq, tuple(part[idx, ...] for part in parts), params.layers[idx])
            outputs.append(xp.flip(out, axis=0) if d == 1 else out)  # go_backwards keeps its outputs in reading order
            caches.append(cache)
            for store, value in zip(finals, final, strict=True):
                store.append(value)
        layer_input = outputs[0] if D == 1 else xp.concat(outputs, axis=-1)
    # a copy: with one direction the last layer's output is a view of its cache, and
    # editing the returned array in place must not change what backward sees (no cache: no copy)
    output = _time_major(cfg, xp.asarray(layer_input, copy=True) if D == 1 and is_grad_enabled() else layer_input)
    return output, tuple(xp.stack(store) for store in finals), ForwardCache(params, tuple(caches), tuple(output.shape))


def backward(
    cache: ForwardCache,
    d_output: Array,
    d_final_state: State | None = None,
    *,
    truncate: int | None = None,
) -> Gradients:
    """Backpropagation through time for the `forward` call that made ``cache``.

    Args:
        cache: from `forward`.
        d_output: ``∂L/∂output``, shaped like the output.
        d_final_state: ``∂L/∂final_state`` (default zeros).
        truncate: cut the recurrent gradient every ``truncate`` steps, as
            ``h.detach()`` between chunks of ``truncate`` steps would (each
            direction counts steps in its own order).

    Examples:
        >>> import numpy as np
        >>> from lstm_ref.params import RecurrentConfig, init_params
        >>> params = init_params(RecurrentConfig("rnn_relu", 3, 4), seed=0)
        >>> output, h_n, cache = forward(params, np.ones((6, 2, 3)))
        >>> grads = backward(cache, np.zeros_like(output), np.ones_like(h_n), truncate=3)
        >>> grads.params.named()["weight_hh_l0"].shape, grads.input.shape
        ((4, 4), (6, 2, 3))
    """
    for layer_cache in cache.layer_caches:
        for_backward(layer_cache)
    cfg = cache.params.config
    d_parts = None if d_final_state is None else cfg.unpack_state(d_final_state, "d_final_state")
    grads, d_input, d_initial = backward_parts(cache, d_output, d_parts, truncate=truncate)
    return Gradients(params=grads, input=d_input, state=cfg.pack_state(d_initial))


def backward_parts(
    cache: ForwardCache,
    d_output: Array,
    d_parts: tuple[Array, ...] | None = None,
    *,
    truncate: int | None = None,
) -> tuple[Params, Array, tuple[Array, ...]]:
    """`backward` with states as tuples of parts: ``(parameter gradients, ∂L/∂input, ∂L/∂initial state parts)``."""
    params = cache.params
    cfg = params.config
    dtype = params.layers[0].W_ih.dtype
    check_array("d_output", d_output, ndim=3, dtype=dtype)
    check_shape("d_output", d_output, cache.output_shape)
    check_finite("d_output", d_output)
    if truncate is not None and (not isinstance(truncate, int) or truncate < 1):
        raise ValueError(f"truncate: expected a positive number of steps or None, got {truncate!r}")
    xp = namespace(d_output)
    d_layer_output = _time_major(cfg, d_output)
    B = d_layer_output.shape[1]
    if d_parts is None:
        d_parts = tuple(xp.zeros(shape, dtype=dtype) for shape in cfg.state_shapes(B))
    else:
        d_parts = _check_parts(cfg, tuple(d_parts), B, dtype, "d_final_state")
    _, layer_backward = layer_functions(cfg)
    D, R = cfg.num_directions, cfg.state_size
    layer_grads: list[Any] = [None] * len(params.layers)
    d_initial: list[list[Array]] = [[None] * len(params.layers) for _ in d_parts]
    for l in range(cfg.num_layers - 1, -1, -1):
        d_input = None
        for d in range(D):
            idx = l * D + d
            d_out = d_layer_output[..., d * R : (d + 1) * R]
            if d == 1:
                d_out = xp.flip(d_out, axis=0)
            dx, d_state0, layer_grads[idx] = layer_backward(
                d_out, tuple(part[idx, ...] for part in d_parts), cache.layer_caches[idx], params.layers[idx], truncate=truncate
            )
            if d == 1 or cfg.go_backwards:
                dx = xp.flip(dx, axis=0)
            d_input = dx if d_input is None else d_input + dx
            for store, value in zip(d_initial, d_state0, strict=True):
                store[idx] = value
        d_layer_output = d_input
    return Params(cfg, tuple(layer_grads)), _time_major(cfg, d_layer_output), tuple(xp.stack(store) for store in d_initial)
