"""PyTorch reference for `kindling bench` on a machine with a GPU (not part of CI).

The same workloads as the engine's benchmark (engine/src/lessons/bench): the same networks,
optimisers, batch sizes and kinds of synthetic data (not the same numbers: PyTorch's generator
draws them). Each step is waited for by reading its result back (`.item()`), as Kindling's
runner does, so the two columns time the same thing. Prints a Markdown table; --json writes
every step's time.
"""

import argparse
import json
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

BATCH = 64


def small_cnn():
    # A: 28×28×1 → conv 8@5×5 ReLU → max-pool 2 → conv 16@5×5 ReLU → max-pool 2 → dense 10.
    return nn.Sequential(
        nn.Conv2d(1, 8, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(256, 10),
    )


def default_cnn():
    # The CNN lesson's default: conv 8@5×5 pad 2, max-pool 2, conv 16@5×5, max-pool 2,
    # dense 128 ReLU, 10 logits; Adam 2e-3.
    return nn.Sequential(
        nn.Conv2d(1, 8, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(400, 128), nn.ReLU(), nn.Linear(128, 10),
    )


def classifier_step(model, optimizer, x, y):
    loss = F.cross_entropy(model(x), y)
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()
    return loss


def make(workload, device):
    x = torch.randn(BATCH, 1, 28, 28, device=device)
    y = torch.randint(0, 10, (BATCH,), device=device)
    if workload in ("cnn-small", "cnn-default"):
        model = (small_cnn() if workload == "cnn-small" else default_cnn()).to(device)
        rate = 1e-3 if workload == "cnn-small" else 2e-3
        optimizer = torch.optim.Adam(model.parameters(), lr=rate)
        return lambda: classifier_step(model, optimizer, x, y)
    if workload == "transfer":
        model = small_cnn().to(device)
        convs, head = model[:7], model[7]
        for p in convs.parameters():
            p.requires_grad_(False)
        optimizer = torch.optim.Adam(head.parameters(), lr=1e-3)
        return lambda: classifier_step(model, optimizer, x, y)
    if workload == "inference":
        model = small_cnn().to(device).eval()
        one = x[:1]

        def infer():
            with torch.no_grad():
                return model(one).flatten()[0]

        return infer
    if workload == "gan":
        g = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 784), nn.Tanh()).to(device)
        d = nn.Sequential(nn.Linear(784, 128), nn.LeakyReLU(0.2), nn.Linear(128, 1)).to(device)
        g_opt = torch.optim.Adam(g.parameters(), lr=2e-4, betas=(0.5, 0.999))
        d_opt = torch.optim.Adam(d.parameters(), lr=2e-4, betas=(0.5, 0.999))
        real = torch.rand(BATCH, 784, device=device) * 2 - 1
        noise = torch.randn(BATCH, 64, device=device)

        def gan_step():
            fake = g(noise).detach()
            d_loss = F.softplus(-d(real)).mean() + F.softplus(d(fake)).mean()
            d_opt.zero_grad(set_to_none=True)
            d_loss.backward()
            d_opt.step()
            g_loss = F.softplus(-d(g(noise))).mean()
            g_opt.zero_grad(set_to_none=True)
            g_loss.backward()
            g_opt.step()
            return g_loss

        return gan_step
    raise SystemExit(f"no workload {workload!r}")


def timed(step):
    started = time.perf_counter()
    step().item()
    return (time.perf_counter() - started) * 1000.0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--workloads", default="cnn-small,cnn-default,gan,inference,transfer")
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--json")
    args = parser.parse_args()
    torch.manual_seed(1)
    device = torch.device(args.device)
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else "CPU"
    print(f"PyTorch {torch.__version__} on {name}")
    print("| workload | first step (ms) | median step (ms) | steps timed |\n| --- | ---: | ---: | ---: |")
    results = []
    for workload in args.workloads.split(","):
        step = make(workload, device)
        first = timed(step)
        for _ in range(args.warmup):
            timed(step)
        steps = [timed(step) for _ in range(args.steps)]
        median = statistics.median(steps)
        print(f"| {workload} | {first:.1f} | {median:.2f} | {len(steps)} |", flush=True)
        results.append({"workload": workload, "first_ms": first, "median_ms": median, "steps_ms": steps})
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"engine": f"pytorch {torch.__version__}", "device": name, "results": results}, f, indent=1)


if __name__ == "__main__":
    main()
