#!/usr/bin/env python3
"""Peer anchor for GPU throughput: the AOC-DT p-QUMO batch update (aoc-dt-spec.md §2.3) written the way a
PyTorch user would write it, plus a plain sgemm of the same shape. Run it on a GPU machine next to
`aocbench perf` and report both. Prints CSV: n,B,iters,aocdt_ms_per_iter,aocdt_gflops,sgemm_ms,sgemm_gflops,
replica_iters_per_s. Usage: torch_aocdt.py [--n 256 1024 4096] [--batch 4096] [--iters 200] [--device cuda]
       torch_aocdt.py --pairs 256:28352 1024:4224 [--iters 200]   # one batch B per n

Provenance: the project's PyTorch anchor for GPU throughput (upstream copy md5 178033507c12...),
kept here because a GPU machine receives only the working tree (scripts/gpu_check.sh runs it).
Two changes, neither in what is timed: `--pairs` runs each n at its own B (perf's `--replicas auto`
batches, so that `aocbench perf --reference-csv` and gpu_report.py match rows on exact (n, B)); the
largest eigenvalue is computed on the device (float64 `eigvalsh` of an 8192 x 8192 J takes tens of
seconds on the host, a second or two with cuSOLVER), and only scales G."""
import argparse, time
import torch

def run(n, B, iters, dev):
    g = torch.Generator(device="cpu").manual_seed(n)
    A = torch.randn(n, n, generator=g)
    J = ((A + A.T) / 2).to(dev, torch.float32)
    J.fill_diagonal_(0)
    lam = torch.linalg.eigvalsh(J.double()).abs().max().item()
    a = torch.rand(B, generator=g).mul(0.99).add(0.01)
    gg = torch.rand(B, generator=g).mul(0.99).add(0.01)
    m = torch.rand(B, generator=g).mul(0.04).add(0.95)
    alpha = (a / gg).to(dev); G = (1.0 / (gg * lam)).to(dev); mom = m.to(dev)
    delta = alpha / iters; dt = 0.5
    x = ((torch.rand(n, B, generator=g) * 2 - 1) / n ** 0.5).to(dev)
    y = torch.zeros_like(x)

    def step(x, y, al):
        s = (x > 0.5).to(x.dtype)              # all rows binary here
        F = J @ s
        xn = x + dt * G * F - dt * al * (x - 0.5) + mom * (x - y)
        return xn.clamp_(0.0, 1.0), x, (al - delta).clamp_(min=0.0)

    def sync():
        if dev.startswith("cuda"): torch.cuda.synchronize()
    al = alpha.clone()
    for _ in range(10): x, y, al = step(x, y, al)
    sync(); t0 = time.perf_counter()
    for _ in range(iters): x, y, al = step(x, y, al)
    sync(); t_it = (time.perf_counter() - t0) / iters
    S = (x > 0.5).to(x.dtype)
    for _ in range(10): F = J @ S
    sync(); t0 = time.perf_counter()
    for _ in range(iters): F = J @ S
    sync(); t_mm = (time.perf_counter() - t0) / iters
    fl = 2.0 * n * n * B
    print(f"{n},{B},{iters},{t_it*1e3:.4f},{fl/t_it/1e9:.1f},{t_mm*1e3:.4f},{fl/t_mm/1e9:.1f},{B/t_it:.3e}", flush=True)

if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--n", type=int, nargs="+", default=[256, 1024, 4096])
    p.add_argument("--batch", type=int, default=4096)
    p.add_argument("--pairs", nargs="+", metavar="N:B", help="(n, B) pairs; replaces --n and --batch")
    p.add_argument("--iters", type=int, default=200)
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    a = p.parse_args()
    print(f"# device={a.device} {torch.cuda.get_device_name() if a.device.startswith('cuda') else 'cpu'} torch={torch.__version__}")
    print("n,B,iters,aocdt_ms_per_iter,aocdt_gflops,sgemm_ms,sgemm_gflops,replica_iters_per_s")
    pairs = [tuple(int(v) for v in pair.split(":")) for pair in a.pairs] if a.pairs else [(n, a.batch) for n in a.n]
    for n, B in pairs: run(n, B, a.iters, a.device)
