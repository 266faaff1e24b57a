"""`nn-playground classify IMAGE...`: read digits from PNG or JPEG files with the shipped model
(or --model), through the same preprocessing as the Draw panel.

Ink may be dark on light paper or light on dark: the paper is detected from the border. Each
file gets its own line (or JSON object with --json); a file that cannot be read gets an error
entry and the others are still classified. Exit code 0 when every file was read (a blank
image is read: it has no digit, and says so), 1 when any file could not be read, 2 for a bad
--model.
"""
from __future__ import annotations

import argparse
import json
import sys

EXIT_SOME_FAILED = 1


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("images", nargs="+", metavar="IMAGE", help="PNG or JPEG files, each holding one digit")
    p.add_argument("--model", metavar="PATH", default=None,
                   help="a saved model taking 784 inputs and giving 10 outputs (default: the shipped digit model)")
    p.add_argument("--no-preprocess", action="store_true",
                   help="shrink the whole image to 28x28 instead of MNIST's crop / 20 px box / centre of mass")
    p.add_argument("--json", action="store_true",
                   help="one JSON object per image: file, predicted, probabilities (and reason or error)")


def classify_file(reader, path, mnist_style: bool = True) -> dict:
    """One result entry: predicted class index (None when there is no digit) and probabilities,
    or an ``error`` saying why the file could not be read."""
    from playground.core.drawing import ink_from_gray, preprocess, read
    from .imagefile import ImageFileError, read_gray
    entry = {"file": str(path), "predicted": None, "probabilities": None}
    try:
        ink, inverted = ink_from_gray(read_gray(path))
    except ImageFileError as e:
        entry["error"] = str(e)
        return entry
    r = read(reader, None, prep=preprocess(ink, mnist_style))
    entry["ink"] = "dark on light" if inverted else "light on dark"
    if r.probabilities is None:
        entry["reason"] = r.reason
        return entry
    entry["predicted"] = r.top
    entry["class"] = reader.class_names[r.top]
    entry["probabilities"] = [round(float(v), 6) for v in r.probabilities]
    return entry


def _line(entry: dict) -> str:
    if "error" in entry:
        return f"{entry['file']}: error: {entry['error']}"
    if entry["predicted"] is None:
        return f"{entry['file']}: no digit: {entry['reason']}"
    p = entry["probabilities"]
    bars = "  ".join(f"{i}:{100 * v:.1f}" for i, v in enumerate(p))
    return f"{entry['file']}: {entry['class']} ({100 * p[entry['predicted']]:.1f} %)   {bars}"


def run(args) -> int:
    # Imported here: building the command-line parser for another subcommand needs none of it.
    from playground.core.drawing import load_reader, shipped_reader
    reader = load_reader(args.model) if args.model else shipped_reader()
    failed = False
    for path in args.images:
        entry = classify_file(reader, path, not args.no_preprocess)
        failed |= "error" in entry
        print(json.dumps(entry) if args.json else _line(entry), flush=True)
    if failed:
        print("nn-playground classify: some files could not be read (see their entries)", file=sys.stderr)
    return EXIT_SOME_FAILED if failed else 0
