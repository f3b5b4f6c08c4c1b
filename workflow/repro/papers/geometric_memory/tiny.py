"""Part (a): tiny graphs memorised from their edges by three models, and the geometry of the
token embeddings each one ends up with.

- transformer: a 1-layer GPT (tied embeddings) trained on `[EDGE] u → v` for every directed edge (and
  `u → u` with `self_edges`, the official data's `selfedge_1` variant);
- associative control: the same GPT with its (tied) embeddings frozen at their random init, so the
  edges can only be stored as an associative lookup in the block's weights;
- node2vec: tied embeddings alone, logits(u) = E·E[u] with a full softmax over the one-hop
  neighbours (the paper's Node2Vec link; no random walks).

All three see the same edges and are trained full-batch with Adam until they recall them.
"""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from repro.core.io import write_json
from repro.core.seeding import seed_everything
from repro.data.graphs import directed_edges, relabel_randomly, tiny_graph
from repro.data.heldout import OVERLAP
from repro.nn.gpt import GPT, GPTConfig
from repro.papers.geometric_memory.geometry import geometry_metrics

MODELS = ("transformer", "associative", "node2vec")


class Node2Vec(nn.Module):
    def __init__(self, n: int, d: int):
        super().__init__()
        self.emb = nn.Embedding(n, d)
        nn.init.normal_(self.emb.weight, std=0.02)

    def edge_logits(self, u: torch.Tensor) -> torch.Tensor:
        return self.emb(u) @ self.emb.weight.T

    def node_embeddings(self) -> torch.Tensor:
        return self.emb.weight


class EdgeGPT(nn.Module):
    """A GPT reading `[EDGE] u` and scoring every node as the next token."""

    def __init__(self, n: int, p: dict, frozen_embeddings: bool):
        super().__init__()
        self.n = n
        self.gpt = GPT(GPTConfig(vocab_size=n + 1, block_size=2, **p["model"]))
        self.gpt.tok_emb.weight.requires_grad_(not frozen_embeddings)

    def edge_logits(self, u: torch.Tensor) -> torch.Tensor:
        idx = torch.stack([torch.full_like(u, self.n), u], dim=1)
        return self.gpt.logits(self.gpt.hidden(idx)[:, -1])[:, : self.n]

    def node_embeddings(self) -> torch.Tensor:
        return self.gpt.tok_emb.weight[: self.n]


def build(model: str, n: int, p: dict) -> nn.Module:
    if model == "node2vec":
        return Node2Vec(n, p["model"]["d_model"])
    return EdgeGPT(n, p, frozen_embeddings=model == "associative")


def train_edges(net: nn.Module, edges: np.ndarray, p: dict) -> list[float]:
    u, v = torch.as_tensor(edges[:, 0]), torch.as_tensor(edges[:, 1])
    opt = torch.optim.Adam([q for q in net.parameters() if q.requires_grad], lr=p["lr"])
    losses = []
    for _ in range(p["epochs"]):  # full batch: the softmax target of u is uniform over its neighbours
        loss = F.cross_entropy(net.edge_logits(u), v)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses


def edges_input(name: str) -> str:
    """The rule's input name for the edges file of tiny graph `name`."""
    return f"edges_{name}"


def source_graph(spec: dict, inputs: dict):
    """A built-in tiny graph, or the paper's own graph from an edges file (`edges_file`: `u=v` per line,
    read as undirected; node ids become tokens 0..n−1, `position` keeps the file's id)."""
    if spec.get("edges_file"):
        from repro.data.files import read_tiny_graph

        return read_tiny_graph(inputs[edges_input(spec["name"])])
    return tiny_graph(spec["kind"], spec["size"])


def tiny(params: dict, inputs: dict, outputs: dict, threads: int) -> None:
    p = params
    rows, embeddings = [], {}
    for spec in p["graphs"]:
        g = relabel_randomly(source_graph(spec, inputs), np.random.default_rng(p["seed"]))
        edges = directed_edges(g)
        if p.get("self_edges"):  # u → u for every node: each node's target set then contains itself
            nodes = np.arange(g.number_of_nodes())
            edges = np.concatenate([edges, np.stack([nodes, nodes], 1)])
        for model in MODELS:
            seed_everything(p["seed"])
            net = build(model, g.number_of_nodes(), p)
            losses = train_edges(net, edges, p)
            with torch.no_grad():
                emb = net.node_embeddings().numpy().astype(float)
                logits = net.edge_logits(torch.arange(g.number_of_nodes())).numpy()
            rows.append({"seed": p["seed"], "graph": spec["name"], "model": model, "final_loss": losses[-1],
                         **geometry_metrics(g, emb, logits, p["n_eigenvectors"], p.get("self_edges", False))})
            embeddings[f"{spec['name']}/{model}"] = {
                "embedding": emb.tolist(), "edges": sorted(map(list, g.edges)),
                "position": [list(np.atleast_1d(g.nodes[u]["position"]).tolist()) for u in range(g.number_of_nodes())]}
    # Nothing is held out here by design: the geometry is measured on the very edges that are memorised.
    write_json(outputs["metrics"], {"seed": p["seed"], "rows": rows, "embeddings": embeddings, OVERLAP: 1.0})
