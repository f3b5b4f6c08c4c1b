# Assessing generalization of SGD via disagreement (Jiang, Nagarajan, Baek & Kolter, 2022).
# pairs of CNN runs per channel count over the (lr × augmentation × m) grid; a K-member ensemble per seed → render.

GD = config["disagreement"]
GD_FIGS = "paper_figures/disagreement"
PAPER_TARGETS["disagreement"] = [
    f"{GD_FIGS}/{f}"
    for f in [
        "error_vs_disagreement.png", "error_vs_disagreement.pdf", "calibration.png", "calibration.pdf",
        "calibration_table.md", "calibration_table.tex", "calibration_table.csv", "claims.json",
    ]
]


rule disagreement_train_pairs:
    input:
        **image_input(GD["source"]),
    output:
        metrics="results/disagreement/pairs/c{channels}.json",
    wildcard_constraints:
        channels=r"\d+",
    params:
        stage="disagreement.train_pairs",
        code=code_version("disagreement.train_pairs"),
        cfg=lambda w: {k: GD[k] for k in ("source", "n_test", "split_seed", "seeds", "other_data_offset", "optim")}
        | {k: GD["grid"][k] for k in ("lr", "augment_shift", "m")}
        | {"channels": int(w.channels), "arch": GD.get("arch", "cnn")},
    threads: GD["threads"]
    resources:
        **train_resources("disagreement"),
    log:
        "results/disagreement/logs/pairs_c{channels}.log",
    benchmark:
        "results/disagreement/benchmarks/pairs_c{channels}.tsv"
    conda:
        TORCH_ENV
    script:
        STAGE


rule disagreement_train_ensemble:
    input:
        **image_input(GD["source"]),
    output:
        metrics="results/disagreement/ensemble/seed{seed}.json",
    params:
        stage="disagreement.train_ensemble",
        code=code_version("disagreement.train_ensemble"),
        cfg=lambda w: GD["ensemble"] | {k: GD[k] for k in ("source", "n_test", "split_seed", "optim")}
        | {"seed": int(w.seed), "arch": GD.get("arch", "cnn")},
    threads: GD["threads"]
    resources:
        **train_resources("disagreement"),
    log:
        "results/disagreement/logs/ensemble_seed{seed}.log",
    benchmark:
        "results/disagreement/benchmarks/ensemble_seed{seed}.tsv"
    conda:
        TORCH_ENV
    script:
        STAGE


rule disagreement_render:
    input:
        pairs=expand("results/disagreement/pairs/c{c}.json", c=GD["grid"]["channels"]),
        ensembles=expand("results/disagreement/ensemble/seed{seed}.json", seed=GD["seeds"]),
    output:
        scatter_png=report(f"{GD_FIGS}/error_vs_disagreement.png", caption="../report/disagreement.rst", category="disagreement"),
        scatter_pdf=f"{GD_FIGS}/error_vs_disagreement.pdf",
        calibration_png=report(f"{GD_FIGS}/calibration.png", caption="../report/disagreement.rst", category="disagreement"),
        calibration_pdf=f"{GD_FIGS}/calibration.pdf",
        table=f"{GD_FIGS}/calibration_table.md",
        table_tex=f"{GD_FIGS}/calibration_table.tex",
        table_csv=f"{GD_FIGS}/calibration_table.csv",
        claims=f"{GD_FIGS}/claims.json",
    params:
        stage="disagreement.render",
        code=code_version("disagreement.render"),
        cfg={"scale": config["scale"]},
    resources:
        **light_resources("disagreement"),
    log:
        "results/disagreement/logs/render.log",
    benchmark:
        "results/disagreement/benchmarks/render.tsv"
    conda:
        TORCH_ENV
    script:
        STAGE


rule disagreement:
    input:
        PAPER_TARGETS["disagreement"],
