"""Parameters and configuration, in PyTorch's layout and naming.

One layer and direction of a recurrent network owns a `CellParams`:

* ``W_ih`` ``(G*H, I)`` and ``W_hh`` ``(G*H, R)``: the gate blocks stacked in
  PyTorch's order — LSTM ``i, f, g, o`` (G=4), GRU ``r, z, n`` (G=3),
  vanilla RNN one block (G=1);
* ``b_ih`` and ``b_hh`` ``(G*H,)``: two biases, both added (as cuDNN does);
  ``None`` when built with ``bias=False``;
* ``W_hr`` ``(P, H)``: LSTM output projection (``proj_size=P``), else ``None``.

``R`` is the size of the recurrent state ``h``: ``H``, or ``P`` with a projection.
`RecurrentConfig` holds the ``torch.nn.RNN/LSTM/GRU`` constructor
options and `Params` ties a config to one ``CellParams`` per layer and
direction, ordered as PyTorch's ``weight_ih_l0``, ``weight_ih_l0_reverse``,
``weight_ih_l1``, ...

Examples:
    >>> cfg = RecurrentConfig("lstm", input_size=3, hidden_size=2)
    >>> params = init_params(cfg, seed=0)
    >>> {name: tuple(a.shape) for name, a in params.named().items()}
    {'weight_ih_l0': (8, 3), 'weight_hh_l0': (8, 2), 'bias_ih_l0': (8,), 'bias_hh_l0': (8,)}
"""

from __future__ import annotations

import dataclasses
import math
import typing
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Literal

import numpy as np

from .backend import Array, asarray, backend_namespace, namespace

__all__ = [
    "GATES",
    "STATES",
    "CellParams",
    "Mode",
    "Params",
    "RecurrentConfig",
    "gru_reset",
    "init_params",
    "mode",
    "set_forget_bias",
]

Mode = Literal["rnn_tanh", "rnn_relu", "lstm", "gru"]
Reset = Literal["after", "before"]
Variant = Literal["vanilla", "no_forget", "cifg", "peephole"]

#: Gate blocks of each mode, in the row order of ``W_ih`` and ``W_hh``.
GATES: dict[str, tuple[str, ...]] = {
    "rnn_tanh": ("h",),
    "rnn_relu": ("h",),
    "lstm": ("i", "f", "g", "o"),
    "gru": ("r", "z", "n"),
}

#: Every name a network goes by, and the ``(mode, gru_reset)`` it stands for: the modes themselves,
#: PyTorch's ``module.mode``, the commands' ``rnn`` (the tanh RNN) and ``gru_before`` (the GRU with
#: the reset applied before the recurrent product).
_NAMES: dict[str, tuple[Mode, Reset]] = {
    "rnn_tanh": ("rnn_tanh", "after"),
    "rnn_relu": ("rnn_relu", "after"),
    "lstm": ("lstm", "after"),
    "gru": ("gru", "after"),
    "rnn": ("rnn_tanh", "after"),
    "gru_before": ("gru", "before"),
    "RNN_TANH": ("rnn_tanh", "after"),
    "RNN_RELU": ("rnn_relu", "after"),
    "LSTM": ("lstm", "after"),
    "GRU": ("gru", "after"),
}


def mode(name: str) -> Mode:
    """The `RecurrentConfig` mode that ``name`` stands for (every alias is mapped here, and only here).

    Examples:
        >>> mode("rnn"), mode("LSTM"), mode("gru_before")
        ('rnn_tanh', 'lstm', 'gru')
        >>> mode("lstn")
        Traceback (most recent call last):
        ...
        ValueError: mode: expected one of rnn_tanh, rnn_relu, lstm, gru, rnn, gru_before, RNN_TANH, RNN_RELU, LSTM, GRU; got 'lstn'
    """
    return _named(name)[0]


def gru_reset(name: str) -> Reset:
    """Where the reset gate of the network ``name`` applies: ``"before"`` for ``gru_before``, else ``"after"``.

    Examples:
        >>> gru_reset("gru_before"), gru_reset("gru")
        ('before', 'after')
    """
    return _named(name)[1]


def _named(name: str) -> tuple[Mode, Reset]:
    try:
        return _NAMES[name]
    except (KeyError, TypeError):
        raise ValueError(f"mode: expected one of {', '.join(_NAMES)}; got {name!r}") from None


#: The recurrent state of each mode, in the order of an LSTM's ``(h, c)`` pair.
STATES: dict[str, tuple[str, ...]] = {m: ("h", "c") if m == "lstm" else ("h",) for m in GATES}

# attribute name -> PyTorch name stem
_TORCH_STEMS = {"W_ih": "weight_ih", "W_hh": "weight_hh", "b_ih": "bias_ih", "b_hh": "bias_hh", "W_hr": "weight_hr", "w_peep": "peephole"}
LSTM_VARIANTS: tuple[Variant, ...] = typing.get_args(Variant)


@dataclass(frozen=True)
class CellParams:
    """Weights of one layer and direction (see the module docstring for shapes).

    Examples:
        >>> import numpy as np
        >>> p = CellParams(W_ih=np.zeros((8, 3)), W_hh=np.zeros((8, 2)))   # an LSTM layer without biases
        >>> p.input_size, p.state_size, p.hidden_size(n_gates=4), [name for name, _ in p.items()]
        (3, 2, 2, ['W_ih', 'W_hh'])
    """

    W_ih: Array  # (G*H, I)
    W_hh: Array  # (G*H, R)
    b_ih: Array | None = None  # (G*H,)
    b_hh: Array | None = None  # (G*H,)
    W_hr: Array | None = None  # (P, H), LSTM projection only
    w_peep: Array | None = None  # (3, H), peephole LSTM only: rows for i, f, o (not in PyTorch)

    @property
    def input_size(self) -> int:
        return int(self.W_ih.shape[1])

    @property
    def state_size(self) -> int:
        """R: size of the recurrent state ``h`` (``proj_size`` if projected, else ``hidden_size``)."""
        return int(self.W_hh.shape[1])

    def hidden_size(self, n_gates: int) -> int:
        return int(self.W_ih.shape[0]) // n_gates

    @property
    def biases(self) -> tuple[Array, Array]:
        """``(b_ih, b_hh)``, for a layer built with ``bias=True``.

        Examples:
            >>> import numpy as np
            >>> b_ih, b_hh = CellParams(np.zeros((4, 1)), np.zeros((4, 1)), b_ih=np.ones(4), b_hh=np.zeros(4)).biases
            >>> b_ih.tolist(), b_hh.tolist()
            ([1.0, 1.0, 1.0, 1.0], [0.0, 0.0, 0.0, 0.0])
            >>> CellParams(np.zeros((4, 1)), np.zeros((4, 1))).biases
            Traceback (most recent call last):
            ...
            ValueError: biases: this layer has none (it was built with bias=False)
        """
        if self.b_ih is None or self.b_hh is None:
            raise ValueError("biases: this layer has none (it was built with bias=False)")
        return self.b_ih, self.b_hh

    def items(self) -> Iterator[tuple[str, Array]]:
        """``(attribute, array)`` pairs for the arrays present, in PyTorch's order."""
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if value is not None:
                yield field.name, value

    def map(self, fn: Callable[[Array], Array]) -> CellParams:
        """A ``CellParams`` with ``fn`` applied to every present array."""
        return dataclasses.replace(self, **{name: fn(a) for name, a in self.items()})


@dataclass(frozen=True)
class RecurrentConfig:
    """The options of ``torch.nn.RNN/LSTM/GRU``, plus the GRU reset convention.

    Attributes:
        mode: ``"rnn_tanh"``, ``"rnn_relu"``, ``"lstm"`` or ``"gru"``.
        input_size: I, features per time step.
        hidden_size: H.
        num_layers: stacked layers; layer ``l > 0`` reads layer ``l-1``'s output.
        bias: whether ``b_ih`` and ``b_hh`` exist.
        batch_first: inputs and outputs are ``(B, T, ·)`` instead of ``(T, B, ·)``.
        bidirectional: a second direction reads the sequence backwards; outputs concatenate.
        proj_size: LSTM only: project ``h`` to this size with ``W_hr`` (0 = none).
        dropout: kept for round trips to PyTorch; lstm_ref has inference semantics
            (no dropout is applied), like a torch module in ``eval()`` mode.
        gru_reset: GRU only: ``"after"`` (PyTorch/cuDNN, ``r * (W_hn h + b_hn)``) or
            ``"before"`` (Cho et al. 2014 v3, d2l: ``W_hn (r * h) + b_hn``).
        go_backwards: one direction only: every layer reads its input from the last step
            to the first and returns its outputs in that order (Keras's ``go_backwards``;
            PyTorch has it only as the reverse half of a bidirectional layer).

    Examples:
        >>> cfg = RecurrentConfig("lstm", input_size=10, hidden_size=20, num_layers=2, bidirectional=True, proj_size=5)
        >>> cfg.n_gates, cfg.num_directions, cfg.state_size, cfg.suffixes()
        (4, 2, 5, ['_l0', '_l0_reverse', '_l1', '_l1_reverse'])
    """

    mode: Mode
    input_size: int
    hidden_size: int
    num_layers: int = 1
    bias: bool = True
    batch_first: bool = False
    bidirectional: bool = False
    proj_size: int = 0
    dropout: float = 0.0
    gru_reset: Reset = "after"
    lstm_variant: Variant = "vanilla"
    go_backwards: bool = False

    def __post_init__(self) -> None:
        if self.mode not in GATES:
            raise ValueError(f"mode: expected one of {tuple(GATES)}, got {self.mode!r}")
        for name in ("input_size", "hidden_size", "num_layers"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"{name}: expected a positive int, got {value!r}")
        if self.proj_size and self.mode != "lstm":
            raise ValueError(f"proj_size: only LSTM supports a projection, got mode {self.mode!r}")
        if not 0 <= self.proj_size < self.hidden_size:
            raise ValueError(f"proj_size: expected 0 <= proj_size < hidden_size={self.hidden_size}, got {self.proj_size}")
        if self.gru_reset not in ("after", "before"):
            raise ValueError(f"gru_reset: expected 'after' or 'before', got {self.gru_reset!r}")
        if self.lstm_variant not in LSTM_VARIANTS:
            raise ValueError(f"lstm_variant: expected one of {LSTM_VARIANTS}, got {self.lstm_variant!r}")
        if self.lstm_variant != "vanilla" and self.mode != "lstm":
            raise ValueError(f"lstm_variant: only an LSTM has variants, got mode {self.mode!r}")
        if self.go_backwards and self.bidirectional:
            raise ValueError("go_backwards: a bidirectional network already reads the sequence both ways")
        if not 0.0 <= self.dropout <= 1.0:
            raise ValueError(f"dropout: expected a probability in [0, 1], got {self.dropout!r}")

    @property
    def n_gates(self) -> int:
        return len(GATES[self.mode])

    @property
    def state_names(self) -> tuple[str, ...]:
        """The parts of the recurrent state: ``("h", "c")`` for an LSTM, ``("h",)`` otherwise."""
        return STATES[self.mode]

    def state_shapes(self, batch: int) -> tuple[tuple[int, int, int], ...]:
        """The shape of each state part for a batch of ``batch``: ``(L*D, B, R)``, and ``(L*D, B, H)`` for ``c``."""
        LD = self.num_layers * self.num_directions
        return tuple((LD, batch, self.state_size if name == "h" else self.hidden_size) for name in self.state_names)

    def pack_state(self, parts: tuple[Array, ...]) -> Any:
        """The public form of a state: the pair ``(h, c)`` for an LSTM, ``h`` alone otherwise.

        Inside the package a state is always a tuple of parts (`state_names`); this and
        `unpack_state` convert at the public edges (`lstm_ref.network.forward`, `backward`).

        Examples:
            >>> RecurrentConfig("gru", 1, 1).pack_state(("h",)), RecurrentConfig("lstm", 1, 1).pack_state(("h", "c"))
            ('h', ('h', 'c'))
        """
        return tuple(parts) if len(self.state_names) > 1 else parts[0]

    def unpack_state(self, state: Any, arg: str = "state") -> tuple[Array, ...]:
        """The parts of a public state (the inverse of `pack_state`); ``arg`` names it in errors.

        Examples:
            >>> RecurrentConfig("lstm", 1, 1).unpack_state("h only")
            Traceback (most recent call last):
            ...
            TypeError: state: an LSTM state is a pair (h, c), got str
        """
        if len(self.state_names) == 1:
            return (state,)
        if not isinstance(state, (tuple, list)) or len(state) != len(self.state_names):
            raise TypeError(f"{arg}: an LSTM state is a pair (h, c), got {type(state).__name__}")
        return tuple(state)

    @property
    def num_directions(self) -> int:
        return 2 if self.bidirectional else 1

    @property
    def state_size(self) -> int:
        """R: size of ``h`` (and of each direction's output)."""
        return self.proj_size or self.hidden_size

    def layer_input_size(self, layer: int) -> int:
        return self.input_size if layer == 0 else self.state_size * self.num_directions

    def suffixes(self) -> list[str]:
        """PyTorch's name suffix of each (layer, direction), in storage order."""
        return [f"_l{layer}{'_reverse' if d else ''}" for layer in range(self.num_layers) for d in range(self.num_directions)]


@dataclass(frozen=True)
class Params:
    """A config and one `CellParams` per layer and direction (``layers[l * D + d]``).

    Examples:
        >>> params = init_params(RecurrentConfig("gru", 3, 4, num_layers=2))
        >>> len(params.layers), list(params.named())[4:6]
        (2, ['weight_ih_l1', 'weight_hh_l1'])
        >>> Params.from_named(params.config, params.named()).layers[1].W_ih.shape
        (12, 4)
    """

    config: RecurrentConfig
    layers: tuple[CellParams, ...]

    def __post_init__(self) -> None:
        cfg = self.config
        expected_count = cfg.num_layers * cfg.num_directions
        if len(self.layers) != expected_count:
            raise ValueError(f"layers: expected {expected_count} CellParams for this config, got {len(self.layers)}")
        for suffix, layer, p in zip(cfg.suffixes(), _layer_indices(cfg), self.layers, strict=True):
            for name, shape in _expected_shapes(cfg, layer).items():
                value = getattr(p, name)
                if shape is None and value is not None:
                    raise ValueError(f"{_TORCH_STEMS[name]}{suffix}: expected None for this config, got an array")
                if shape is not None:
                    if value is None:
                        raise ValueError(f"{_TORCH_STEMS[name]}{suffix}: expected shape {shape}, got None")
                    if tuple(value.shape) != shape:
                        raise ValueError(f"{_TORCH_STEMS[name]}{suffix}: expected shape {shape}, got {tuple(value.shape)}")

    def named(self) -> dict[str, Array]:
        """The arrays keyed by PyTorch's parameter names (``weight_ih_l0``, ``bias_hh_l1_reverse``, ...)."""
        return {f"{_TORCH_STEMS[name]}{suffix}": a for suffix, p in zip(self.config.suffixes(), self.layers, strict=True) for name, a in p.items()}

    @classmethod
    def from_named(cls, config: RecurrentConfig, arrays: Mapping[str, Array]) -> Params:
        """Build from arrays keyed by PyTorch's names; every expected name must be present."""
        layers = []
        for suffix in config.suffixes():
            fields = {attr: arrays.get(f"{stem}{suffix}") for attr, stem in _TORCH_STEMS.items()}
            missing = [f"{_TORCH_STEMS[a]}{suffix}" for a in ("W_ih", "W_hh") if fields[a] is None]
            if missing:
                raise KeyError(f"arrays: missing {missing}")
            layers.append(CellParams(**fields))
        return cls(config, tuple(layers))

    def map(self, fn: Callable[[Array], Array]) -> Params:
        return Params(self.config, tuple(p.map(fn) for p in self.layers))

    def to(self, xp: ModuleType) -> Params:
        """The same parameters as arrays of namespace ``xp``."""
        return self.map(lambda a: asarray(a, xp=xp))


def _layer_indices(cfg: RecurrentConfig) -> list[int]:
    return [layer for layer in range(cfg.num_layers) for _ in range(cfg.num_directions)]


def _expected_shapes(cfg: RecurrentConfig, layer: int) -> dict[str, tuple[int, ...] | None]:
    GH, H, R = cfg.n_gates * cfg.hidden_size, cfg.hidden_size, cfg.state_size
    return {
        "W_ih": (GH, cfg.layer_input_size(layer)),
        "W_hh": (GH, R),
        "b_ih": (GH,) if cfg.bias else None,
        "b_hh": (GH,) if cfg.bias else None,
        "W_hr": (R, H) if cfg.proj_size else None,
        "w_peep": (3, H) if cfg.lstm_variant == "peephole" else None,
    }


def init_params(
    config: RecurrentConfig,
    *,
    seed: int | np.random.Generator = 0,
    dtype: Any = np.float64,
    forget_bias: float | None = None,
    xp: ModuleType | None = None,
) -> Params:
    """PyTorch's default initialisation, every entry ~ U(-1/√H, 1/√H), from a seeded generator.

    Args:
        config: the network to build.
        seed: an int or a ``numpy.random.Generator``; same seed, same parameters.
        dtype: NumPy dtype of the arrays.
        forget_bias: LSTM only: if given, apply `set_forget_bias` with this value.
        xp: namespace of the returned arrays (default: the active backend).

    Examples:
        >>> p = init_params(RecurrentConfig("gru", 4, 8), seed=1)
        >>> bound = 1 / 8 ** 0.5
        >>> all(float(abs(a).max()) <= bound for a in p.named().values())
        True
    """
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    bound = 1.0 / math.sqrt(config.hidden_size)
    xp = xp or backend_namespace()
    layers = []
    for layer in _layer_indices(config):
        shapes = _expected_shapes(config, layer)
        fields = {name: asarray(rng.uniform(-bound, bound, size=shape).astype(dtype), xp=xp) for name, shape in shapes.items() if shape is not None}
        layers.append(CellParams(**fields))
    params = Params(config, tuple(layers))
    return set_forget_bias(params, forget_bias) if forget_bias is not None else params


def set_forget_bias(params: Params, value: float = 1.0) -> Params:
    """Set the LSTM forget-gate bias so that ``b_ih[f] + b_hh[f] == value`` (Jozefowicz et al. 2015).

    A forget bias near 1 keeps the forget gate open (``σ(1) ≈ 0.73``) at the start
    of training, so gradients reach far back before the network has learned to
    remember. PyTorch adds two biases, so ``value`` is put in ``b_ih`` and
    ``b_hh``'s forget block is zeroed.

    Examples:
        >>> p = set_forget_bias(init_params(RecurrentConfig("lstm", 3, 2), seed=0), 1.0)
        >>> p.layers[0].b_ih[2:4] + p.layers[0].b_hh[2:4]
        array([1., 1.])
    """
    cfg = params.config
    if cfg.mode != "lstm":
        raise ValueError(f"params: set_forget_bias needs an LSTM, got mode {cfg.mode!r}")
    if not cfg.bias:
        raise ValueError("params: set_forget_bias needs bias=True (there is no bias to set)")
    H = cfg.hidden_size
    layers = []
    for p in params.layers:
        b_ih, b_hh = p.biases
        xp = namespace(b_ih)
        rows = xp.arange(4 * H)
        in_f = (rows >= H) & (rows < 2 * H)
        b_ih = xp.where(in_f, xp.asarray(value, dtype=b_ih.dtype), b_ih)
        b_hh = xp.where(in_f, xp.asarray(0.0, dtype=b_hh.dtype), b_hh)
        layers.append(dataclasses.replace(p, b_ih=b_ih, b_hh=b_hh))
    return Params(cfg, tuple(layers))
