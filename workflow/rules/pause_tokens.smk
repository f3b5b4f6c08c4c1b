# Think before you speak: training language models with pause tokens (Goyal et al., 2023).
# pretrain (standard / pause) per seed → finetune (standard / pause) per task + inference-pause sweep → render.
# Mini scale: synthetic late-query tasks. Full scale: byte-level C4 pretraining and the paper's hub sets.

PT = config["pause_tokens"]
PT_FIGS = "paper_figures/pause_tokens"
PT_COMMON = {k: v for k, v in PT.items() if k not in ("seeds", "resources", "threads")}
PT_TEXT = PT["corpus"] != "synthetic"
# What pretraining depends on, so that a finetuning-only change does not rerun it (the synthetic model's
# block size covers the pause sweep, so there the sweep stays in; and its corpus leaves out the test
# examples, so there n_test stays in too).
PT_FINETUNE_ONLY = ("downstream", "finetune_optim", "eval_batch") + (
    ("n_test", "tasks", "inference_pauses", "finetune_pauses") if PT_TEXT else ()
)
PT_PRETRAIN = {k: v for k, v in PT_COMMON.items() if k not in PT_FINETUNE_ONLY}
if PT_TEXT and (unknown := sorted(set(PT["tasks"]) - set(PT.get("downstream", {})))):
    raise ValueError(f"config validation: pause_tokens.tasks {unknown} have no entry under pause_tokens.downstream")
PAPER_TARGETS["pause_tokens"] = [
    f"{PT_FIGS}/{f}"
    for f in [
        "grid_2x2.png", "grid_2x2.pdf", "inference_pauses.png", "inference_pauses.pdf",
        "grid_table.md", "grid_table.tex", "grid_table.csv", "claims.json",
    ]
]


wildcard_constraints:
    pt_arm="std|pause",
    pt_task="|".join(PT["tasks"]),


rule pause_tokens_fetch_task:
    output:
        data="results/pause_tokens/data/{pt_task}.json",
    params:
        stage="pause_tokens.fetch_task",
        code=code_version("pause_tokens.fetch_task"),
        cfg=lambda w: PT["downstream"][w.pt_task],
    resources:
        **light_resources("pause_tokens"),
    log:
        "results/pause_tokens/logs/fetch_{pt_task}.log",
    conda:
        TORCH_ENV
    script:
        STAGE


rule pause_tokens_train_pretrain:
    input:
        **({"corpus": "results/pause_tokens/data/corpus.bin"} if PT_TEXT else {}),
        **tokenizer_input("pause_tokens"),
    output:
        model="results/pause_tokens/pretrain/{pt_arm}/seed{seed}/model.pt",
    params:
        stage="pause_tokens.pretrain",
        code=code_version("pause_tokens.pretrain"),
        cfg=lambda w: PT_PRETRAIN | {"arm": w.pt_arm, "seed": int(w.seed)},
    threads: PT["threads"]
    resources:
        **train_resources("pause_tokens", resumable=True),  # fit() checkpoints: total_runtime may span attempts
    retries: train_retries("pause_tokens")
    log:
        "results/pause_tokens/logs/pretrain_{pt_arm}_seed{seed}.log",
    benchmark:
        "results/pause_tokens/benchmarks/pretrain_{pt_arm}_seed{seed}.tsv"
    conda:
        "../../envs/hf.yaml"  # torch.yaml plus transformers / tokenizers (a corpus in a subword tokenizer's ids)
    script:
        STAGE


rule pause_tokens_train_finetune:
    input:
        model="results/pause_tokens/pretrain/{pt_arm}/seed{seed}/model.pt",
        **({"data": "results/pause_tokens/data/{pt_task}.json"} if PT_TEXT else {}),
        **tokenizer_input("pause_tokens"),
    output:
        metrics="results/pause_tokens/finetune/{pt_arm}/{pt_task}/seed{seed}.json",
    params:
        stage="pause_tokens.finetune",
        code=code_version("pause_tokens.finetune"),
        # only its own task's downstream entry: editing another set reruns nothing here
        cfg=lambda w: PT_COMMON
        | ({"downstream": {w.pt_task: PT["downstream"][w.pt_task]}} if PT_TEXT else {})
        | {"arm": w.pt_arm, "task": w.pt_task, "seed": int(w.seed)},
    threads: PT["threads"]
    resources:
        **train_resources("pause_tokens", resumable=True),  # fit() checkpoints: total_runtime may span attempts
    retries: train_retries("pause_tokens")
    log:
        "results/pause_tokens/logs/finetune_{pt_arm}_{pt_task}_seed{seed}.log",
    benchmark:
        "results/pause_tokens/benchmarks/finetune_{pt_arm}_{pt_task}_seed{seed}.tsv"
    conda:
        "../../envs/hf.yaml"  # torch.yaml plus transformers / tokenizers (a corpus in a subword tokenizer's ids)
    script:
        STAGE


rule pause_tokens_render:
    input:
        metrics=expand("results/pause_tokens/finetune/{arm}/{task}/seed{seed}.json", arm=["std", "pause"],
                       task=PT["tasks"], seed=PT["seeds"]),
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
        code=code_version("pause_tokens.render"),
        cfg={"scale": config["scale"], "finetune_pauses": PT["finetune_pauses"],
             "corpus": "synthetic" if not PT_TEXT else PT["corpus"]["load"]["path"],
             "tokens": (corpus_tokenizer("pause_tokens") or {"name": "bytes"})["name"],
             "per_sequence": PT.get("per_sequence")},
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
