# A reinforcement learning approach to online learning of decision trees (Garlapati et al., 2015).
# one stream per (stream, seed) → every learner on it → render. CPU jobs at every scale.

RD = config["rl_decision_trees"]
RD_FIGS = "paper_figures/rl_decision_trees"
PAPER_TARGETS["rl_decision_trees"] = [
    f"{RD_FIGS}/{f}"
    for f in [
        "prequential_accuracy.png", "prequential_accuracy.pdf", "features_per_example.png",
        "features_per_example.pdf", "summary.md", "summary.tex", "summary.csv", "claims.json",
    ]
]


wildcard_constraints:
    rd_stream="|".join(RD["streams"]),


rule rl_decision_trees_stream:
    output:
        stream="results/rl_decision_trees/streams/{rd_stream}/seed{seed}.json",
    params:
        stage="rl_decision_trees.make_stream",
        code=code_version("rl_decision_trees.make_stream"),
        cfg=lambda w: RD["streams"][w.rd_stream] | {"name": w.rd_stream, "seed": int(w.seed)},
    resources:
        **light_resources("rl_decision_trees"),
    log:
        "results/rl_decision_trees/logs/stream_{rd_stream}_seed{seed}.log",
    benchmark:
        "results/rl_decision_trees/benchmarks/stream_{rd_stream}_seed{seed}.tsv"
    conda:
        OPT_ENV
    script:
        STAGE


rule rl_decision_trees_run:
    input:
        stream="results/rl_decision_trees/streams/{rd_stream}/seed{seed}.json",
    output:
        run="results/rl_decision_trees/runs/{rd_stream}/seed{seed}.json",
    params:
        stage="rl_decision_trees.run",
        code=code_version("rl_decision_trees.run"),
        # a stream may override the exploration schedule (eps_decay): see config/config.yaml
        cfg=lambda w: (RD["learner_settings"] | {k: v for k, v in RD["streams"][w.rd_stream].items() if k == "eps_decay"}
                       | {"learners": RD["learners"], "seed": int(w.seed)}),
    resources:
        **train_resources("rl_decision_trees"),
    log:
        "results/rl_decision_trees/logs/run_{rd_stream}_seed{seed}.log",
    benchmark:
        "results/rl_decision_trees/benchmarks/run_{rd_stream}_seed{seed}.tsv"
    conda:
        OPT_ENV
    script:
        STAGE


rule rl_decision_trees_render:
    input:
        runs=expand("results/rl_decision_trees/runs/{s}/seed{seed}.json", s=RD["streams"], seed=RD["seeds"]),
    output:
        accuracy_png=report(f"{RD_FIGS}/prequential_accuracy.png", caption="../report/rl_decision_trees.rst", category="rl_decision_trees"),
        accuracy_pdf=f"{RD_FIGS}/prequential_accuracy.pdf",
        features_png=report(f"{RD_FIGS}/features_per_example.png", caption="../report/rl_decision_trees.rst", category="rl_decision_trees"),
        features_pdf=f"{RD_FIGS}/features_per_example.pdf",
        table=f"{RD_FIGS}/summary.md",
        table_tex=f"{RD_FIGS}/summary.tex",
        table_csv=f"{RD_FIGS}/summary.csv",
        claims=f"{RD_FIGS}/claims.json",
    params:
        stage="rl_decision_trees.render",
        code=code_version("rl_decision_trees.render"),
        cfg={"scale": config["scale"]} | {k: RD[k] for k in ("window", "recovery_examples", "comparable_tolerance")},
    resources:
        **light_resources("rl_decision_trees"),
    log:
        "results/rl_decision_trees/logs/render.log",
    benchmark:
        "results/rl_decision_trees/benchmarks/render.tsv"
    conda:
        OPT_ENV
    script:
        STAGE


rule rl_decision_trees:
    input:
        PAPER_TARGETS["rl_decision_trees"],
