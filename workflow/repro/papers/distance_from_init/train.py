"""One experiment's grid: for every (width, m) a batched ensemble of ReLU MLPs with `depth` hidden
layers, one member per (label-noise level, seed), trained by SGD until every training point has
margin ≥ γ; records ‖W − W0‖ (all layers), test error and how training stopped. A member's init and
order derive from its seed and (width, m), so the noise levels of one seed are paired (same init,
order and training subset, nested label flips) and different seeds are independent."""
from __future__ import annotations

from repro.core import runtime
from repro.core.io import write_json
from repro.data.images import load_task
from repro.nn.ensemble import (INIT, ORDER, EnsembleOptim, MLPEnsemble, fit_ensemble, member_data, member_generators,
                               predict_shared)
from repro.nn.measures import distance_from_init, error


def train(params: dict, inputs: dict, outputs: dict, threads: int) -> None:
    p = params
    dev = runtime.device()  # the ensembles train there; draws stay on the CPU (repro.nn.ensemble)
    X, y, classes, pool, test = load_task(p, flatten=True, images=inputs.get("images"))
    X = X.to(dev)
    members = [{"noise": q, "seed": s, "data_seed": s} for q in p["noise"] for s in p["seeds"]]
    rows = []
    for width in p["widths"]:
        for m in p["sizes"]:
            idx, Y = member_data(pool, y, classes, members, m)
            model = MLPEnsemble(len(members), [X.shape[1]] + [width] * p["depth"] + [classes],
                                generators=member_generators(members, INIT, width, m)).to(dev)
            init = [w.detach().clone() for w in model.weights]
            fit = fit_ensemble(model, X, Y, idx, EnsembleOptim(**p["optim"]),
                               member_generators(members, ORDER, width, m))
            weights = [w.detach() for w in model.weights]
            dist = distance_from_init(weights, init).cpu()
            init_norm = distance_from_init(init, [0 * w for w in init]).cpu()
            test_err = error(predict_shared(model, X[test]).argmax(-1), y[test])
            for k, mem in enumerate(members):
                rows.append({"width": width, "m": m, "noise": mem["noise"], "seed": mem["seed"],
                             "distance": float(dist[k]), "init_norm": float(init_norm[k]),
                             "test_error": float(test_err[k]), "epochs": fit["epochs"][k],
                             "converged": fit["converged"][k]})
            print(f"width {width} m {m}: epochs {fit['epochs']} distance {[round(float(d), 2) for d in dist]}", flush=True)
    write_json(outputs["metrics"], {"experiment": p["experiment"], "rows": rows})
