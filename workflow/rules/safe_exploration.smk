# Provably safe PAC-MDP exploration using analogies (Roderick, Nagarajan & Kolter, 2021).
# one run per (environment, agent, seed) → render. Tabular model-based RL: CPU jobs at every scale.

SE = config["safe_exploration"]
SE_FIGS = "paper_figures/safe_exploration"
PAPER_TARGETS["safe_exploration"] = [
    f"{SE_FIGS}/{f}"
    for f in [
        "suboptimal_steps.png", "suboptimal_steps.pdf", "unsafe_visits.png", "unsafe_visits.pdf",
        "summary.md", "summary.tex", "summary.csv", "claims.json",
    ]
]


wildcard_constraints:
    se_env="|".join(SE["envs"]),
    se_agent="|".join(SE["agents"]),


rule safe_exploration_run:
    input:
        # the paper's own layout files, when the config names them (map_file, level_file)
        unpack(lambda w: {k: str(v) for k, v in SE["envs"][w.se_env].items() if k in ("map_file", "level_file") and v}),
    output:
        run="results/safe_exploration/{se_env}/{se_agent}/seed{seed}.json",
    params:
        stage="safe_exploration.run",
        code=code_version("safe_exploration.run"),
        cfg=lambda w: SE["envs"][w.se_env]
        | {k: SE[k] for k in ("eps_suboptimal", "curve_points")}
        | {"env": w.se_env, "agent": w.se_agent, "seed": int(w.seed)},
    resources:
        **train_resources("safe_exploration"),
    log:
        "results/safe_exploration/logs/{se_env}_{se_agent}_seed{seed}.log",
    benchmark:
        "results/safe_exploration/benchmarks/{se_env}_{se_agent}_seed{seed}.tsv"
    conda:
        OPT_ENV
    script:
        STAGE


rule safe_exploration_render:
    input:
        runs=expand(
            "results/safe_exploration/{e}/{a}/seed{seed}.json", e=SE["envs"], a=SE["agents"], seed=SE["seeds"]
        ),
    output:
        suboptimal_png=report(f"{SE_FIGS}/suboptimal_steps.png", caption="../report/safe_exploration.rst", category="safe_exploration"),
        suboptimal_pdf=f"{SE_FIGS}/suboptimal_steps.pdf",
        unsafe_png=report(f"{SE_FIGS}/unsafe_visits.png", caption="../report/safe_exploration.rst", category="safe_exploration"),
        unsafe_pdf=f"{SE_FIGS}/unsafe_visits.pdf",
        table=f"{SE_FIGS}/summary.md",
        table_tex=f"{SE_FIGS}/summary.tex",
        table_csv=f"{SE_FIGS}/summary.csv",
        claims=f"{SE_FIGS}/claims.json",
    params:
        stage="safe_exploration.render",
        code=code_version("safe_exploration.render"),
        cfg={"scale": config["scale"]},
    resources:
        **light_resources("safe_exploration"),
    log:
        "results/safe_exploration/logs/render.log",
    benchmark:
        "results/safe_exploration/benchmarks/render.tsv"
    conda:
        OPT_ENV
    script:
        STAGE


rule safe_exploration:
    input:
        PAPER_TARGETS["safe_exploration"],
