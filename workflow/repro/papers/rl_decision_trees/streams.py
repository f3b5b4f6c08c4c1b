"""Streams of discretised examples, each with a held-out test set: river's STAGGER with a concept
drift (tested on the final concept), river's bundled Phishing and scikit-learn's breast cancer (the
stream is several shuffled passes over a training split). Features are small integers 0..v−1; the
quantile bins are computed once on the whole data set. Every random draw of a stream comes from its own
stream of the run's seed (`_sub`), none shared with another seed's run or with the learners (which
use the seed itself)."""
from __future__ import annotations

import itertools

import numpy as np
from river import datasets as river_datasets
from river.datasets import synth
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split

from repro.core.io import write_json
from repro.core.seeding import hash_seeds


def quantile_bins(X: np.ndarray, bins: int) -> np.ndarray:
    """Each column to at most `bins` integer levels (its own values when it has that few)."""
    out = np.empty(X.shape, np.int64)
    for j, col in enumerate(X.T):
        levels = np.unique(col)
        if len(levels) <= bins:
            out[:, j] = np.searchsorted(levels, col)
        else:
            edges = np.unique(np.quantile(col, np.linspace(0, 1, bins + 1)[1:-1]))
            out[:, j] = np.searchsorted(edges, col, side="right")
    return out


def _sub(seed: int, i: int) -> int:
    """Draw i of a run's stream: a seed of its own (< 2**32, for RandomState), not seed + i, which is
    another run's seed."""
    return hash_seeds(seed, 1000 + i) % 2**32


def passes_and_test(X, y, p: dict, seed: int):
    """A stream of p['passes'] shuffled passes over a training split, and the held-out test split."""
    X, X_test, y, y_test = train_test_split(X, y, test_size=p["test_share"], random_state=_sub(seed, 0), stratify=y)
    rng = np.random.default_rng(_sub(seed, 1))
    order = np.concatenate([rng.permutation(len(y)) for _ in range(p["passes"])])
    return X[order], y[order], X_test, y_test


def stagger_drift(p: dict, seed: int):
    c_before, c_after = p["concepts"]
    stream = synth.ConceptDriftStream(stream=synth.STAGGER(classification_function=c_before, seed=_sub(seed, 2)),
                                      drift_stream=synth.STAGGER(classification_function=c_after, seed=_sub(seed, 3)),
                                      position=p["drift_at"], width=p["width"], seed=_sub(seed, 4))
    test = synth.STAGGER(classification_function=c_after, seed=_sub(seed, 5))
    rows, test_rows = list(itertools.islice(stream, p["n"])), list(itertools.islice(test, p["n_test"]))
    names = list(rows[0][0])
    X, X_test = (np.array([[x[k] for k in names] for x, _ in r], np.int64) for r in (rows, test_rows))
    y, y_test = (np.array([int(t) for _, t in r]) for r in (rows, test_rows))
    return names, X, y, X_test, y_test, [p["drift_at"]]


def phishing(p: dict, seed: int):
    rows = list(river_datasets.Phishing())
    names = list(rows[0][0])
    X = quantile_bins(np.array([[x[k] for k in names] for x, _ in rows], float), p["bins"])
    return names, *passes_and_test(X, np.array([int(t) for _, t in rows]), p, seed), []


def breast_cancer(p: dict, seed: int):
    data = load_breast_cancer()
    X = quantile_bins(data.data, p["bins"])
    return [str(n) for n in data.feature_names], *passes_and_test(X, data.target.astype(np.int64), p, seed), []


STREAMS = {"stagger_drift": stagger_drift, "phishing": phishing, "breast_cancer": breast_cancer}


def make_stream(params: dict, inputs: dict, outputs: dict, threads: int) -> None:
    p = params
    names, X, y, X_test, y_test, drifts = STREAMS[p["kind"]](p, p["seed"])
    write_json(outputs["stream"], {"name": p["name"], "features": names,
                                   "n_values": (np.maximum(X.max(0), X_test.max(0)) + 1).tolist(),
                                   "n_classes": int(max(y.max(), y_test.max()) + 1), "drifts": drifts,
                                   "X": X.tolist(), "y": y.tolist(), "X_test": X_test.tolist(), "y_test": y_test.tolist()})
