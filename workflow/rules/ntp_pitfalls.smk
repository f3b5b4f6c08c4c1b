# The pitfalls of next-token prediction (Bachmann & Nagarajan, 2024).
# data (path-star graphs) → train (one job per graph × arm × seed, or per graph × arm with batch_seeds)
# → evaluate → render.

from repro.papers.ntp_pitfalls.params import data_files as ntp_data_files
from repro.papers.ntp_pitfalls.params import graph_arms, graph_spec
from repro.papers.ntp_pitfalls.params import run_params as ntp_run_params
from repro.papers.ntp_pitfalls.params import seeds_run_params as ntp_seeds_run_params

NTP = config["ntp_pitfalls"]
NTP_GRAPHS = {g["name"]: g for g in NTP["graphs"]}
NTP_FIGS = "paper_figures/ntp_pitfalls"
PAPER_TARGETS["ntp_pitfalls"] = [
    f"{NTP_FIGS}/{f}"
    for f in [
        "accuracy.png", "accuracy.pdf", "forced_accuracy.png", "forced_accuracy.pdf",
        "accuracy_table.md", "accuracy_table.tex", "accuracy_table.csv", "claims.json",
    ]
]


wildcard_constraints:
    ntp_graph="|".join(NTP_GRAPHS),
    ntp_arm="ntp|teacherless|reverse",


rule ntp_pitfalls_data:
    input:
        unpack(lambda w: ntp_data_files(NTP_GRAPHS[w.ntp_graph])),
    output:
        data=directory("results/ntp_pitfalls/data/{ntp_graph}"),
    params:
        stage="ntp_pitfalls.make_data",
        code=code_version("ntp_pitfalls.make_data"),
        cfg=lambda w: graph_spec(NTP_GRAPHS[w.ntp_graph]) | {"seed": NTP["data_seed"]},
    log:
        "results/ntp_pitfalls/logs/data_{ntp_graph}.log",
    resources:
        **light_resources("ntp_pitfalls"),
    conda:
        TORCH_ENV
    script:
        STAGE


rule ntp_pitfalls_train:
    input:
        data="results/ntp_pitfalls/data/{ntp_graph}",
    output:
        model="results/ntp_pitfalls/models/{ntp_graph}/{ntp_arm}/seed{seed}/model.pt",
        log="results/ntp_pitfalls/models/{ntp_graph}/{ntp_arm}/seed{seed}/train.json",
    params:
        stage="ntp_pitfalls.train",
        code=code_version("ntp_pitfalls.train"),
        cfg=lambda w: ntp_run_params(NTP, w.ntp_graph, w.ntp_arm, w.seed),
    threads: NTP["threads"]
    resources:
        **train_resources("ntp_pitfalls", resumable=True),  # fit() / fit_seeds() checkpoints: total_runtime may span attempts
    retries: train_retries("ntp_pitfalls")
    log:
        "results/ntp_pitfalls/logs/train_{ntp_graph}_{ntp_arm}_seed{seed}.log",
    benchmark:
        "results/ntp_pitfalls/benchmarks/train_{ntp_graph}_{ntp_arm}_seed{seed}.tsv"
    conda:
        TORCH_ENV
    script:
        STAGE


# batch_seeds: all seeds of one (graph, arm) train side by side in one job (repro.nn.seeds; the same
# weights, bitwise, as one job per seed). Any other seed, e.g. one asked for by path, still trains alone.
if NTP.get("batch_seeds", False) and len(NTP["seeds"]) > 1:
    if ema_graphs := [g["name"] for g in NTP["graphs"] if (NTP["optim"] | g.get("optim", {})).get("ema", 0)]:
        raise ValueError(f"config validation: ntp_pitfalls.batch_seeds trains seeds side by side, which has no EMA "
                         f"weights, but optim.ema is set for graphs {ema_graphs}; set batch_seeds: false or drop ema")

    use rule ntp_pitfalls_train as ntp_pitfalls_train_seeds with:
        output:
            model=expand("results/ntp_pitfalls/models/{{ntp_graph}}/{{ntp_arm}}/seed{seed}/model.pt", seed=NTP["seeds"]),
            log=expand("results/ntp_pitfalls/models/{{ntp_graph}}/{{ntp_arm}}/seed{seed}/train.json", seed=NTP["seeds"]),
        params:
            cfg=lambda w: ntp_seeds_run_params(NTP, w.ntp_graph, w.ntp_arm, NTP["seeds"]),
        log:
            "results/ntp_pitfalls/logs/train_{ntp_graph}_{ntp_arm}_seeds.log",
        benchmark:
            "results/ntp_pitfalls/benchmarks/train_{ntp_graph}_{ntp_arm}_seeds.tsv"

    ruleorder: ntp_pitfalls_train_seeds > ntp_pitfalls_train


rule ntp_pitfalls_evaluate:
    input:
        data="results/ntp_pitfalls/data/{ntp_graph}",
        model="results/ntp_pitfalls/models/{ntp_graph}/{ntp_arm}/seed{seed}/model.pt",
    output:
        metrics="results/ntp_pitfalls/metrics/{ntp_graph}/{ntp_arm}/seed{seed}.json",
    params:
        stage="ntp_pitfalls.evaluate",
        code=code_version("ntp_pitfalls.evaluate"),
        cfg=lambda w: ntp_run_params(NTP, w.ntp_graph, w.ntp_arm, w.seed),
    threads: NTP["threads"]
    resources:
        **light_resources("ntp_pitfalls"),
    log:
        "results/ntp_pitfalls/logs/evaluate_{ntp_graph}_{ntp_arm}_seed{seed}.log",
    benchmark:
        "results/ntp_pitfalls/benchmarks/evaluate_{ntp_graph}_{ntp_arm}_seed{seed}.tsv"
    conda:
        TORCH_ENV
    script:
        STAGE


rule ntp_pitfalls_render:
    input:
        metrics=[
            f"results/ntp_pitfalls/metrics/{name}/{arm}/seed{seed}.json"
            for name, graph in NTP_GRAPHS.items()
            for arm in graph_arms(NTP, graph)
            for seed in NTP["seeds"]
        ],
    output:
        accuracy_png=report(f"{NTP_FIGS}/accuracy.png", caption="../report/ntp_pitfalls_accuracy.rst", category="ntp_pitfalls"),
        accuracy_pdf=f"{NTP_FIGS}/accuracy.pdf",
        forced_png=report(f"{NTP_FIGS}/forced_accuracy.png", caption="../report/ntp_pitfalls_forced.rst", category="ntp_pitfalls"),
        forced_pdf=f"{NTP_FIGS}/forced_accuracy.pdf",
        table=f"{NTP_FIGS}/accuracy_table.md",
        table_tex=f"{NTP_FIGS}/accuracy_table.tex",
        table_csv=f"{NTP_FIGS}/accuracy_table.csv",
        claims=f"{NTP_FIGS}/claims.json",
    params:
        stage="ntp_pitfalls.render",
        code=code_version("ntp_pitfalls.render"),
        cfg={"graphs": NTP["graphs"], "scale": config["scale"]},
    resources:
        **light_resources("ntp_pitfalls"),
    log:
        "results/ntp_pitfalls/logs/render.log",
    benchmark:
        "results/ntp_pitfalls/benchmarks/render.tsv"
    conda:
        TORCH_ENV
    script:
        STAGE


rule ntp_pitfalls:
    input:
        PAPER_TARGETS["ntp_pitfalls"],
