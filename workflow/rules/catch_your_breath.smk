# Catch Your Breath: adaptive computation for self-paced sequence production (Galashov et al., 2025).
# one job per method × seed (train with periodic evaluation) → render. Mini: pause_tokens' synthetic corpus;
# full: byte-level C4 (fetch_text_corpus in common.smk).

CYB = config["catch_your_breath"]
CYB_FIGS = "paper_figures/catch_your_breath"
PAPER_TARGETS["catch_your_breath"] = [
    f"{CYB_FIGS}/{f}"
    for f in [
        "accuracy_vs_tokens.png", "accuracy_vs_tokens.pdf", "pause_rate.png", "pause_rate.pdf",
        "summary.md", "summary.tex", "summary.csv", "claims.json",
    ]
]


wildcard_constraints:
    cyb_method="no_pause|pause_ce|anytime|variational|budget",


rule catch_your_breath_train:
    input:
        **({"corpus": "results/catch_your_breath/data/corpus.bin"} if CYB["corpus"] != "synthetic" else {}),
        **tokenizer_input("catch_your_breath"),
    output:
        metrics="results/catch_your_breath/{cyb_method}/seed{seed}.json",
    params:
        stage="catch_your_breath.train",
        code=code_version("catch_your_breath.train"),
        cfg=lambda w: {k: v for k, v in CYB.items() if k not in ("seeds", "resources", "threads")}
        | {"method": w.cyb_method, "seed": int(w.seed)},
    threads: CYB["threads"]
    resources:
        **train_resources("catch_your_breath", resumable=True),  # fit() checkpoints: total_runtime may span attempts
    retries: train_retries("catch_your_breath")
    log:
        "results/catch_your_breath/logs/train_{cyb_method}_seed{seed}.log",
    benchmark:
        "results/catch_your_breath/benchmarks/train_{cyb_method}_seed{seed}.tsv"
    conda:
        "../../envs/hf.yaml"  # torch.yaml plus transformers / tokenizers (a corpus in a subword tokenizer's ids)
    script:
        STAGE


rule catch_your_breath_render:
    input:
        metrics=expand("results/catch_your_breath/{method}/seed{seed}.json",
                       method=["no_pause", "pause_ce", "anytime", "variational", "budget"], seed=CYB["seeds"]),
    output:
        accuracy_png=report(f"{CYB_FIGS}/accuracy_vs_tokens.png", caption="../report/catch_your_breath.rst", category="catch_your_breath"),
        accuracy_pdf=f"{CYB_FIGS}/accuracy_vs_tokens.pdf",
        pauses_png=report(f"{CYB_FIGS}/pause_rate.png", caption="../report/catch_your_breath.rst", category="catch_your_breath"),
        pauses_pdf=f"{CYB_FIGS}/pause_rate.pdf",
        table=f"{CYB_FIGS}/summary.md",
        table_tex=f"{CYB_FIGS}/summary.tex",
        table_csv=f"{CYB_FIGS}/summary.csv",
        claims=f"{CYB_FIGS}/claims.json",
    params:
        stage="catch_your_breath.render",
        code=code_version("catch_your_breath.render"),
        cfg={"scale": config["scale"], "k": CYB["k"], "synthetic": CYB["corpus"] == "synthetic",
             "tokens": (corpus_tokenizer("catch_your_breath") or {"name": "bytes"})["name"]},
    resources:
        **light_resources("catch_your_breath"),
    log:
        "results/catch_your_breath/logs/render.log",
    benchmark:
        "results/catch_your_breath/benchmarks/render.tsv"
    conda:
        "../../envs/hf.yaml"  # torch.yaml plus transformers / tokenizers (a corpus in a subword tokenizer's ids)
    script:
        STAGE


rule catch_your_breath:
    input:
        PAPER_TARGETS["catch_your_breath"],
