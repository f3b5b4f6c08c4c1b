# Lifelong learning in costly feature spaces (Balcan, Blum & Nagarajan, 2017).
# one task stream per family (polynomials, decision lists) × setting (related / unrelated) × seed
# → render. A theory paper, illustrated.

LL = config["lifelong_features"]
LL_FIGS = "paper_figures/lifelong_features"
PAPER_TARGETS["lifelong_features"] = [
    f"{LL_FIGS}/{f}"
    for f in [
        "features_per_example.png", "features_per_example.pdf", "cumulative_cost.png", "cumulative_cost.pdf",
        "test_error.png", "test_error.pdf", "summary.md", "summary.tex", "summary.csv", "claims.json",
    ]
]


wildcard_constraints:
    ll_setting="|".join(LL["settings"]),
    ll_family="|".join(LL["families"]),


rule lifelong_features_stream:
    output:
        stream="results/lifelong_features/{ll_family}/{ll_setting}/seed{seed}.json",
    params:
        stage="lifelong_features.run_stream",
        code=code_version("lifelong_features.run_stream"),
        cfg=lambda w: LL["families"][w.ll_family]
        | {"family": w.ll_family, "p_new": LL["settings"][w.ll_setting], "setting": w.ll_setting, "seed": int(w.seed)},
    resources:
        **train_resources("lifelong_features"),
    log:
        "results/lifelong_features/logs/{ll_family}_{ll_setting}_seed{seed}.log",
    benchmark:
        "results/lifelong_features/benchmarks/{ll_family}_{ll_setting}_seed{seed}.tsv"
    conda:
        OPT_ENV
    script:
        STAGE


rule lifelong_features_render:
    input:
        streams=expand(
            "results/lifelong_features/{f}/{s}/seed{seed}.json", f=LL["families"], s=LL["settings"], seed=LL["seeds"]
        ),
    output:
        features_png=report(f"{LL_FIGS}/features_per_example.png", caption="../report/lifelong_features.rst", category="lifelong_features"),
        features_pdf=f"{LL_FIGS}/features_per_example.pdf",
        cumulative_png=report(f"{LL_FIGS}/cumulative_cost.png", caption="../report/lifelong_features.rst", category="lifelong_features"),
        cumulative_pdf=f"{LL_FIGS}/cumulative_cost.pdf",
        error_png=report(f"{LL_FIGS}/test_error.png", caption="../report/lifelong_features.rst", category="lifelong_features"),
        error_pdf=f"{LL_FIGS}/test_error.pdf",
        table=f"{LL_FIGS}/summary.md",
        table_tex=f"{LL_FIGS}/summary.tex",
        table_csv=f"{LL_FIGS}/summary.csv",
        claims=f"{LL_FIGS}/claims.json",
    params:
        stage="lifelong_features.render",
        code=code_version("lifelong_features.render"),
        cfg={"scale": config["scale"]},
    resources:
        **light_resources("lifelong_features"),
    log:
        "results/lifelong_features/logs/render.log",
    benchmark:
        "results/lifelong_features/benchmarks/render.tsv"
    conda:
        OPT_ENV
    script:
        STAGE


rule lifelong_features:
    input:
        PAPER_TARGETS["lifelong_features"],
