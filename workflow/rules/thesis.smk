# Explaining generalization in deep learning: progress and fundamental limits (Nagarajan, 2021).
# Trains nothing: composes the four papers' results into the thesis's summary figure and claims.

TH_FIGS = "paper_figures/thesis"
PAPER_TARGETS["thesis"] = [f"{TH_FIGS}/{f}" for f in ["summary.png", "summary.pdf", "claims.json"]]


rule thesis_render:
    input:
        distance=expand("results/distance_from_init/{e}.json", e=config["distance_from_init"]["experiments"]),
        pac_bayes=expand("results/pac_bayes_noise/{arch}.json", arch=PB_ARCHS),
        uc_images="results/uniform_convergence/images.json",
        uc_spheres="results/uniform_convergence/spheres.json",
        uc_bounds="results/uniform_convergence/bounds.json",
        pairs=expand("results/disagreement/pairs/c{c}.json", c=config["disagreement"]["grid"]["channels"]),
        ensembles=expand("results/disagreement/ensemble/seed{seed}.json", seed=config["disagreement"]["seeds"]),
    output:
        summary_png=report(f"{TH_FIGS}/summary.png", caption="../report/thesis.rst", category="thesis"),
        summary_pdf=f"{TH_FIGS}/summary.pdf",
        claims=f"{TH_FIGS}/claims.json",
    params:
        stage="thesis.render",
        code=code_version("thesis.render"),
        cfg={"scale": config["scale"]} | {k: config["pac_bayes_noise"][k] for k in ("focus_width", "focus_depth")},
    resources:
        **light_resources("thesis"),
    log:
        "results/thesis/logs/render.log",
    benchmark:
        "results/thesis/benchmarks/render.tsv"
    conda:
        TORCH_ENV
    script:
        STAGE


rule thesis:
    input:
        PAPER_TARGETS["thesis"],
