# Roll the dice & look before you leap (Nagarajan, Wu et al., 2025).
# one job per task × arm × seed (train, generate one answer per fresh test prompt, score) → render.
# Full scale with `finetune` in the config: its tasks × arms finetune the hub's pretrained GPT-2 (fetched by
# the fetch_hub_model localrule) instead of training from scratch, as the paper does for circle.

from repro.papers.creativity.params import run_params as creativity_run_params

CR = config["creativity"]
CR_FIGS = "paper_figures/creativity"
CR_FT = CR.get("finetune", {"tasks": [], "arms": []})



PAPER_TARGETS["creativity"] = [
    f"{CR_FIGS}/{f}"
    for f in [
        "creativity.png", "creativity.pdf", "seed_conditioning.png", "seed_conditioning.pdf",
        "creativity_table.md", "creativity_table.tex", "creativity_table.csv", "claims.json",
    ]
]


wildcard_constraints:
    cr_task="|".join(CR["tasks"]),
    cr_arm="|".join(CR["arms"]),


rule creativity_train:
    output:
        metrics="results/creativity/{cr_task}/{cr_arm}/seed{seed}.json",
    params:
        stage="creativity.train",
        code=code_version("creativity.train"),
        cfg=lambda w: creativity_run_params(CR, w.cr_task, w.cr_arm, int(w.seed)),
    threads: CR["threads"]
    resources:
        **train_resources("creativity", resumable=True),  # fit() checkpoints: total_runtime may span attempts
    retries: train_retries("creativity")
    log:
        "results/creativity/logs/train_{cr_task}_{cr_arm}_seed{seed}.log",
    benchmark:
        "results/creativity/benchmarks/train_{cr_task}_{cr_arm}_seed{seed}.tsv"
    conda:
        TORCH_ENV
    script:
        STAGE


rule creativity_train_finetune:
    """One task × arm × seed finetuned from the hub's GPT-2 (repro.papers.creativity.hub)."""
    input:
        unpack(lambda w: hub_input(CR_FT["name"])),
    output:
        metrics="results/creativity/{cr_task}/{cr_arm}/finetuned/seed{seed}.json",
    params:
        stage="creativity.hub.train",
        code=code_version("creativity.hub.train"),
        cfg=lambda w: {k: v for k, v in CR.items() if k not in ("tasks", "arms", "seeds", "resources", "finetune", "diffusion_optim")}
        | CR["tasks"][w.cr_task] | {k: CR_FT[k] for k in ("optim", "batch_size") if k in CR_FT}
        | {"task": w.cr_task, "arm": w.cr_arm, "seed": int(w.seed)},
    threads: CR["threads"]
    resources:
        **train_resources("creativity", resumable=True),
    retries: train_retries("creativity")
    log:
        "results/creativity/logs/finetune_{cr_task}_{cr_arm}_seed{seed}.log",
    benchmark:
        "results/creativity/benchmarks/finetune_{cr_task}_{cr_arm}_seed{seed}.tsv"
    conda:
        "../../envs/hf.yaml"
    script:
        STAGE


rule creativity_render:
    input:
        metrics=[creativity_metrics(t, a, s) for t in CR["tasks"] for a in CR["arms"] for s in CR["seeds"]],
    output:
        creativity_png=report(f"{CR_FIGS}/creativity.png", caption="../report/creativity.rst", category="creativity"),
        creativity_pdf=f"{CR_FIGS}/creativity.pdf",
        seed_png=report(f"{CR_FIGS}/seed_conditioning.png", caption="../report/creativity.rst", category="creativity"),
        seed_pdf=f"{CR_FIGS}/seed_conditioning.pdf",
        table=f"{CR_FIGS}/creativity_table.md",
        table_tex=f"{CR_FIGS}/creativity_table.tex",
        table_csv=f"{CR_FIGS}/creativity_table.csv",
        claims=f"{CR_FIGS}/claims.json",
    params:
        stage="creativity.render",
        code=code_version("creativity.render"),
        cfg={"scale": config["scale"]},
    resources:
        **light_resources("creativity"),
    log:
        "results/creativity/logs/render.log",
    benchmark:
        "results/creativity/benchmarks/render.tsv"
    conda:
        TORCH_ENV
    script:
        STAGE


rule creativity:
    input:
        PAPER_TARGETS["creativity"],
