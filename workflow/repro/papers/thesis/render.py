"""The thesis's summary: one figure per part, drawn from the four papers' own results (this rule trains
nothing), and their claims recomputed from the same metrics, grouped by the thesis's parts."""
from __future__ import annotations

import matplotlib.pyplot as plt

from repro.core import claims as C
from repro.core.plotting import save_figure, use_style
from repro.papers.disagreement import render as gde
from repro.papers.disagreement.claims import make_claims as gde_claims
from repro.papers.distance_from_init import render as dfi
from repro.papers.distance_from_init.claims import make_claims as dfi_claims
from repro.papers.pac_bayes_noise import render as pb
from repro.papers.pac_bayes_noise.claims import make_claims as pb_claims
from repro.papers.uniform_convergence import render as uc
from repro.papers.uniform_convergence.claims import make_claims as uc_claims

TITLE = "Explaining generalization in deep learning: progress and fundamental limits (Nagarajan, 2021)"


def band(ax, df, x, y, label, **kw):
    g = df.groupby(x)[y].agg(["mean", "min", "max"])
    ax.plot(g.index, g["mean"], "o-", ms=3, label=label, **kw)
    ax.fill_between(g.index, g["min"], g["max"], alpha=0.2, **kw)


def render(params: dict, inputs: dict, outputs: dict, threads: int) -> None:
    use_style()
    p = params
    dist = dfi.load(inputs["distance"])
    pb_df = pb.load(inputs["pac_bayes"])
    images, spheres, uc_bounds = uc.load(inputs["uc_images"], inputs["uc_spheres"], inputs["uc_bounds"])
    pairs, ensembles = gde.load(inputs["pairs"], inputs["ensembles"])

    fig, axes = plt.subplots(2, 2, figsize=(10, 8), layout="constrained")
    ax = axes[0, 0]
    width = dist[dist.experiment == "width"]
    for m, g in width.groupby("m"):
        band(ax, g, "width", "distance", f"m = {m}")
    ax.set(xscale="log", xlabel="width H", ylabel="‖W − W0‖", title="I. distance from initialization vs width")
    ax.legend(fontsize=7)

    ax = axes[0, 1]
    by_depth, _ = pb.sweeps(pb_df, p["focus_width"], p["focus_depth"])
    for col, label in pb.BOUNDS.items():
        band(ax, by_depth, "depth", col, label)
    ax.set(yscale="log", xlabel="depth (hidden layers)", ylabel="bound", title="I. noise-resilience vs spectral bounds")
    ax.legend(fontsize=7)

    ax = axes[1, 0]
    band(ax, images, "m", "test_error", "test error (digits)")
    band(ax, spheres, "m", "test_error", "test error (hyperspheres)")
    band(ax, spheres, "m", "projected_error", "error on S′ (hyperspheres)")
    ax.set(xscale="log", xlabel="training set size m", ylabel="error", title="II. limits of uniform convergence")
    ax.xaxis.set_minor_formatter(plt.NullFormatter())
    ax.legend(fontsize=7)

    ax = axes[1, 1]
    for kind, label in gde.PAIRS.items():
        sub = pairs[pairs.pair == kind]
        ax.scatter(sub.disagreement, sub.test_error, s=12, alpha=0.7, label=label)
    top = float(max(pairs.disagreement.max(), pairs.test_error.max())) * 1.05
    ax.plot([0, top], [0, top], "k--", lw=1)
    ax.set(xlabel="disagreement", ylabel="test error", title="III. error ≈ disagreement", xlim=(0, top), ylim=(0, top))
    ax.legend(fontsize=7)
    save_figure(fig, outputs["summary_png"], outputs["summary_pdf"])

    # a pure view: the four papers' own claims modules, on the same metrics
    parts = [("I", "distance_from_init", dfi_claims(dist)),
             ("I", "pac_bayes_noise", pb_claims(pb_df, p["focus_width"], p["focus_depth"])),
             ("II", "uniform_convergence", uc_claims(images, spheres, uc_bounds)),
             ("III", "disagreement", gde_claims(pairs, ensembles))]
    claims = [c | {"id": f"part{part}_{paper}_{c['id']}", "note": f"from {paper}" + (f"; {c['note']}" if c["note"] else "")}
              for part, paper, cs in parts for c in cs]
    C.write_claims(outputs["claims"], "thesis", TITLE, p["scale"], claims,
                   note="Part I: implicit capacity control (distance from initialization; noise-resilience bounds); "
                        "part II: limits of uniform convergence; part III: disagreement. Same numbers and checks as "
                        "the four papers' own claims.json.")
