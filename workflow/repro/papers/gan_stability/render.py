"""Figures and claims for gan_stability, from the toy trajectories and the ring-GAN metrics."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from repro.core import claims as C
from repro.core.io import read_json
from repro.core.plotting import save_figure, use_style
from repro.core.tables import write_table
from repro.papers.gan_stability.claims import KIND, make_claims

TITLE = "Gradient descent GAN optimization is locally stable (Nagarajan & Kolter, 2017)"


def _label(kind: str, eta: float) -> str:
    return f"{KIND[kind]}, η={eta:g}"


def render(params: dict, inputs: dict, outputs: dict, threads: int) -> None:
    use_style()
    toy = read_json(inputs["toy"])
    runs = pd.DataFrame(toy["runs"])
    settings = list(dict.fromkeys(zip(runs.kind, runs.eta)))

    # Update fields with trajectories (the paper's Figure 1).
    fig, axes = plt.subplots(1, len(settings), figsize=(3.2 * len(settings), 3.2), sharey=True)
    for ax, (kind, eta) in zip(np.atleast_1d(axes), settings):
        f = toy["fields"][f"{kind}_eta{eta}"]
        ax.streamplot(np.array(toy["grid_w"]), np.array(toy["grid_a"]), np.array(f["dw"]), np.array(f["da"]),
                      color="0.7", density=0.8, linewidth=0.7)
        for r in runs[(runs.kind == kind) & (runs.eta == eta)].itertuples():
            p = np.array(r.path)
            ax.plot(p[:, 0], p[:, 1], lw=1.2)
            ax.plot(*p[0], "o", color="black", ms=3)
        ax.plot(0, 1, "*", color="red", ms=10)
        ax.set(title=_label(kind, eta), xlabel="discriminator w", xlim=toy["grid_w"][::len(toy["grid_w"]) - 1],
               ylim=toy["grid_a"][::len(toy["grid_a"]) - 1])
    np.atleast_1d(axes)[0].set_ylabel("generator a")
    save_figure(fig, outputs["fields_png"], outputs["fields_pdf"])

    # Distance to equilibrium over time.
    rows = [{"setting": _label(r.kind, r.eta), "start": r.start_index, "step": i * toy["record_every"], "distance": d}
            for r in runs.itertuples() for i, d in enumerate(r.distance)]
    fig, ax = plt.subplots(figsize=(5, 3.4))
    sns.lineplot(data=pd.DataFrame(rows), x="step", y="distance", hue="setting", units="start", estimator=None, ax=ax, lw=1)
    ax.set(yscale="log", ylabel="distance to equilibrium (w=0, a=1)", xlabel=f"gradient step (lr {toy['lr']:g})")
    save_figure(fig, outputs["distance_png"], outputs["distance_pdf"])

    # Ring of Gaussians: modes covered over training, and sample snapshots.
    ring = [read_json(p) for p in inputs["ring"]]
    hist = pd.DataFrame([{"eta": m["eta"], "seed": m["seed"], **h} for m in ring for h in m["history"]])
    hist["regulariser"] = [f"η={e:g}" for e in hist.eta]
    fig, axes = plt.subplots(1, 2, figsize=(8, 3.2))
    for ax, col, label in zip(axes, ["modes", "high_quality"], ["modes covered (of 8)", "high-quality sample fraction"]):
        sns.lineplot(data=hist, x="iteration", y=col, hue="regulariser", errorbar=("pi", 100), ax=ax, marker="o", ms=3)
        ax.set(ylabel=label)
    save_figure(fig, outputs["modes_png"], outputs["modes_pdf"])

    seed0 = sorted((m for m in ring if m["seed"] == min(x["seed"] for x in ring)), key=lambda m: m["eta"])
    iters = list(seed0[0]["snapshots"])
    fig, axes = plt.subplots(len(seed0), len(iters), figsize=(2.2 * len(iters), 2.2 * len(seed0)), squeeze=False)
    for row, m in zip(axes, seed0):
        centres = np.array(m["centres"])
        for ax, it in zip(row, iters):
            s = np.array(m["snapshots"][it])
            ax.scatter(s[:, 0], s[:, 1], s=2, alpha=0.5)
            ax.scatter(centres[:, 0], centres[:, 1], s=12, marker="x", color="red")
            ax.set(xlim=(-3, 3), ylim=(-3, 3), xticks=[], yticks=[], title=f"η={m['eta']:g}, iter {it}")
    save_figure(fig, outputs["samples_png"], outputs["samples_pdf"])

    images = [read_json(p) | {"data": p.parent.parent.name} for p in inputs["images"]]
    image_hist = render_images(images, outputs)

    final = pd.DataFrame([{"eta": m["eta"], "seed": m["seed"], "modes": m["final_modes"],
                           "high_quality": m["final_high_quality"]} for m in ring])
    table = final.groupby("eta").agg(seeds=("seed", "count"), modes=("modes", "mean"), modes_min=("modes", "min"),
                                     high_quality=("high_quality", "mean")).reset_index()
    write_table(table, outputs["table"])
    C.write_claims(outputs["claims"], "gan_stability", TITLE, params["scale"],
                   make_claims(runs, hist, final, image_hist),
                   note="Toy: deterministic gradient steps from several starting points (the replicates). Ring: "
                        "seeds; the mini run is shorter than the paper's 100k iterations and uses a larger lr. "
                        "Images: MLP GANs (not the paper's DCGANs: a small DCGAN did not train on 8×8 digits within "
                        "the mini budget), 8×8 digits at mini scale, MNIST/CIFAR-10 at full scale.")


def render_images(images: list[dict], outputs: dict) -> pd.DataFrame:
    """Coverage curves and sample mosaics of the image GANs; returns their evaluation history."""
    hist = pd.DataFrame([{"data": m["data"], "eta": m["eta"], "seed": m["seed"], **h} for m in images for h in m["history"]])
    hist["regulariser"] = [f"η={e:g}" for e in hist.eta]
    grid = sns.relplot(data=hist, x="iteration", y="classes", hue="regulariser", col="data", kind="line",
                       errorbar=("pi", 100), marker="o", ms=3, height=3.0, aspect=1.2)
    grid.set(ylabel="classes covered by confident samples")
    save_figure(grid.figure, outputs["coverage_png"], outputs["coverage_pdf"])

    first = sorted((m for m in images if m["seed"] == min(x["seed"] for x in images)), key=lambda m: (m["data"], m["eta"]))
    iters = list(first[0]["snapshots"])
    fig, axes = plt.subplots(len(first), len(iters), figsize=(2.0 * len(iters), 2.0 * len(first)), squeeze=False)
    for row, m in zip(axes, first):
        side = m["side"]
        for ax, it in zip(row, iters):
            s = np.array(m["snapshots"][it])
            k = int(np.ceil(np.sqrt(len(s))))
            tiles = np.full((k * k, side * side), -1.0)
            tiles[: len(s)] = s[:, : side * side]  # first channel
            tiles = np.pad(tiles.reshape(k * k, side, side), ((0, 0), (0, 1), (0, 1)), constant_values=-1.0)
            t = side + 1  # a blank line between tiles
            mosaic = tiles.reshape(k, k, t, t).transpose(0, 2, 1, 3).reshape(k * t, k * t)
            ax.imshow(mosaic, cmap="gray_r", vmin=-1, vmax=1)
            ax.set(xticks=[], yticks=[], title=f"{m['data']} η={m['eta']:g}, iter {it}")
            ax.grid(False)
    save_figure(fig, outputs["image_samples_png"], outputs["image_samples_pdf"])
    return hist

