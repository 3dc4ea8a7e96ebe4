"""Bidirectional LSTM context encoder (spaCy's spacy.TorchBiLSTMEncoder.v1).

Unlike the window CNN, whose receptive field is 2 * depth * window_size + 1 tokens, an
LSTM reads the whole doc: every token's output depends on every other token of its doc.
That usually buys tagging/parsing accuracy at a speed cost (sequential over tokens).

Each doc is its own sequence: the batch is packed with `pack_padded_sequence`, so the
recurrence starts fresh for every doc, never crosses into a neighbour and never sees
padding. A doc's output is therefore the same whatever else is in its batch (up to float
rounding: the packed kernels multiply a different number of rows per time step).

Like the CNN blocks (Maxout -> LayerNorm, added to the input) the LSTM stack is wrapped
in a residual connection: output = X + LayerNorm(BiLSTM(X)). It costs one LayerNorm per
batch and keeps the context-free embedding directly visible to the heads, which makes
training start faster and keeps deep stacks stable.
"""
from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from ..errors import Errors, HeronValueError
from ..registry import registry
from .layers import check_positive


class BiLSTMEncoder(nn.Module):
    """`depth` stacked bidirectional LSTM layers, residual + LayerNorm around the stack.

    forward(X (B, T, W), mask (B, T)) -> (B, T, W), zero on padding. The mask must be a
    prefix mask (each row's real tokens first), as `heron.featurize` makes it.

    width (int): input and output width; each direction has width // 2 hidden units, so
        width must be even (E156). Recommended 128-256.
    depth (int): stacked bidirectional layers. Recommended 1-2; more rarely helps and
        each layer adds a full sequential pass.
    dropout (float): dropout on the outputs of each LSTM layer except the last (torch's
        nn.LSTM `dropout`), so it only acts when depth >= 2, and only in train mode.
        Fixed by the config: `[training] dropout` does not change it. Recommended 0.0-0.3.
    """

    def __init__(self, width: int, depth: int, dropout: float = 0.0):
        super().__init__()
        name = "TorchBiLSTMEncoder"
        check_positive(name, "width", width, minimum=2, recommended="128-256")
        if width % 2:
            raise HeronValueError(Errors.E156.format(layer=name, arg="width", value=width,
                                                     recommended="128-256"))
        check_positive(name, "depth", depth, recommended="1-2")
        if isinstance(dropout, bool) or not isinstance(dropout, (int, float)) or not 0.0 <= dropout < 1.0:
            raise HeronValueError(Errors.E152.format(layer=name, arg="dropout", value=dropout,
                                                     expected="a probability in [0, 1)",
                                                     recommended="0.0-0.3"))
        self.width, self.depth, self.dropout = width, depth, float(dropout)
        # torch warns about (and ignores) dropout on a 1-layer LSTM: pass 0 there.
        self.lstm = nn.LSTM(width, width // 2, num_layers=depth, bidirectional=True,
                            batch_first=True, dropout=self.dropout if depth > 1 else 0.0)
        self.norm = nn.LayerNorm(width)
        self._init_forget_bias()

    def _init_forget_bias(self) -> None:
        # Forget-gate bias 1 (Jozefowicz et al. 2015): gradients flow over long docs from
        # the first step. torch orders gate biases input, forget, cell, output.
        hidden = self.width // 2
        with torch.no_grad():
            for name, param in self.lstm.named_parameters():
                if name.startswith("bias_ih"):
                    param[hidden: 2 * hidden].fill_(1.0)
                elif name.startswith("bias_hh"):
                    param[hidden: 2 * hidden].zero_()

    def forward(self, X: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        out = X.new_zeros(*mask.shape, self.width)  # (B, T, W)
        lengths = mask.sum(dim=1)  # (B,)
        nonempty = lengths > 0
        if not bool(nonempty.any()):
            return out
        # pack_padded_sequence rejects zero-length rows: empty docs stay all-zero.
        rows = nonempty.nonzero(as_tuple=True)[0]
        lengths = lengths[rows]
        T = int(lengths.max())
        packed = pack_padded_sequence(X[rows, :T], lengths.cpu(), batch_first=True,
                                      enforce_sorted=False)
        H, _ = pad_packed_sequence(self.lstm(packed)[0], batch_first=True, total_length=T)
        # Rows are in ascending order and empty docs / columns >= T hold no tokens, so
        # H[mask[rows, :T]] lists the tokens in the same row-major order as X[mask].
        out[mask] = X[mask] + self.norm(H[mask[rows, :T]])  # residual
        return out


@registry.architectures("heron.TorchBiLSTMEncoder.v1")
def build_bilstm_encoder(*, width: int, depth: int, dropout: float = 0.0) -> BiLSTMEncoder:
    """Encode context with a bidirectional LSTM (spaCy's TorchBiLSTMEncoder.v1).

    Every token sees its whole doc (the window CNN sees 2 * depth * window_size + 1
    tokens): usually more accurate for tagging and parsing, slower on CPU.

    width (int): input and output width; must be even (each direction gets width // 2
        units). Recommended 128-256.
    depth (int): stacked bidirectional layers. Recommended 1-2.
    dropout (float): between stacked layers (no effect when depth = 1). Recommended 0.0-0.3.
    """
    return BiLSTMEncoder(width, depth, dropout)


__all__ = ["BiLSTMEncoder", "build_bilstm_encoder"]
