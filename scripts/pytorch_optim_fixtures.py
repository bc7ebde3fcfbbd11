#!/usr/bin/env python3
"""Writes the PyTorch reference fixtures for Engine.Tests/Optim (run with PyTorch 1.13):

    /usr/bin/python3 scripts/pytorch_optim_fixtures.py

Optimizers: two small float32 parameters, five steps; the gradients of every step are drawn here (seeded)
and stored, so the C# test replays exactly the same gradients and compares the parameters after each step.
Schedules: the learning rate after each scheduler.step(), starting from the value set at construction.
"""
import json
import math
import os

import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Engine.Tests", "Fixtures", "optim")
STEPS = 5
SHAPES = [(2, 3), (4,)]


def floats(t):
    return [float(x) for x in t.detach().reshape(-1).tolist()]


def optimizer_case(name, make, absent=(), lrs=None):
    """absent: (step, parameter) pairs whose grad is None at that step (recorded as null);
    lrs: the learning rate set before each step (recorded per step as "lr")."""
    gen = torch.Generator().manual_seed(1234)
    params = [torch.randn(*s, generator=gen, dtype=torch.float32).requires_grad_() for s in SHAPES]
    initial = [floats(p) for p in params]
    opt = make(params)
    steps = []
    for k in range(STEPS):
        grads = [torch.randn(*s, generator=gen, dtype=torch.float32) for s in SHAPES]
        grads = [None if (k, i) in absent else g for i, g in enumerate(grads)]
        for p, g in zip(params, grads):
            p.grad = None if g is None else g.clone()
        if lrs is not None:
            opt.param_groups[0]["lr"] = lrs[k]
        opt.step()
        step = {"grads": [None if g is None else floats(g) for g in grads], "params": [floats(p) for p in params]}
        if lrs is not None:
            step["lr"] = lrs[k]
        steps.append(step)
    return {"name": name, "torch": torch.__version__, "shapes": [list(s) for s in SHAPES],
            "initial": initial, "steps": steps}


def schedule_case(name, make_sched, epochs, metrics=None):
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=0.1)
    sched = make_sched(opt)
    lrs = [opt.param_groups[0]["lr"]]
    for e in range(epochs):
        opt.step()
        if metrics is None:
            sched.step()
        else:
            sched.step(metrics[e])
        lrs.append(opt.param_groups[0]["lr"])
    case = {"name": name, "torch": torch.__version__, "base_lr": 0.1, "lrs": lrs}
    if metrics is not None:
        case["metrics"] = metrics
    return case


def main():
    os.makedirs(OUT, exist_ok=True)
    O = torch.optim
    cases = [
        optimizer_case("sgd_plain_wd", lambda ps: O.SGD(ps, lr=0.1, weight_decay=0.01)),
        optimizer_case("sgd_momentum_dampening", lambda ps: O.SGD(ps, lr=0.1, momentum=0.9, dampening=0.1)),
        optimizer_case("sgd_nesterov_wd", lambda ps: O.SGD(ps, lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01)),
        optimizer_case("adam", lambda ps: O.Adam(ps, lr=0.01, betas=(0.9, 0.999), eps=1e-8)),
        optimizer_case("adam_wd", lambda ps: O.Adam(ps, lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1)),
        optimizer_case("adamw", lambda ps: O.AdamW(ps, lr=0.01, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.1)),
    ]
    # A parameter without a gradient is skipped (no decay, state not advanced); the rate changes between steps.
    absent = {(0, 1), (2, 1), (3, 0)}
    lrs = [0.1, 0.05, 0.2, 0.01, 0.3]
    cases += [
        optimizer_case("sgd_momentum_absent_lr", lambda ps: O.SGD(ps, lr=0.1, momentum=0.9, dampening=0.2, weight_decay=0.02), absent, lrs),
        optimizer_case("adam_wd_absent_lr", lambda ps: O.Adam(ps, lr=0.1, betas=(0.8, 0.9), eps=1e-3, weight_decay=0.1), absent, lrs),
        optimizer_case("adamw_absent_lr", lambda ps: O.AdamW(ps, lr=0.1, betas=(0.8, 0.9), eps=1e-3, weight_decay=0.1), absent, lrs),
    ]
    with open(os.path.join(OUT, "optimizers.json"), "w") as f:
        json.dump(cases, f, indent=1)

    plateau_metrics = [1.0, 0.9, 0.95, 0.91, 0.92, 0.93, 0.5, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6]
    LR = O.lr_scheduler
    schedules = [
        schedule_case("step_lr", lambda o: LR.StepLR(o, step_size=3, gamma=0.5), 10),
        schedule_case("cosine", lambda o: LR.CosineAnnealingLR(o, T_max=5, eta_min=0.01), 12),
        schedule_case("plateau_rel", lambda o: LR.ReduceLROnPlateau(
            o, mode="min", factor=0.5, patience=2, threshold=0.01, threshold_mode="rel", cooldown=1, min_lr=0.02),
            len(plateau_metrics), plateau_metrics),
        schedule_case("plateau_abs", lambda o: LR.ReduceLROnPlateau(
            o, mode="min", factor=0.3, patience=1, threshold=0.05, threshold_mode="abs", cooldown=0, min_lr=0.0),
            len(plateau_metrics), plateau_metrics),
    ]
    with open(os.path.join(OUT, "schedules.json"), "w") as f:
        json.dump(schedules, f, indent=1)


if __name__ == "__main__":
    main()
