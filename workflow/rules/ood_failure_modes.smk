# Understanding the failure modes of out-of-distribution generalization (Nagarajan et al., 2021).
# 2-D toy (statistical and geometric skew), max-margin norms and control/experimental digits, one job
# per seed each → render.

OOD = config["ood_failure_modes"]
OOD_FIGS = "paper_figures/ood_failure_modes"
PAPER_TARGETS["ood_failure_modes"] = [
    f"{OOD_FIGS}/{f}"
    for f in [
        "skews_toy.png", "skews_toy.pdf", "max_margin_norm.png", "max_margin_norm.pdf",
        "spurious_shift.png", "spurious_shift.pdf", "claims.json",
    ]
]


rule ood_failure_modes_experiment:
    output:
        result="results/ood_failure_modes/{ood_exp}/seed{seed}.json",
    params:
        stage=lambda w: f"ood_failure_modes.{w.ood_exp}",
        code=lambda w: code_version(f"ood_failure_modes.{w.ood_exp}"),
        cfg=lambda w: OOD[w.ood_exp] | {"seed": int(w.seed)},
    threads: 1
    resources:
        **train_resources("ood_failure_modes"),
    log:
        "results/ood_failure_modes/logs/{ood_exp}_seed{seed}.log",
    benchmark:
        "results/ood_failure_modes/benchmarks/{ood_exp}_seed{seed}.tsv"
    wildcard_constraints:
        ood_exp="toy|max_margin_norms|spurious_digits",
    conda:
        TORCH_ENV
    script:
        STAGE


rule ood_failure_modes_render:
    input:
        toy=expand("results/ood_failure_modes/toy/seed{s}.json", s=OOD["seeds"]),
        norms=expand("results/ood_failure_modes/max_margin_norms/seed{s}.json", s=OOD["seeds"]),
        digits=expand("results/ood_failure_modes/spurious_digits/seed{s}.json", s=OOD["seeds"]),
    output:
        toy_png=report(f"{OOD_FIGS}/skews_toy.png", caption="../report/ood_failure_modes.rst", category="ood_failure_modes"),
        toy_pdf=f"{OOD_FIGS}/skews_toy.pdf",
        norm_png=report(f"{OOD_FIGS}/max_margin_norm.png", caption="../report/ood_failure_modes.rst", category="ood_failure_modes"),
        norm_pdf=f"{OOD_FIGS}/max_margin_norm.pdf",
        shift_png=report(f"{OOD_FIGS}/spurious_shift.png", caption="../report/ood_failure_modes.rst", category="ood_failure_modes"),
        shift_pdf=f"{OOD_FIGS}/spurious_shift.pdf",
        claims=f"{OOD_FIGS}/claims.json",
    params:
        stage="ood_failure_modes.render",
        code=code_version("ood_failure_modes.render"),
        cfg={"scale": config["scale"]},
    resources:
        **light_resources("ood_failure_modes"),
    log:
        "results/ood_failure_modes/logs/render.log",
    benchmark:
        "results/ood_failure_modes/benchmarks/render.tsv"
    conda:
        TORCH_ENV
    script:
        STAGE


rule ood_failure_modes:
    input:
        PAPER_TARGETS["ood_failure_modes"],
