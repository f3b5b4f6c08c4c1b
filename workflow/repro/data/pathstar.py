"""Path-star graphs G(deg, path_len, N) (Bachmann & Nagarajan, 2024), generated in batches.

A source node has `deg` arms, each a chain of `path_len - 1` further nodes; node labels are
distinct draws from [0, N). The prompt lists the shuffled edges, then the source and goal (the
end of one arm); the target is the path from source to goal (path_len nodes).

Tokens: nodes 0..N-1, then `|` = N (edge separator), `=` = N+1, `/` = N+2, `$` = N+3 (the
teacherless dummy). Sequence: u v | u v | ... u v / s g = s n1 ... g
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

from repro.data.heldout import row_keys


@dataclass(frozen=True)
class PathStar:
    deg: int
    path_len: int
    num_nodes: int

    def __post_init__(self):
        if self.deg < 2 or self.path_len < 2:
            raise ValueError(f"path-star needs deg ≥ 2 and path_len ≥ 2, got {self}")
        if self.n_graph_nodes > self.num_nodes:
            raise ValueError(f"{self}: needs {self.n_graph_nodes} distinct labels but num_nodes={self.num_nodes}")

    @property
    def n_graph_nodes(self) -> int:
        return 1 + self.deg * (self.path_len - 1)

    @property
    def n_edges(self) -> int:
        return self.deg * (self.path_len - 1)

    @property
    def sep(self) -> int:
        return self.num_nodes

    @property
    def eq(self) -> int:
        return self.num_nodes + 1

    @property
    def slash(self) -> int:
        return self.num_nodes + 2

    @property
    def dummy(self) -> int:
        return self.num_nodes + 3

    @property
    def vocab_size(self) -> int:
        return self.num_nodes + 4

    @property
    def prefix_len(self) -> int:
        return 3 * self.n_edges - 1 + 4

    @property
    def seq_len(self) -> int:
        return self.prefix_len + self.path_len

    def sample(self, n: int, gen: torch.Generator) -> tuple[Tensor, Tensor]:
        """n random graphs: (prefix (n, prefix_len), path (n, path_len)), int64, source → goal."""
        labels = torch.rand(n, self.num_nodes, generator=gen).argsort(dim=1)[:, : self.n_graph_nodes]
        source = labels[:, :1]
        arms = labels[:, 1:].view(n, self.deg, self.path_len - 1)           # arm 0 leads to the goal
        chain = torch.cat([source.unsqueeze(1).expand(n, self.deg, 1), arms], dim=2)  # (n, deg, path_len)
        edges = torch.stack([chain[:, :, :-1], chain[:, :, 1:]], dim=-1).reshape(n, self.n_edges, 2)
        order = torch.rand(n, self.n_edges, generator=gen).argsort(dim=1)
        edges = edges.gather(1, order.unsqueeze(-1).expand(-1, -1, 2))
        sep = torch.full((n, self.n_edges, 1), self.sep)
        edge_tokens = torch.cat([edges, sep], dim=2).reshape(n, -1)[:, :-1]  # drop the trailing `|`
        goal = arms[:, 0, -1:]
        tail = torch.cat([torch.full((n, 1), self.slash), source, goal, torch.full((n, 1), self.eq)], dim=1)
        prefix = torch.cat([edge_tokens, tail], dim=1)
        path = chain[:, 0]
        return prefix, path

    def keys(self, prefix: Tensor) -> list[bytes]:
        """Canonical instance keys (repro.data.heldout): two prompts are the same instance when they
        have the same source, goal and edge set, whatever order their edges are listed in."""
        a = prefix.numpy()  # numpy: a few small ops per training step, cheaper than torch's
        edges = np.sort(a[:, 0:3 * self.n_edges:3] * self.num_nodes + a[:, 1:3 * self.n_edges:3], axis=1)
        return row_keys(np.concatenate([a[:, -3:-1], edges], axis=1))

    def decode(self, tokens: list[int]) -> str:
        names = {self.sep: "|", self.eq: "=", self.slash: "/", self.dummy: "$"}
        return " ".join(names.get(t, str(t)) for t in tokens)

    def encode(self, text: str) -> list[int]:
        ids = {"|": self.sep, "=": self.eq, "/": self.slash, "$": self.dummy}
        return [ids[w] if w in ids else int(w) for w in text.split()]


def parse_edges(prefix: list[int], spec: PathStar) -> list[tuple[int, int]]:
    """The (u, v) edges listed in a prompt; used by tests and to check decoded paths."""
    body = prefix[: 3 * spec.n_edges - 1]
    return [(body[i], body[i + 1]) for i in range(0, len(body), 3)]


def is_valid_path(path: list[int], prefix: list[int], spec: PathStar) -> bool:
    """True if `path` walks along listed edges from the prompt's source to its goal."""
    edges = set(parse_edges(prefix, spec))
    source, goal = prefix[-3], prefix[-2]
    return (len(path) == spec.path_len and path[0] == source and path[-1] == goal
            and all((u, v) in edges for u, v in zip(path, path[1:])))
