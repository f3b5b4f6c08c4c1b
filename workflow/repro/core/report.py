"""paper_figures/REPORT.md: every paper's claims, verdicts, figures and run costs."""
from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from repro.core.claims import headline
from repro.core.io import atomic_path, read_json
from repro.core.tables import to_markdown


def _fmt(stat: dict) -> str:
    if not math.isfinite(stat["mean"]):  # e.g. "never reached": a mean means nothing, list the seeds
        return "per seed " + " / ".join(f"{v:.3f}" for v in stat["values"])
    return f"{stat['mean']:.3f} ± {stat['std']:.3f} (n={stat['n']})" if stat["n"] > 1 else f"{stat['mean']:.3f} (n=1)"


def _test_line(c: dict) -> str:
    """The claim's test as one line: statistic, 95% CI and method (old claims.json: the text)."""
    t = c["test"]
    if not isinstance(t, dict):
        return str(t)
    parts = t.get("parts")
    line = headline(t)
    return line if parts else f"{line} ({t['method']}, n={t['n']}; verdict {t['verdict']})"


def _robust(robust: dict, slug: str, c: dict) -> dict | None:
    """This claim's entry of robustness.json, if it was made from these very claims (seed set A's
    verdict matches): a stale second run must not lend its verdict to new numbers."""
    r = robust.get(f"{slug}/{c['id']}")
    if isinstance(r, dict) and isinstance(r.get("seeds_a"), dict) and r["seeds_a"]["verdict"] == c["verdict"]:
        return r
    return None


def _paper(c: dict) -> str:
    return f"{c['paper_value']} ({c['paper_source']})" if c.get("paper_source") else c["paper_value"]


def benchmark_totals(folder: Path) -> dict:
    """Sum of job wall times and the largest peak RSS over a paper's benchmark TSVs.
    Benchmarks are side files of the jobs (not declared inputs), so they are globbed here."""
    files = sorted(folder.glob("*.tsv"))
    if not files:
        return {"jobs": 0, "seconds": float("nan"), "max_rss_mb": float("nan")}
    df = pd.concat([pd.read_csv(f, sep="\t") for f in files])
    return {"jobs": len(files), "seconds": float(df["s"].sum()), "max_rss_mb": float(pd.to_numeric(df["max_rss"], errors="coerce").max())}


def run_span(folder: Path = Path("results")) -> float:
    """Seconds from the first benchmarked job's start to the last one's end, over every benchmark TSV under
    folder (a job's start is its file's modification time, written as it ends, minus its wall time): the
    wall time of a run that made all of them, e.g. a fresh `make reproduce`. NaN without benchmarks."""
    spans = []
    for f in folder.glob("*/benchmarks/*.tsv"):
        end = f.stat().st_mtime
        spans.append((end - float(pd.read_csv(f, sep="\t")["s"].sum()), end))
    return max(e for _, e in spans) - min(s for s, _ in spans) if spans else float("nan")


def cost_table(costs: dict[str, dict]) -> list[str]:
    """REPORT's cost section from each paper's benchmark_totals: benchmarked jobs, their summed wall time and
    the peak RSS, and the run's wall time (run_span)."""
    rows = []
    for slug, c in costs.items():
        rows.append({"paper": slug, "jobs": c["jobs"], "job time (s)": round(c["seconds"]) if c["jobs"] else "–",
                     "peak RSS (MB)": round(c["max_rss_mb"]) if c["jobs"] else "–"})
    df = pd.DataFrame(rows)
    total = pd.to_numeric(df["job time (s)"], errors="coerce").sum()
    span = run_span()
    wall = (f"{span / 60:.1f} min from the first job's start to the last job's end (from the benchmark files; the "
            f"wall time of the run when one run made them all)" if math.isfinite(span) else "not measured")
    return ["## Cost", "", f"Job time, all papers: {total / 60:.1f} min. Wall time: {wall}.", "", to_markdown(df), ""]


def write_report(params: dict, inputs: dict, outputs: dict, threads: int) -> None:
    papers = params["papers"]
    robust = Path("paper_figures/robustness.json")  # `make robustness`: verdicts with a second seed set
    robust = read_json(robust) if robust.exists() else {}
    summary_rows, sections, costs = [], [], {}
    for claims_path in inputs["claims"]:
        doc = read_json(claims_path)
        slug = doc["paper"]
        cost = costs[slug] = benchmark_totals(Path("results") / slug / "benchmarks")
        for c in doc["claims"]:
            other = _robust(robust, slug, c)
            # headline: the verdict that holds for both seed sets (a disagreement is inconclusive)
            row = {"paper": slug, "claim": c["id"],
                   "verdict": other["combined"] if other else f"{c['verdict']} (seeds A only)",
                   "seeds A": c["verdict"], "seeds B": other["seeds_b"]["verdict"] if other else "–"}
            summary_rows.append(row | {"statistic [95% CI]": _test_line(c),
                                       "paper's number": _paper(c)})
        lines = [f"## {slug}: {doc['title']}", "", f"Scale: `{doc['scale']}`. {doc.get('note', '')}", ""]
        for c in doc["claims"]:
            other = _robust(robust, slug, c)
            verdict = (f"{other['combined']}* (seeds A: {other['seeds_a']['verdict']}; B: {other['seeds_b']['verdict']}; "
                       f"B's statistic: {other['seeds_b']['statistic']})" if other else f"{c['verdict']}*")
            lines += [f"- **{c['id']}** — *{verdict}. {c['statement']}",
                      f"  - paper: {_paper(c)}", f"  - test: {_test_line(c)}"]
            lines += [f"  - {k}: {_fmt(v)}" for k, v in c["measured"].items()]
            if c.get("note"):
                lines.append(f"  - note: {c['note']}")
        lines += ["", "| artefact | regenerate with |", "|---|---|"]
        for target in papers[slug]:
            shown = f"![]({Path(target).relative_to('paper_figures')})" if target.endswith(".png") else f"`{target}`"
            lines.append(f"| {shown} | `snakemake --cores all {target}` |")
        measured = (f"{cost['jobs']} benchmarked jobs, {cost['seconds']:.0f} s of job wall time in total, peak RSS "
                    f"{cost['max_rss_mb']:.0f} MB" if cost["jobs"] else
                    f"not measured here (no benchmark files under results/{slug}/benchmarks)")
        lines += ["", f"Cost: {measured}. Whole paper: `snakemake --cores all {slug}`.", ""]
        sections.append("\n".join(lines))
    head = ["# Reproduction report", "",
            f"Scale: `{params['scale']}`. Generated by `snakemake --cores all paper_figures/REPORT.md`; "
            "every verdict is computed from the measured metrics (see each paper's claims.json).", "",
            "A verdict is *reproduced* when the effect clears its noise (95% CI over independent seeds, or a bootstrap "
            "or permutation test over test points) in the paper's direction, *not reproduced* when it clears it the "
            "other way, *inconclusive* otherwise, *illustrated* for exact arithmetic or one deterministic run. Every "
            "test is null-calibrated (tests/test_claims.py). The headline verdict is the one that holds for both "
            "independent seed sets (A: config/config.yaml, B: config/seeds_b.yaml; `make robustness`); where they "
            "differ it is *inconclusive*.", "",
            to_markdown(pd.DataFrame(summary_rows)) if summary_rows else "(no claims)", ""]
    head += cost_table(costs)
    tail = []  # side files, like the benchmarks: `make robustness` and `make plan` write them
    for side in ("ROBUSTNESS.md", "FULL_SCALE_PLAN.md"):
        path = Path("paper_figures") / side
        if path.exists():
            tail += ["", "#" + path.read_text()]  # its title one level down
    with atomic_path(outputs["report"]) as tmp:
        tmp.write_text("\n".join(head + sections + tail))
