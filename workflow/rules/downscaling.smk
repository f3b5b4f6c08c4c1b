# The cost of down-scaling language models (Jin et al., 2023).
# dense GPTs of several widths per seed → prune the widest (magnitude, Wanda) over a sparsity grid → render.
# Full scale with `hub` in the config: the hub's pretrained OPT / Pythia checkpoints (fetched by the
# fetch_hub_model localrule, hub_models.smk) take the place of the GPTs: continued pretraining on the same mixture
# per model × seed → prune (the same repro.nn.prune) → the same render.
import re

DS = config["downscaling"]
DS_FIGS = "paper_figures/downscaling"
DS_WIDEST = max(DS["widths"])
DS_COMMON = {k: DS[k] for k in ("data", "model", "batch_size", "n_test", "optim")}
DS_NAMES = DS["data"].get("alphabet", DS["data"]["subjects"]) ** DS["data"].get("subject_tokens", 1)
if DS["data"].get("subject_tokens", 1) > 1 and DS_NAMES < DS["data"]["subjects"]:
    raise ValueError(f"config validation: downscaling.data: {DS['data']['subjects']} subjects need more names than alphabet ** "
                     f"subject_tokens = {DS_NAMES}; raise alphabet or subject_tokens")
DS_HUB = DS.get("hub")
if DS_HUB:
    DS_HUB_COMMON = DS_COMMON | {k: DS_HUB[k] for k in ("batch_size", "optim", "token_offset")}
    DS_HUB_TRAINED = list(dict.fromkeys(DS_HUB["dense"] + DS_HUB["pruned"]))
    DS_DENSE_INPUTS = expand("results/downscaling/hub/{m}/seed{seed}/metrics.json", m=DS_HUB["dense"], seed=DS["seeds"])
    # render draws the first pruned model; the others' pruning runs are targets of their own
    DS_PRUNE_INPUTS = expand("results/downscaling/hub/{m}/pruning/seed{seed}.json", m=DS_HUB["pruned"][0], seed=DS["seeds"])
    DS_PRUNE_EXTRA = expand("results/downscaling/hub/{m}/pruning/seed{seed}.json", m=DS_HUB["pruned"][1:], seed=DS["seeds"])
else:
    DS_HUB_TRAINED, DS_PRUNE_EXTRA = [], []
    DS_DENSE_INPUTS = expand("results/downscaling/models/width{width}/seed{seed}/metrics.json", width=DS["widths"], seed=DS["seeds"])
    DS_PRUNE_INPUTS = expand("results/downscaling/pruning/seed{seed}.json", seed=DS["seeds"])
PAPER_TARGETS["downscaling"] = DS_PRUNE_EXTRA + [
    f"{DS_FIGS}/{f}"
    for f in [
        "accuracy_vs_sparsity.png", "accuracy_vs_sparsity.pdf", "accuracy_vs_size.png", "accuracy_vs_size.pdf",
        "pruning_table.md", "pruning_table.tex", "pruning_table.csv", "claims.json",
    ]
]


rule downscaling_train:
    output:
        model="results/downscaling/models/width{width}/seed{seed}/model.pt",
        metrics="results/downscaling/models/width{width}/seed{seed}/metrics.json",
    params:
        stage="downscaling.train",
        code=code_version("downscaling.train"),
        cfg=lambda w: DS_COMMON | {"width": int(w.width), "seed": int(w.seed)},
    threads: DS["threads"]
    resources:
        **train_resources("downscaling", resumable=True),  # fit() checkpoints: total_runtime may span attempts
    retries: train_retries("downscaling")
    log:
        "results/downscaling/logs/train_width{width}_seed{seed}.log",
    benchmark:
        "results/downscaling/benchmarks/train_width{width}_seed{seed}.tsv"
    conda:
        TORCH_ENV
    script:
        STAGE


rule downscaling_prune:
    input:
        model=f"results/downscaling/models/width{DS_WIDEST}/seed{{seed}}/model.pt",
    output:
        metrics="results/downscaling/pruning/seed{seed}.json",
    params:
        stage="downscaling.prune",
        code=code_version("downscaling.prune"),
        cfg=lambda w: DS_COMMON | {k: DS[k] for k in ("methods", "sparsities", "calibration")} | {"seed": int(w.seed)},
    threads: DS["threads"]
    resources:
        **train_resources("downscaling", one_attempt=True),  # evaluates the pruned widest model many times: on the GPU at full scale
    log:
        "results/downscaling/logs/prune_seed{seed}.log",
    benchmark:
        "results/downscaling/benchmarks/prune_seed{seed}.tsv"
    conda:
        TORCH_ENV
    script:
        STAGE


rule downscaling_hub_train:
    """Continued pretraining of one hub checkpoint on the mixture (repro.papers.downscaling.hub)."""
    input:
        unpack(lambda w: hub_input(w.ds_model)),
    output:
        model=directory("results/downscaling/hub/{ds_model}/seed{seed}/model"),
        metrics="results/downscaling/hub/{ds_model}/seed{seed}/metrics.json",
    wildcard_constraints:
        ds_model="|".join(re.escape(m) for m in DS_HUB_TRAINED) or "(?!x)x",
    params:
        stage="downscaling.hub.train",
        code=code_version("downscaling.hub.train"),
        cfg=lambda w: DS_HUB_COMMON | {"name": w.ds_model, "seed": int(w.seed)},
    threads: DS["threads"]
    resources:
        **train_resources("downscaling", resumable=True),
    retries: train_retries("downscaling")
    log:
        "results/downscaling/logs/hub_train_{ds_model}_seed{seed}.log",
    benchmark:
        "results/downscaling/benchmarks/hub_train_{ds_model}_seed{seed}.tsv"
    conda:
        "../../envs/hf.yaml"
    script:
        STAGE


rule downscaling_hub_prune:
    """One trained hub checkpoint pruned (magnitude, Wanda) over the sparsity grid, each evaluated."""
    input:
        model="results/downscaling/hub/{ds_model}/seed{seed}/model",
    output:
        metrics="results/downscaling/hub/{ds_model}/pruning/seed{seed}.json",
    wildcard_constraints:
        ds_model="|".join(re.escape(m) for m in DS_HUB_TRAINED) or "(?!x)x",
    params:
        stage="downscaling.hub.prune",
        code=code_version("downscaling.hub.prune"),
        cfg=lambda w: DS_HUB_COMMON | {k: DS[k] for k in ("methods", "sparsities", "calibration")}
        | {"name": w.ds_model, "seed": int(w.seed)},
    threads: DS["threads"]
    resources:
        **train_resources("downscaling", one_attempt=True),  # evaluation only
    log:
        "results/downscaling/logs/hub_prune_{ds_model}_seed{seed}.log",
    benchmark:
        "results/downscaling/benchmarks/hub_prune_{ds_model}_seed{seed}.tsv"
    conda:
        "../../envs/hf.yaml"
    script:
        STAGE


rule downscaling_render:
    input:
        prune=DS_PRUNE_INPUTS,
        dense=DS_DENSE_INPUTS,
    output:
        sparsity_png=report(f"{DS_FIGS}/accuracy_vs_sparsity.png", caption="../report/downscaling.rst", category="downscaling"),
        sparsity_pdf=f"{DS_FIGS}/accuracy_vs_sparsity.pdf",
        size_png=report(f"{DS_FIGS}/accuracy_vs_size.png", caption="../report/downscaling.rst", category="downscaling"),
        size_pdf=f"{DS_FIGS}/accuracy_vs_size.pdf",
        table=f"{DS_FIGS}/pruning_table.md",
        table_tex=f"{DS_FIGS}/pruning_table.tex",
        table_csv=f"{DS_FIGS}/pruning_table.csv",
        claims=f"{DS_FIGS}/claims.json",
    params:
        stage="downscaling.render",
        code=code_version("downscaling.render"),
        cfg={"scale": config["scale"], "data": DS["data"]},  # no-skill baselines per family: Mixture(data).baseline()
    resources:
        **light_resources("downscaling"),
    log:
        "results/downscaling/logs/render.log",
    benchmark:
        "results/downscaling/benchmarks/render.tsv"
    conda:
        TORCH_ENV
    script:
        STAGE


rule downscaling:
    input:
        PAPER_TARGETS["downscaling"],
