"""Round trips with PyTorch: ``params_from_torch(module)`` and ``to_torch(params)``.

``lstm_ref.from_torch(module)`` (in `lstm_ref.model`) wraps the parameters in a
`Recurrent`; this module knows only parameters, so it depends on nothing above them.

PyTorch is needed only here, and only when these functions are called: it is
imported lazily and never at ``import lstm_ref``.

The mapping is one to one: ``module.weight_ih_l0`` is ``params.layers[0].W_ih``,
``bias_hh_l1_reverse`` is ``layers[3].b_hh`` (two layers, bidirectional), and
so on (`lstm_ref.params.Params.named`). A model built this way agrees
with the module to rounding error in float64.
"""

from __future__ import annotations

from typing import Any

from .backend import asarray, backend_namespace, to_numpy
from .params import Params, RecurrentConfig, mode

__all__ = ["config_from_torch", "params_from_torch", "to_torch"]


def _torch() -> Any:
    try:
        import torch
    except ImportError as exc:  # pragma: no cover - exercised only without torch
        raise ImportError("this needs PyTorch: pip install torch") from exc
    return torch


def config_from_torch(module: Any) -> RecurrentConfig:
    """The `RecurrentConfig` of a ``torch.nn.RNN``, ``LSTM`` or ``GRU``."""
    torch = _torch()
    if not isinstance(module, torch.nn.RNNBase) or module.mode not in ("RNN_TANH", "RNN_RELU", "LSTM", "GRU"):
        raise TypeError(f"module: expected torch.nn.RNN, LSTM or GRU, got {type(module).__name__}")
    return RecurrentConfig(
        mode=mode(module.mode),
        input_size=module.input_size,
        hidden_size=module.hidden_size,
        num_layers=module.num_layers,
        bias=module.bias,
        batch_first=module.batch_first,
        bidirectional=module.bidirectional,
        proj_size=getattr(module, "proj_size", 0),
        dropout=float(module.dropout),
    )


def params_from_torch(module: Any) -> Params:
    """The module's configuration and a copy of its weights, in the active backend and the module's dtype.

    Examples:
        >>> import numpy as np, torch
        >>> params = params_from_torch(torch.nn.GRU(3, 4, bidirectional=True, dtype=torch.float64))
        >>> params.config.mode, len(params.layers), bool(np.all(params.named()["weight_hh_l0_reverse"] == 0))
        ('gru', 2, False)
    """
    config = config_from_torch(module)
    xp = backend_namespace()
    arrays = {name: asarray(t.detach().cpu().numpy(), xp=xp) for name, t in module.named_parameters()}
    return Params.from_named(config, arrays)


def to_torch(params: Params) -> Any:
    """A ``torch.nn`` module equivalent to ``params`` (its dtype is the parameters' dtype).

    Examples:
        >>> from lstm_ref.params import RecurrentConfig, init_params
        >>> module = to_torch(init_params(RecurrentConfig("gru", 3, 4, bidirectional=True)))
        >>> type(module).__name__, module.weight_hh_l0_reverse.shape
        ('GRU', torch.Size([12, 4]))
    """
    torch = _torch()
    cfg = params.config
    if cfg.lstm_variant != "vanilla":
        raise ValueError(f"params: torch.nn.LSTM has no {cfg.lstm_variant!r} variant; only the vanilla LSTM converts")
    if cfg.go_backwards:
        raise ValueError(
            "params: a torch.nn module reads backwards only inside a bidirectional layer; go_backwards=True has no "
            "equivalent (it is the module run on the time-reversed input)"
        )
    if cfg.mode == "gru" and cfg.gru_reset != "after":
        raise ValueError("params: torch.nn.GRU applies the reset after the recurrent product; gru_reset='before' has no torch equivalent")
    cls = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU}.get(cfg.mode, torch.nn.RNN)
    options: dict[str, Any] = {}
    if cfg.mode.startswith("rnn"):
        options["nonlinearity"] = cfg.mode.removeprefix("rnn_")
    if cfg.mode == "lstm":
        options["proj_size"] = cfg.proj_size
    named = params.named()
    dtype = getattr(torch, str(to_numpy(next(iter(named.values()))).dtype))
    module = cls(
        cfg.input_size,
        cfg.hidden_size,
        num_layers=cfg.num_layers,
        bias=cfg.bias,
        batch_first=cfg.batch_first,
        dropout=cfg.dropout,
        bidirectional=cfg.bidirectional,
        dtype=dtype,
        **options,
    )
    with torch.no_grad():
        for name, tensor in module.named_parameters():
            tensor.copy_(torch.from_numpy(to_numpy(named[name]).copy()))
    return module
