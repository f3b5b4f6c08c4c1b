"""Claims of memorisation_scaling (Lukasik, Nagarajan, Rawat, Menon & Kumar, 2023), tested on the
per-example scores render builds: one row per (seed, arm, size, example) with the memorisation score,
its bootstrap standard error over runs, and the proxies (loss, confidence, learning speed), plus each
example's trajectory class across model sizes (render.trajectories). A size is a network's parameter
count (`network` names it: mlp<width> at mini scale, cifar_resnet<depth> at full scale).

Unit of replication: the seed (its own label noise, subsets and K runs per size); shares, drops and
correlations are one number per seed, tested by t-tests over seeds."""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import spearmanr

from repro.core import claims as C

CLASSES = ("decreasing", "cap-shaped", "increasing", "flat")
# sign that makes "high = likely memorised": a high loss, a low confidence, a slow learning speed
PROXIES = {"loss": 1, "confidence": -1, "learning_speed": -1}

# ---- thresholds ---------------------------------------------------------------------------------
# "Some examples are cap-shaped or increasing": the paper gives no share, so a class "occurs" when it
# holds at least 2% of the examples (20 of 1000 per seed), well above the handful that score noise
# can put across the class threshold (changes must exceed `threshold` = 0.2, ≥ 3 SE of a score).
MIN_SHARE = 0.02
# A proxy "tracks" a quantity when its correlation with it is at least 0.5 (the paper: proxies
# correlate with the score at a given size, but miss its trends across sizes). At one size: Spearman ρ
# over all examples. Across sizes: on the examples whose memorisation changes, the direction
# concordance mean(sign Δmemorisation · sign Δproxy) = 2·(share moving the same way) − 1, a correlation
# of the directions (0 by chance, 1 when the proxy always moves with the score); 0.5 = 75% agreement.
# (Spearman ρ of the changes is the wrong statistic there: the changed examples form two clusters,
# decreasing and increasing, and ρ stays ≈ 0.4 even for a proxy that gets every direction right.)
TRACKS_RHO = 0.5
# An example's change in memorisation from the smallest to the largest model "clears its noise" when
# |Δ| > max(threshold, 3·SE(Δ)), SE(Δ) = √(SE_first² + SE_last²). 3 SE, not 2: among ~1000 examples,
# 2 SE lets ~50 unchanged examples through by chance, enough to fill the count below with noise.
NOISE_Z = 3.0
# Examples per seed whose change clears its noise before the trend is tested: the concordance of n
# signs has SE ≤ 1/√n ≈ 0.18 at n = 30; with fewer, a seed's value could not tell 0.5 from 0 or 1.
MIN_CHANGED = 30

SPECS = {
    "diverse_trajectories": C.Spec(
        "diverse_trajectories",
        "Memorisation trajectories across model sizes are diverse: decreasing, cap-shaped and increasing "
        f"examples all occur (each ≥ {MIN_SHARE:.0%}), with decreasing the most common of the three.",
        "most examples decrease with size; some are cap-shaped or increasing (CIFAR-100, ImageNet)",
        "abstract; the trajectory figures (memorisation vs model size per example)",
        f"mean share over seeds of each of decreasing, cap-shaped, increasing > {MIN_SHARE} (t-tests over seeds) "
        "AND share decreasing − max(share cap-shaped, share increasing) > 0 (paired t-test over seeds)"),
    "distillation_lowers_memorisation": C.Spec(
        "distillation_lowers_memorisation",
        "Distillation lowers memorisation, most on increasing examples.",
        "KD inhibits memorisation, mostly of increasing-trajectory examples",
        "abstract; the distillation experiments",
        "mean drop (standard − distilled) in memorisation > 0 (t-test over seeds) AND drop on increasing "
        "examples − drop on the others > 0 (paired t-test over seeds)"),
    "proxies_miss_trends": C.Spec(
        "proxies_miss_trends",
        "Proxies (loss, confidence, learning speed) correlate with memorisation at a given size but do not "
        f"track its trend across sizes (Spearman ρ at the largest size > {TRACKS_RHO}; on the examples whose "
        f"memorisation changes, the proxy moves the same way for < 75% of them).",
        "proxies correlate with the score but miss its size trends",
        "abstract; the proxy comparison",
        f"only on the examples whose change in memorisation (smallest → largest model) clears its noise "
        f"(|Δ| > max(threshold, {NOISE_Z:g} SE)), and only when every seed has ≥ {MIN_CHANGED} of them: per "
        f"proxy, mean over seeds of the direction concordance mean(sign Δmem · sign Δproxy) < {TRACKS_RHO} AND "
        f"mean Spearman ρ of the proxy with memorisation at the largest model > {TRACKS_RHO} (t-tests over "
        "seeds; all proxies)"),
}


def proxy_correlations(df: pd.DataFrame) -> pd.DataFrame:
    """Spearman ρ of each (signed) proxy with memorisation, per seed and size (standard training)."""
    std = df[df.arm == "standard"]
    rows = []
    for (seed, size), g in std.groupby(["seed", "size"]):
        for proxy, sign in PROXIES.items():
            ok = g[[proxy, "memorisation"]].dropna()
            rows.append({"seed": seed, "size": size, "proxy": proxy,
                         "spearman": float(spearmanr(sign * ok[proxy], ok.memorisation).statistic)})
    return pd.DataFrame(rows)


def _seed_test(name: str, values: list[float], threshold: float, greater: bool) -> C.Check:
    v = [x for x in values if np.isfinite(x)]
    if len(v) < 2:
        return C.inconclusive(f"{name}: fewer than 2 seeds with a value")
    return (C.mean_greater if greater else C.mean_less)(name, v, threshold)


def label(df: pd.DataFrame, size: float) -> str:
    """The name of the network trained at `size` parameters (e.g. mlp32, cifar_resnet56), or "size <n>"."""
    names = df.loc[df["size"] == size, "network"].unique() if "network" in df else []
    return str(names[0]) if len(names) == 1 else f"size {size:g}"


def _diverse(share: pd.DataFrame) -> C.Check:
    dec, cap, inc = (share[c].tolist() for c in ("decreasing", "cap-shaped", "increasing"))
    return C.all_of(*[C.mean_greater(f"share {c}", share[c].tolist(), MIN_SHARE)
                      for c in ("decreasing", "cap-shaped", "increasing")],
                    C.paired_greater("share decreasing − max(cap-shaped, increasing)", dec,
                                     np.maximum(cap, inc).tolist(), 0.0))


def _distillation(df: pd.DataFrame, traj: pd.DataFrame) -> tuple[dict, C.Check]:
    kd_sizes = sorted(df[df.arm == "distilled"]["size"].unique())
    if not kd_sizes:
        return {}, C.inconclusive("no distilled arm was run")
    seeds = sorted(set(df.seed))
    mem = df.groupby(["seed", "arm", "size"]).memorisation.mean().unstack("arm")
    drop = [float((mem.loc[s].loc[kd_sizes, "standard"] - mem.loc[s].loc[kd_sizes, "distilled"]).mean()) for s in seeds]
    # where the drop happens: increasing vs other examples
    inc_ex = traj[traj.trajectory == "increasing"].reset_index()[["seed", "example"]]
    d = df[df["size"].isin(kd_sizes)].pivot_table(index=["seed", "example"], columns="arm", values="memorisation")
    d["drop"] = d.standard - d.distilled
    d = d.reset_index().merge(inc_ex.assign(increasing=True), how="left", on=["seed", "example"])
    d["increasing"] = d.increasing.eq(True)
    by = d.groupby(["seed", "increasing"])["drop"].mean().unstack().reindex(seeds)
    drop_inc = by.get(True, pd.Series(np.nan, index=by.index)).tolist()
    drop_other = by.get(False, pd.Series(np.nan, index=by.index)).tolist()
    both = [(a, b) for a, b in zip(drop_inc, drop_other) if np.isfinite(a) and np.isfinite(b)]
    where = (C.paired_greater("drop(increasing) − drop(other)", [a for a, _ in both], [b for _, b in both], 0.0)
             if len(both) >= 2 else C.inconclusive("fewer than 2 seeds with increasing examples"))
    gain = {}  # the paper: KD also improves test accuracy (reported, not tested)
    if "test_accuracy" in df:
        acc = df[df["size"].isin(kd_sizes)].groupby(["seed", "arm", "size"]).test_accuracy.first().unstack("arm")
        gain = {w: [float(acc.loc[(s, w), "distilled"] - acc.loc[(s, w), "standard"]) for s in seeds] for w in kd_sizes}
    measured = {"mean drop in memorisation with KD": drop,
                **{f"test accuracy gain with KD, {label(df, w)} (reported)": g for w, g in gain.items()},
                "drop on increasing examples": [a for a, _ in both], "drop on other examples": [b for _, b in both]}
    lowers = C.mean_greater("drop (standard − distilled) in memorisation", drop, 0.0)
    return {k: v for k, v in measured.items() if v}, C.all_of(lowers, where)


def _proxies(df: pd.DataFrame, threshold: float) -> tuple[dict, C.Check, str]:
    std = df[df.arm == "standard"]
    sizes = sorted(std["size"].unique())
    first, last = sizes[0], sizes[-1]
    name_first, name_last = label(df, first), label(df, last)
    trend = {p: [] for p in PROXIES}
    changed = []
    for _, g in std.sort_values("seed").groupby("seed"):
        a, b = g[g["size"] == first].set_index("example"), g[g["size"] == last].set_index("example")
        dm = b.memorisation - a.memorisation
        se = np.sqrt(a.memorisation_se ** 2 + b.memorisation_se ** 2)
        keep = dm.notna() & se.notna() & (dm.abs() > np.maximum(threshold, NOISE_Z * se))
        changed.append(int(keep.sum()))
        for proxy, sign in PROXIES.items():
            dp = sign * (b[proxy] - a[proxy])
            ok = keep & dp.notna()
            trend[proxy].append(float(np.mean(np.sign(dm[ok]) * np.sign(dp[ok]))) if ok.any() else float("nan"))
    level = proxy_correlations(df)
    level = level[level["size"] == last].sort_values("seed").groupby("proxy").spearman.apply(list).to_dict()
    measured = {f"examples whose change {name_first}→{name_last} clears its noise": changed,
                **{f"ρ at {name_last}: {k}": v for k, v in level.items()}}
    if len(changed) < 2 or min(changed) < MIN_CHANGED:
        reason = (f"only {changed} examples per seed change memorisation beyond their noise from {name_first} to "
                  f"{name_last} (need ≥ {MIN_CHANGED} in each of ≥ 2 seeds): the changes are estimator noise, so a low "
                  "agreement of the changes would be guaranteed")
        return measured, C.inconclusive(reason), ""
    measured |= {f"direction concordance {name_first}→{name_last} (changed examples): {k}": v for k, v in trend.items()}
    parts = []
    for proxy in PROXIES:
        parts += [_seed_test(f"direction concordance of changes ({proxy})", trend[proxy], TRACKS_RHO, greater=False),
                  _seed_test(f"ρ at {name_last} ({proxy})", level.get(proxy, []), TRACKS_RHO, greater=True)]
    return measured, C.all_of(*parts), (f"The trend test uses only the {changed} (per seed) examples whose "
                                        "memorisation changes beyond its noise.")


def make_claims(df: pd.DataFrame, traj: pd.DataFrame, threshold: float) -> list[dict]:
    share = traj.groupby("seed").trajectory.value_counts(normalize=True).unstack(fill_value=0.0)
    share = share.reindex(columns=list(CLASSES), fill_value=0.0).sort_index()
    kd_measured, kd_check = _distillation(df, traj)
    px_measured, px_check, px_note = _proxies(df, threshold)
    return [
        C.claim(SPECS["diverse_trajectories"],
                measured={f"share {c}": share[c].tolist() for c in CLASSES}, check=_diverse(share)),
        C.claim(SPECS["distillation_lowers_memorisation"], measured=kd_measured, check=kd_check),
        C.claim(SPECS["proxies_miss_trends"], measured=px_measured, check=px_check, note=px_note),
    ]
