"""Train the digit model that ships in assets/, so the Draw panel reads digits at first launch.

    python -m playground.digits.make_model [--data-dir DIR] [--out playground/assets/digit-model.npz]

Re-runnable and deterministic for a given seed and data. It trains with this playground's own
engine on the MNIST files it finds (the same search as `nn-playground train --dataset mnist`).
With the reduced training set (fewer than 20,000 digits) half of the test digits, a seeded,
class-balanced half, join training and only the other half is held out; with full MNIST every
training digit trains and all 10,000 test digits are held out. The accuracy reported and stored
in the model file comes from held-out digits only. Every epoch sees freshly distorted copies
(see augment.py), which is what makes mouse drawings read well.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

from playground.core.data import locate_dataset, read_idx
from playground.core.catalogue import DIGITS
from playground.core.drawing.reader import SHIPPED_MODEL
from playground.core.network import Network
from playground.core.persist import save_model
from playground.core.spec import NetworkSpec, TrainConfig
from playground.core.transform import InputTransform

from .augment import Augmentation, augment

SMALL_TRAIN = 20_000
LAYERS = "784,256,128,10"
KEEP_PLAIN = 0.15          # share of each epoch's digits shown undistorted


def load_mnist(data_dir=None):
    files = locate_dataset("mnist", data_dir=data_dir, allow_download=False)
    arrays = {k: read_idx(p, ndim=3 if k.endswith("images") else 1) for k, p in files.paths.items()}
    scale = np.float32(1 / 255)
    return (arrays["train_images"].astype(np.float32) * scale, arrays["train_labels"].astype(np.int64),
            arrays["test_images"].astype(np.float32) * scale, arrays["test_labels"].astype(np.int64),
            f"{files.folder} ({files.origin})")


def split_test(labels: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A seeded, class-balanced half of the test indices for training; the rest held out."""
    rng = np.random.default_rng(seed)
    join, held = [], []
    for c in range(10):
        idx = rng.permutation(np.flatnonzero(labels == c))
        join.append(idx[: len(idx) // 2])
        held.append(idx[len(idx) // 2:])
    return np.sort(np.concatenate(join)), np.sort(np.concatenate(held))


def accuracy(network, x, y) -> float:
    return float(np.mean(np.argmax(network.forward(x), axis=1) == y))


def train(args) -> int:
    x_tr, y_tr, x_te, y_te, source = load_mnist(args.data_dir)
    if len(y_tr) < SMALL_TRAIN:
        join, held = split_test(y_te, args.seed)
        x_tr, y_tr = np.concatenate([x_tr, x_te[join]]), np.concatenate([y_tr, y_te[join]])
        x_held, y_held = x_te[held], y_te[held]
        data_note = (f"{len(y_tr) - len(join):,} MNIST training digits + {len(join):,} test digits "
                     f"(a seeded class-balanced half); held out: the other {len(held):,} test digits")
    else:
        x_held, y_held = x_te, y_te
        data_note = f"{len(y_tr):,} MNIST training digits; held out: all {len(y_te):,} test digits"
    print(f"data: {data_note}\n      from {source}", flush=True)

    spec = NetworkSpec.make(args.layers, "relu", output_activation="softmax", cost="log_likelihood",
                            weight_init="he", bias_init="zeros")
    cfg = TrainConfig(eta=args.eta, batch_size=args.batch, optimizer="adam", epochs=args.epochs, seed=args.seed)
    net = Network(spec, seed=args.seed)
    rng = np.random.default_rng(args.seed)
    aug = Augmentation()
    n = len(y_tr)
    targets = np.zeros((n, 10), np.float32)
    targets[np.arange(n), y_tr] = 1
    x_flat_held = x_held.reshape(len(x_held), -1)
    start = time.monotonic()
    for epoch in range(1, args.epochs + 1):
        # Learning rate falls tenfold over the run: big steps first, fine ones at the end.
        cfg.eta = args.eta * 0.1 ** ((epoch - 1) / max(args.epochs - 1, 1))
        x = augment(x_tr, rng, aug)
        plain = rng.random(n) < KEEP_PLAIN
        x[plain] = x_tr[plain]
        x = np.ascontiguousarray(x.reshape(n, -1))
        order = rng.permutation(n)
        stats = net.train_chunk(x, targets, order, 0, -(-n // cfg.batch_size), cfg, n)
        if not stats.finite:
            print("training diverged; try a smaller --eta", file=sys.stderr)
            return 3
        if epoch % 5 == 0 or epoch == args.epochs:
            print(f"epoch {epoch:3d}  loss {stats.mean_loss:.4f}  held-out accuracy "
                  f"{100 * accuracy(net, x_flat_held, y_held):.2f} %  ({time.monotonic() - start:.0f} s)", flush=True)

    held_acc = accuracy(net, x_flat_held, y_held)
    provenance = {
        "made_by": "python -m playground.digits.make_model",
        "data": data_note,
        "data_source": "MNIST (LeCun, Cortes, Burges)",
        "seed": args.seed,
        "epochs": args.epochs,
        "optimizer": f"adam, eta {args.eta} falling tenfold, batch {args.batch}",
        "augmentation": {**aug.to_dict(), "undistorted_share": KEEP_PLAIN},
        "held_out_digits": int(len(y_held)),
        "held_out_accuracy": round(held_acc, 4),
    }
    out = save_model(args.out, net, cfg, dataset_name="mnist", input_transform=InputTransform((28, 28)),
                     class_names=DIGITS, provenance=provenance)
    print(f"held-out accuracy {100 * held_acc:.2f} % on {len(y_held):,} digits; saved {out} "
          f"({out.stat().st_size / 1024:.0f} KiB)")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m playground.digits.make_model", description=__doc__.split("\n")[0])
    p.add_argument("--data-dir", default=None, help="folder with the MNIST IDX .gz files")
    p.add_argument("--out", type=Path, default=SHIPPED_MODEL, help=f"model file to write ({SHIPPED_MODEL.name})")
    p.add_argument("--layers", default=LAYERS, help=f"layer sizes ({LAYERS})")
    p.add_argument("--epochs", type=int, default=60)
    p.add_argument("--eta", type=float, default=1e-3)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--seed", type=int, default=1)
    return p


def main(argv=None) -> int:
    return train(build_parser().parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
