# Helpers shared by every paper's rules: the paper list, resources, targets.

PAPERS = config["papers"]
STAGE = "../scripts/stage.py"  # the one Snakemake → Python adapter (relative to rules/)
TORCH_ENV = "../../envs/torch.yaml"
OPT_ENV = "../../envs/opt.yaml"


wildcard_constraints:
    seed=r"\d+",


def train_resources(section):
    """mem_mb/runtime for a compute rule, plus the GPU tags when the scale asks for a GPU."""
    r = config[section]["resources"]["train"]
    res = {"mem_mb": r["mem_mb"], "runtime": r["runtime"]}
    if r.get("gpu", 0) > 0:
        res |= {"gpu": r["gpu"], "gpu_manufacturer": "nvidia"}
    return res


def light_resources(section):
    r = config[section]["resources"]["light"]
    return {"mem_mb": r["mem_mb"], "runtime": r["runtime"]}


PAPER_TARGETS = {}  # slug -> list of final artefacts; filled by each paper's rules file


def paper_targets():
    return [t for slug in PAPERS for t in PAPER_TARGETS[slug]]

