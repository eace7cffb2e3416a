"""The aspect-term network (torch; imported only when a term model runs or trains).

Input: the frozen token states ``X`` (``T x d``) of the shared multilingual encoder.

* context: ``Z = [LayerNorm(X), BiLSTM(LayerNorm(X))]`` (``d + 2h`` per token);
* tagger: ``MLP(Z_t) -> {O, B, I}`` per token;
* polarity of a mention covering tokens ``[i, j)``: ``s = mean(Z_i..Z_j-1)``; attention
  ``a_t = softmax_t(v . tanh(W_z Z_t + W_s s + E[dist(t, [i, j))]))`` over the tokens within
  ``ATTENTION_WINDOW`` of the mention (the whole sentence, for sentences of normal length), with
  a learned embedding of the bucketed token distance to the mention, so that each mention
  reads its own opinion words; ``MLP([s, sum_t a_t Z_t]) -> {negative, neutral, positive}``.
  A whole-sentence "mention" (``[0, T)``) gives sentence-level aspect polarity.

Examples:
    >>> import torch
    >>> net = TermNet(dim=8, hidden=4, mlp=6, n_dist=5)
    >>> z = net.context(torch.zeros(1, 3, 8), torch.tensor([3]))
    >>> tuple(net.tagger(z).shape)
    (1, 3, 3)
    >>> zw, tok, span, dist, starts = gather_mentions(z, [0], [(1, 2)], [3], 5)
    >>> tuple(net.polarity(zw, tok, span, dist)[0].shape), starts
    ((1, 3), [0])
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from vocmine.aspects._spans import mention_window, relative_distance

__all__ = ["TermNet", "gather_mentions"]


def gather_mentions(
    z: torch.Tensor, rows: Sequence[int], ranges: Sequence[tuple[int, int]], lengths: Sequence[int], n_dist: int
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor, list[int]]:
    """Cut each mention's attention window out of the batch states.

    Args:
        z: ``(B, T, Z)`` context states.
        rows: batch row of each mention.
        ranges: token range ``[i, j)`` of each mention.
        lengths: real token count of each batch row.
        n_dist: number of distance buckets.

    Returns:
        ``(M, W, Z)`` window states, ``(M, W)`` token mask, span mask and distance buckets,
        and the first token index of each window.
    """
    windows = [mention_window(lengths[b], i, j) for b, (i, j) in zip(rows, ranges)]
    width = max(hi - lo for lo, hi in windows)
    m = len(rows)
    tok = np.zeros((m, width), dtype=np.int64)
    span = np.zeros((m, width), dtype=np.float32)
    dist = np.zeros((m, width), dtype=np.int64)
    parts = []
    for k, ((lo, hi), b, (i, j)) in enumerate(zip(windows, rows, ranges)):
        tok[k, : hi - lo] = 1
        span[k, i - lo : j - lo] = 1.0
        dist[k, : hi - lo] = relative_distance(hi - lo, i - lo, j - lo, n_dist)
        part = z[b, lo:hi]
        if hi - lo < width:
            part = torch.cat([part, part.new_zeros(width - (hi - lo), z.shape[-1])])
        parts.append(part)
    return torch.stack(parts), torch.from_numpy(tok), torch.from_numpy(span), torch.from_numpy(dist), [lo for lo, _ in windows]


class TermNet(nn.Module):
    """BiLSTM tagger + distance-aware attentive mention-polarity classifier.

    Args:
        dim: encoder token-state size.
        hidden: LSTM units per direction.
        mlp: hidden units of the tagger and polarity MLPs and of the attention.
        n_dist: number of distance buckets (see ``relative_distance``).
        dropout: dropout before each MLP (training only).
    """

    def __init__(self, *, dim: int, hidden: int = 128, mlp: int = 128, n_dist: int = 12, dropout: float = 0.2) -> None:
        super().__init__()
        self.dim, self.hidden, self.mlp, self.n_dist = dim, hidden, mlp, n_dist
        z = dim + 2 * hidden
        self.norm = nn.LayerNorm(dim)
        self.lstm = nn.LSTM(dim, hidden, batch_first=True, bidirectional=True)
        self.tag = nn.Sequential(nn.Dropout(dropout), nn.Linear(z, mlp), nn.GELU(), nn.Linear(mlp, 3))
        self.att_z = nn.Linear(z, mlp)
        self.att_s = nn.Linear(z, mlp, bias=False)
        self.dist = nn.Embedding(n_dist, mlp)
        self.att_v = nn.Linear(mlp, 1, bias=False)
        self.pol = nn.Sequential(nn.Dropout(dropout), nn.Linear(2 * z, mlp), nn.GELU(), nn.Linear(mlp, 3))

    def context(self, x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """``(B, T, d)`` padded token states and their lengths -> ``(B, T, d + 2h)``."""
        xn = self.norm(x)
        packed = pack_padded_sequence(xn, lengths.clamp(min=1).cpu(), batch_first=True, enforce_sorted=False)
        out, _ = self.lstm(packed)
        h, _ = pad_packed_sequence(out, batch_first=True, total_length=x.shape[1])
        return torch.cat([xn, h], dim=-1)

    def tagger(self, z: torch.Tensor) -> torch.Tensor:
        """``(B, T, Z)`` -> ``(B, T, 3)`` O/B/I logits."""
        return self.tag(z)

    def polarity(
        self, z: torch.Tensor, token_mask: torch.Tensor, span_mask: torch.Tensor, dist: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Polarity logits and attention for ``M`` mentions.

        Args:
            z: ``(M, T, Z)`` context states of each mention's sentence.
            token_mask: ``(M, T)`` 1 for real tokens.
            span_mask: ``(M, T)`` 1 for the mention's tokens.
            dist: ``(M, T)`` distance buckets.

        Returns:
            ``(M, 3)`` logits and ``(M, T)`` attention weights.
        """
        w = span_mask.unsqueeze(-1).to(z.dtype)
        s = (z * w).sum(1) / w.sum(1).clamp(min=1.0)
        e = self.att_v(torch.tanh(self.att_z(z) + self.att_s(s).unsqueeze(1) + self.dist(dist))).squeeze(-1)
        e = e.masked_fill(token_mask == 0, torch.finfo(e.dtype).min)
        att = torch.softmax(e, dim=-1)
        c = (att.unsqueeze(-1) * z).sum(1)
        return self.pol(torch.cat([s, c], dim=-1)), att
