# Learning-theoretic foundations of algorithm configuration (Balcan, Nagarajan, Vitercik & White, 2017).
# utilities (one job per problem × family × seed: instances, parameter grid, ERM gap curve)
# + merge-tree counts → render. A theory paper: the figures illustrate its theorems.

AC = config["algorithm_configuration"]
AC_FIGS = "paper_figures/algorithm_configuration"
AC_RUNS = [(p, f) for p in ("maxcut", "clustering") for f in AC[p]["families"]]
PAPER_TARGETS["algorithm_configuration"] = [
    f"{AC_FIGS}/{f}"
    for f in [
        "maxcut_utility.png", "maxcut_utility.pdf", "clustering_error.png", "clustering_error.pdf",
        "generalization_gap.png", "generalization_gap.pdf", "merge_trees.png", "merge_trees.pdf",
        "best_parameters.md", "best_parameters.tex", "best_parameters.csv", "claims.json",
    ]
]


wildcard_constraints:
    ac_problem="maxcut|clustering",
    ac_family=r"[A-Za-z0-9_.]+",


rule algorithm_configuration_utilities:
    output:
        utilities="results/algorithm_configuration/{ac_problem}/{ac_family}/seed{seed}.json",
    params:
        stage="algorithm_configuration.utilities",
        code=code_version("algorithm_configuration.utilities"),
        cfg=lambda w: {k: v for k, v in AC[w.ac_problem].items() if k != "families"}
        | {"problem": w.ac_problem, "family": w.ac_family, "seed": int(w.seed), "sizes": AC["sizes"], "repeats": AC["repeats"]},
    threads: 1
    resources:
        **train_resources("algorithm_configuration"),
    log:
        "results/algorithm_configuration/logs/{ac_problem}_{ac_family}_seed{seed}.log",
    benchmark:
        "results/algorithm_configuration/benchmarks/{ac_problem}_{ac_family}_seed{seed}.tsv"
    conda:
        OPT_ENV
    script:
        STAGE


rule algorithm_configuration_merge_trees:
    output:
        trees="results/algorithm_configuration/merge_trees.json",
    params:
        stage="algorithm_configuration.merge_trees",
        code=code_version("algorithm_configuration.merge_trees"),
        cfg=AC["merge_trees"],
    resources:
        **light_resources("algorithm_configuration"),
    log:
        "results/algorithm_configuration/logs/merge_trees.log",
    benchmark:
        "results/algorithm_configuration/benchmarks/merge_trees.tsv"
    conda:
        OPT_ENV
    script:
        STAGE


rule algorithm_configuration_render:
    input:
        utilities=[f"results/algorithm_configuration/{p}/{f}/seed{s}.json" for p, f in AC_RUNS for s in AC["seeds"]],
        trees="results/algorithm_configuration/merge_trees.json",
    output:
        maxcut_png=report(f"{AC_FIGS}/maxcut_utility.png", caption="../report/algorithm_configuration.rst", category="algorithm_configuration"),
        maxcut_pdf=f"{AC_FIGS}/maxcut_utility.pdf",
        clustering_png=report(f"{AC_FIGS}/clustering_error.png", caption="../report/algorithm_configuration.rst", category="algorithm_configuration"),
        clustering_pdf=f"{AC_FIGS}/clustering_error.pdf",
        gap_png=report(f"{AC_FIGS}/generalization_gap.png", caption="../report/algorithm_configuration.rst", category="algorithm_configuration"),
        gap_pdf=f"{AC_FIGS}/generalization_gap.pdf",
        trees_png=report(f"{AC_FIGS}/merge_trees.png", caption="../report/algorithm_configuration.rst", category="algorithm_configuration"),
        trees_pdf=f"{AC_FIGS}/merge_trees.pdf",
        table=f"{AC_FIGS}/best_parameters.md",
        table_tex=f"{AC_FIGS}/best_parameters.tex",
        table_csv=f"{AC_FIGS}/best_parameters.csv",
        claims=f"{AC_FIGS}/claims.json",
    params:
        stage="algorithm_configuration.render",
        code=code_version("algorithm_configuration.render"),
        cfg={"scale": config["scale"]},
    resources:
        **light_resources("algorithm_configuration"),
    log:
        "results/algorithm_configuration/logs/render.log",
    benchmark:
        "results/algorithm_configuration/benchmarks/render.tsv"
    conda:
        OPT_ENV
    script:
        STAGE


rule algorithm_configuration:
    input:
        PAPER_TARGETS["algorithm_configuration"],
