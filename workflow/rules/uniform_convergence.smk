# Uniform convergence may be unable to explain generalization in deep learning (Nagarajan & Kolter, 2019).
# (a) real images: an ensemble per m, test error and ‖W − W0‖ vs m; (b) hyperspheres: test vs projected-set error;
# (c) the authors' hypersphere demonstration (batch-1 SGD, one init per seed): the bounds vs m → render.

UC = config["uniform_convergence"]
UC_FIGS = "paper_figures/uniform_convergence"
PAPER_TARGETS["uniform_convergence"] = [
    f"{UC_FIGS}/{f}"
    for f in [
        "bounds_vs_m.png", "bounds_vs_m.pdf", "bounds_demo.png", "bounds_demo.pdf", "hypersphere.png", "hypersphere.pdf", "summary.md", "summary.tex",
        "summary.csv", "claims.json",
    ]
]


rule uniform_convergence_train_images:
    input:
        **image_input(UC["source"]),
    output:
        metrics="results/uniform_convergence/images.json",
    params:
        stage="uniform_convergence.train_images",
        code=code_version("uniform_convergence.train_images"),
        cfg=UC["images"] | {k: UC[k] for k in ("source", "n_test", "split_seed", "seeds")},
    threads: UC["threads"]
    resources:
        **train_resources("uniform_convergence"),
    log:
        "results/uniform_convergence/logs/train_images.log",
    benchmark:
        "results/uniform_convergence/benchmarks/train_images.tsv"
    conda:
        TORCH_ENV
    script:
        STAGE


rule uniform_convergence_train_spheres:
    output:
        metrics="results/uniform_convergence/spheres.json",
    params:
        stage="uniform_convergence.train_spheres",
        code=code_version("uniform_convergence.train_spheres"),
        cfg=UC["spheres"] | {"seeds": UC["seeds"]},
    threads: UC["threads"]
    resources:
        **train_resources("uniform_convergence"),
    log:
        "results/uniform_convergence/logs/train_spheres.log",
    benchmark:
        "results/uniform_convergence/benchmarks/train_spheres.tsv"
    conda:
        TORCH_ENV
    script:
        STAGE


rule uniform_convergence_train_bounds:
    output:
        metrics="results/uniform_convergence/bounds.json",
    params:
        stage="uniform_convergence.train_bounds",
        code=code_version("uniform_convergence.train_bounds"),
        cfg=UC["bounds"] | {"seeds": UC["seeds"]},
    threads: UC["threads"]
    resources:
        **train_resources("uniform_convergence", cpu_only=True),  # batch-1 SGD on the CPU (the notebook's): no GPU
    log:
        "results/uniform_convergence/logs/train_bounds.log",
    benchmark:
        "results/uniform_convergence/benchmarks/train_bounds.tsv"
    conda:
        TORCH_ENV
    script:
        STAGE


rule uniform_convergence_render:
    input:
        images="results/uniform_convergence/images.json",
        spheres="results/uniform_convergence/spheres.json",
        bounds="results/uniform_convergence/bounds.json",
    output:
        bounds_png=report(f"{UC_FIGS}/bounds_vs_m.png", caption="../report/uniform_convergence.rst", category="uniform_convergence"),
        bounds_pdf=f"{UC_FIGS}/bounds_vs_m.pdf",
        demo_png=report(f"{UC_FIGS}/bounds_demo.png", caption="../report/uniform_convergence.rst", category="uniform_convergence"),
        demo_pdf=f"{UC_FIGS}/bounds_demo.pdf",
        spheres_png=report(f"{UC_FIGS}/hypersphere.png", caption="../report/uniform_convergence.rst", category="uniform_convergence"),
        spheres_pdf=f"{UC_FIGS}/hypersphere.pdf",
        table=f"{UC_FIGS}/summary.md",
        table_tex=f"{UC_FIGS}/summary.tex",
        table_csv=f"{UC_FIGS}/summary.csv",
        claims=f"{UC_FIGS}/claims.json",
    params:
        stage="uniform_convergence.render",
        code=code_version("uniform_convergence.render"),
        cfg={"scale": config["scale"]},
    resources:
        **light_resources("uniform_convergence"),
    log:
        "results/uniform_convergence/logs/render.log",
    benchmark:
        "results/uniform_convergence/benchmarks/render.tsv"
    conda:
        TORCH_ENV
    script:
        STAGE


rule uniform_convergence:
    input:
        PAPER_TARGETS["uniform_convergence"],
