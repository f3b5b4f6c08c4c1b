# Think before you speak: training language models with pause tokens (Goyal et al., 2023).
# pretrain (standard / pause) per seed → finetune (standard / pause) on each task + inference-pause sweep → render.

PT = config["pause_tokens"]
PT_FIGS = "paper_figures/pause_tokens"
PT_COMMON = {k: v for k, v in PT.items() if k not in ("seeds", "resources", "threads")}
PAPER_TARGETS["pause_tokens"] = [
    f"{PT_FIGS}/{f}"
    for f in [
        "grid_2x2.png", "grid_2x2.pdf", "inference_pauses.png", "inference_pauses.pdf",
        "grid_table.md", "grid_table.tex", "grid_table.csv", "claims.json",
    ]
]


wildcard_constraints:
    pt_arm="std|pause",


rule pause_tokens_train_pretrain:
    output:
        model="results/pause_tokens/pretrain/{pt_arm}/seed{seed}/model.pt",
    params:
        stage="pause_tokens.pretrain",
        cfg=lambda w: PT_COMMON | {"arm": w.pt_arm, "seed": int(w.seed)},
    threads: PT["threads"]
    resources:
        **train_resources("pause_tokens"),
    log:
        "results/pause_tokens/logs/pretrain_{pt_arm}_seed{seed}.log",
    benchmark:
        "results/pause_tokens/benchmarks/pretrain_{pt_arm}_seed{seed}.tsv"
    conda:
        TORCH_ENV
    script:
        STAGE


rule pause_tokens_train_finetune:
    input:
        model="results/pause_tokens/pretrain/{pt_arm}/seed{seed}/model.pt",
    output:
        metrics="results/pause_tokens/finetune/{pt_arm}/seed{seed}.json",
    params:
        stage="pause_tokens.finetune",
        cfg=lambda w: PT_COMMON | {"arm": w.pt_arm, "seed": int(w.seed)},
    threads: PT["threads"]
    resources:
        **train_resources("pause_tokens"),
    log:
        "results/pause_tokens/logs/finetune_{pt_arm}_seed{seed}.log",
    benchmark:
        "results/pause_tokens/benchmarks/finetune_{pt_arm}_seed{seed}.tsv"
    conda:
        TORCH_ENV
    script:
        STAGE


rule pause_tokens_render:
    input:
        metrics=expand("results/pause_tokens/finetune/{arm}/seed{seed}.json", arm=["std", "pause"], seed=PT["seeds"]),
    output:
        grid_png=report(f"{PT_FIGS}/grid_2x2.png", caption="../report/pause_tokens.rst", category="pause_tokens"),
        grid_pdf=f"{PT_FIGS}/grid_2x2.pdf",
        pauses_png=report(f"{PT_FIGS}/inference_pauses.png", caption="../report/pause_tokens.rst", category="pause_tokens"),
        pauses_pdf=f"{PT_FIGS}/inference_pauses.pdf",
        table=f"{PT_FIGS}/grid_table.md",
        table_tex=f"{PT_FIGS}/grid_table.tex",
        table_csv=f"{PT_FIGS}/grid_table.csv",
        claims=f"{PT_FIGS}/claims.json",
    params:
        stage="pause_tokens.render",
        cfg={"scale": config["scale"], "finetune_pauses": PT["finetune_pauses"], "per_sequence": PT["per_sequence"]},
    resources:
        **light_resources("pause_tokens"),
    log:
        "results/pause_tokens/logs/render.log",
    benchmark:
        "results/pause_tokens/benchmarks/render.tsv"
    conda:
        TORCH_ENV
    script:
        STAGE


rule pause_tokens:
    input:
        PAPER_TARGETS["pause_tokens"],
