"""The `nn-playground` command: no subcommand opens the GUI; train, compare, lesson, gradcheck, bench
and selftest run headless.

Qt is imported only on the GUI and selftest paths, so training and benchmarking work on a
machine without a display or Qt's system libraries (a test keeps it so).

Exit codes: 0 success, 1 a check failed (gradcheck, bench agreement, selftest),
2 bad input (any PlaygroundError, one line on stderr), 3 training diverged, 4 trained but the
model could not be saved where asked (it is kept in a fallback folder when possible), 130 interrupted.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
import time

from . import __version__
from .core import presets
from .core.catalogue import DATASET_NAMES
from .core.errors import DivergenceError, PlaygroundError, SpecError

PROG = "nn-playground"

# No window to keep responsive: longer kernel calls between checks, and no histogram probes.
TRAINER_OPTIONS = {"chunk_seconds": 0.2, "probe_every": None}

EXIT_FAILED, EXIT_USAGE, EXIT_DIVERGED, EXIT_NOT_SAVED, EXIT_INTERRUPTED = 1, 2, 3, 4, 130


# ---------------------------------------------------------------------------- parser
def _train_parser(sub):
    t = sub.add_parser("train", help="train a network in the terminal, print the monitors each epoch")
    _add_train_args(t)
    t.set_defaults(func=cmd_train)


def _compare_parser(sub):
    c = sub.add_parser("compare", help="train twin runs that differ in one setting, print a table of them",
                       description="Train two to four twins of one run, each with its own value of one setting "
                                   "and otherwise the same (seed, initial weights and batch order where the "
                                   "layer sizes allow), one after the other, and compare them.")
    c.add_argument("--vary", required=True, metavar="KEY=V1,V2[,..]",
                   help="the setting that differs and 2-4 values, e.g. activation=sigmoid,relu or eta=0.025,0.25,2.5 "
                        "or hidden=30,30-30 (layers of one twin joined by -); KEY: "
                        "activation, cost, init, optimizer, eta, batch, l2, dropout, hidden, bias_init, "
                        "bias_value, momentum, output")
    _add_train_args(c, single_run=False)
    c.set_defaults(func=cmd_compare)


def _lesson_parser(sub):
    c = sub.add_parser("lesson", help="run a classic experiment (a lesson) headless on its short budget",
                       description="Run one of the shipped lessons (the experiments of Nielsen's book and the "
                                   "papers it cites) headless, on the short budget the window starts it with.")
    c.add_argument("name", nargs="?", help="the lesson (see --list)")
    c.add_argument("--list", action="store_true", help="list the lessons: name, title, budget")
    c.add_argument("--data-dir", default=None, metavar="DIR", help="folder holding MNIST's IDX .gz files")
    c.add_argument("--epochs", type=int, default=None, metavar="N", help="epochs instead of the short budget")
    c.add_argument("--quiet", action="store_true", help="print nothing but the --json line")
    c.add_argument("--json", action="store_true", help="print the runs as one JSON object, the last line")
    c.set_defaults(func=cmd_lesson)


def _gradcheck_parser(sub):
    g = sub.add_parser("gradcheck", help="compare backpropagation with central differences (float64)")
    g.add_argument("--layers", default=None, help="sizes, e.g. 4,5,3 (default: 5,4,3,3)")
    g.add_argument("--activation", default=None, help="hidden activation, or a comma list per hidden layer")
    g.add_argument("--output", default=None, help="output activation: sigmoid, softmax or linear")
    g.add_argument("--cost", default=None, help="quadratic, cross-entropy or log-likelihood")
    g.add_argument("--all", action="store_true",
                   help="check every valid activation x output x cost combination (the default when no "
                        "--activation/--output/--cost is given)")
    g.add_argument("--tolerance", type=float, default=1e-6, help="largest acceptable relative error (1e-6)")
    g.add_argument("--eps", type=float, default=None,
                   help="five-point central-difference step (1e-4: truncation ~eps^4 and rounding "
                        "~1e-16/eps balance)")
    g.add_argument("--seed", type=int, default=1)
    g.add_argument("--json", action="store_true", help="print one JSON object as the last line")
    g.set_defaults(func=cmd_gradcheck)


def _bench_parser(sub):
    b = sub.add_parser("bench", help="engine vs vectorised numpy vs PyTorch on the same training work")
    from .bench import add_arguments  # bench imports only numpy at module level
    add_arguments(b)
    b.set_defaults(func=cmd_bench)


def _selftest_parser(sub):
    s = sub.add_parser("selftest", help="open the GUI offscreen, train briefly, check it, optionally screenshot")
    s.add_argument("--screenshot", metavar="PATH", default=None, help="save a PNG of the window")
    s.add_argument("--seconds", type=float, default=4.0, help="how long to train with the plots live (4)")
    s.add_argument("--json", action="store_true", help="print one JSON object as the last line")
    s.set_defaults(func=cmd_selftest)


def _classify_parser(sub):
    c = sub.add_parser("classify", help="read digits from PNG/JPEG files with the shipped (or a saved) model")
    from .digits.classify import add_arguments as add_classify_arguments, run as run_classify
    add_classify_arguments(c)
    c.set_defaults(func=run_classify)


def _desktop_parsers(sub):
    i = sub.add_parser("install-desktop",
                       help="add NN Playground to the desktop's menu: entry, icon and metainfo in $XDG_DATA_HOME")
    i.set_defaults(func=cmd_install_desktop)
    u = sub.add_parser("uninstall-desktop", help="remove what install-desktop added")
    u.set_defaults(func=cmd_uninstall_desktop)


# The one list of subcommands: name -> the function that adds its parser. Adding a subcommand is
# one line here (the parser, the help text and the typo check all read it).
COMMANDS = {
    "train": _train_parser,
    "compare": _compare_parser,
    "lesson": _lesson_parser,
    "gradcheck": _gradcheck_parser,
    "bench": _bench_parser,
    "selftest": _selftest_parser,
    "classify": _classify_parser,
    "install-desktop": _desktop_parsers,
    "uninstall-desktop": lambda sub: None,      # added with install-desktop
}
SUBCOMMANDS = tuple(COMMANDS)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=PROG,
        description="Train fully-connected neural networks live. Without a subcommand, opens the window.",
    )
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = p.add_subparsers(dest="command", metavar="{" + ",".join(COMMANDS) + "}")
    for add in COMMANDS.values():
        add(sub)
    return p


def _add_train_args(t: argparse.ArgumentParser, single_run: bool = True) -> None:
    # ``single_run`` False (compare): no --load, run files or saving; twins start afresh.
    # Every option defaults to None, "not given": the run starts from the dataset's starting settings
    # (core.presets, the same the window starts from) and the options given replace them.
    d = t.add_argument_group("data")
    d.add_argument("--dataset", default=None,
                   help=f"{', '.join(DATASET_NAMES)} ({presets.DEFAULT_DATASET})")
    d.add_argument("--data-dir", default=None, metavar="DIR",
                   help="folder holding the IDX .gz files (else $NN_PLAYGROUND_DATA, the cache, system "
                        "packages, then a download)")
    d.add_argument("--train-size", type=int, default=None, metavar="N", help="use only N training samples")
    d.add_argument("--validation-size", type=int, default=None, metavar="N",
                   help="samples held out of the training set for validation (default 0, or the dataset's "
                        "default when --early-stopping or --schedule plateau needs a validation set)")
    d.add_argument("--noise", type=float, default=None,
                   help=f"toy datasets: jitter of the points ({presets.COMMON['noise']})")
    d.add_argument("--test-ratio", type=float, default=None, metavar="R",
                   help=f"toy datasets: share of the points kept for testing ({presets.COMMON['test_ratio']})")
    d.add_argument("--n-samples", type=int, default=None, metavar="N", help="toy datasets: points (1000)")
    d.add_argument("--standardise", action="store_true", default=None, help="scale each input to mean 0, std 1")

    n = t.add_argument_group("network", "left out: the dataset's starting settings (toys: 12,12 tanh, softmax, "
                             "Adam 0.02, 300 epochs; images: 100 ReLU, softmax, Adam 0.001, 20 epochs)")
    n.add_argument("--preset", default=None, choices=tuple(presets.NAMED),
                   help="start from these settings instead of the dataset's: nielsen is network2's "
                        "(30 sigmoid units, sigmoid output, cross-entropy, SGD eta 0.5, 30 epochs)")
    n.add_argument("--layers", default=None,
                   help="layer sizes, input to output, e.g. 784,30,10 (default: the preset's hidden layers)")
    n.add_argument("--activation", default=None,
                   help="hidden activation, or a comma list with one per hidden layer: sigmoid, tanh, relu, "
                        "leaky_relu, elu, softplus, linear")
    n.add_argument("--output", default=None, help="output activation: sigmoid, softmax or linear")
    n.add_argument("--cost", default=None, help="quadratic, cross-entropy or log-likelihood")
    n.add_argument("--init", default=None,
                   help="weights: default (N(0,1/n_in)), large (N(0,1)), small (N(0,0.01^2)), xavier, "
                        "xavier_uniform, he or zeros (all zero: every hidden unit stays alike)")
    n.add_argument("--bias-init", default=None, help="normal, zeros or constant")
    n.add_argument("--bias-value", type=float, default=None, help="bias for --bias-init constant (0.1)")
    n.add_argument("--dtype", default=None, help="float32 or float64 (float32)")
    if single_run:
        n.add_argument("--load", metavar="PATH", default=None,
                       help="continue training a saved model (its layers/activations/cost are used)")

    o = t.add_argument_group("training", "with --load, an option left out keeps the saved model's value")
    o.add_argument("--optimizer", default=None, help="sgd, momentum, nesterov or adam")
    o.add_argument("--momentum", type=float, default=None, help="for momentum / nesterov (0.9)")
    o.add_argument("--eta", type=float, default=None, help="learning rate")
    o.add_argument("--batch", type=int, default=None, help="mini-batch size (10)")
    o.add_argument("--l2", type=float, default=None, help="L2 regularisation lambda, Nielsen's scaling (0)")
    o.add_argument("--l1", type=float, default=None, help="L1 regularisation lambda (0)")
    o.add_argument("--dropout", type=float, default=None, help="drop probability on hidden layers (0)")
    o.add_argument("--epochs", type=int, default=None, help="epochs to train")
    o.add_argument("--seed", type=int, default=None,
                   help=f"seeds data split, initial weights and shuffling ({presets.COMMON['seed']})")
    o.add_argument("--schedule", default=None,
                   help="constant, or plateau: halve eta after 10 epochs without validation improvement")
    o.add_argument("--early-stopping", type=int, default=None, metavar="N",
                   help="stop after N epochs without validation-accuracy improvement")

    out = t.add_argument_group("output")
    out.add_argument("--json", action="store_true", help="print one JSON object as the last line of stdout")
    out.add_argument("--quiet", action="store_true",
                     help=f"no {'per-epoch lines' if single_run else 'table'} (the JSON line still prints)")
    if not single_run:
        return
    r = t.add_argument_group("run files")
    r.add_argument("--save-run", metavar="PATH", default=None,
                   help="write the run (its settings, trained parameters and history) to a .nnrun file")
    r.add_argument("--run", metavar="PATH", default=None,
                   help="train the run in a .nnrun file again, exactly (only --epochs and --data-dir may change)")

    out.add_argument("--save", metavar="PATH", default=None, help="save the trained model")
    out.add_argument("--format", default="native", choices=("native", "nielsen"),
                     help="native (.json small / .npz large) or nielsen (network2.py JSON)")


# ---------------------------------------------------------------------------- train
# Flat run setting (core.runspec) -> the option that gives it.
SETTING_OPTIONS = {
    "dataset": "dataset", "data_dir": "data_dir", "train_size": "train_size", "validation_size": "validation_size",
    "noise": "noise", "test_ratio": "test_ratio", "n_samples": "n_samples", "standardise": "standardise",
    "output": "output", "cost": "cost", "weight_init": "init", "bias_init": "bias_init",
    "bias_value": "bias_value", "dtype": "dtype", "optimizer": "optimizer", "momentum": "momentum", "eta": "eta",
    "batch_size": "batch", "l2": "l2", "l1": "l1", "dropout": "dropout", "epochs": "epochs", "seed": "seed",
    "schedule": "schedule", "early_stopping": "early_stopping",
}
_NETWORK_SETTINGS = ("output", "cost", "weight_init", "bias_init", "bias_value", "dtype")
# What --load keeps from the saved model when the command line leaves it out.
_KEPT_FROM_MODEL = ("eta", "batch_size", "optimizer", "momentum", "l2", "l1", "dropout", "schedule")
# Options that would change a replayed run (--run): everything that describes one.
_RUN_OPTIONS = [o for k, o in SETTING_OPTIONS.items() if k not in ("data_dir", "epochs")] + \
    ["preset", "layers", "activation", "load"]


def _given(args) -> dict:
    return {k: getattr(args, o) for k, o in SETTING_OPTIONS.items() if getattr(args, o) is not None}


def run_spec_from_args(args, loaded=None):
    """The RunSpec the command line describes: the dataset's starting settings (or --preset's),
    then, with --load, the saved model's network and training settings, then the options given."""
    from dataclasses import replace

    from .core.runspec import RunSpec
    from .core.spec import parse_sizes

    settings = presets.settings(args.dataset or presets.DEFAULT_DATASET, args.preset)
    if loaded is not None:
        spec = loaded.network.spec
        if args.layers is not None and parse_sizes(args.layers) != spec.sizes:
            raise SpecError(f"--layers {args.layers} differs from the loaded model's "
                            f"{','.join(map(str, spec.sizes))}: leave --layers out when "
                            f"continuing a saved model.")
        settings.update(sizes=list(spec.sizes), hidden_activations=list(spec.hidden_activations),
                        output=spec.output_activation, cost=spec.cost, weight_init=spec.weight_init,
                        bias_init=spec.bias_init, bias_value=spec.bias_value, dtype=spec.dtype)
        if loaded.config is not None:
            settings.update({k: getattr(loaded.config, k) for k in _KEPT_FROM_MODEL})
    given = _given(args)
    if loaded is not None:          # the saved network is used as it is
        given = {k: v for k, v in given.items() if k not in _NETWORK_SETTINGS}
    settings.update(given)
    if args.layers is not None and loaded is None:
        settings["sizes"] = args.layers
    if args.activation is not None and loaded is None:
        if "," in args.activation:
            settings["hidden_activations"] = args.activation.split(",")
        else:
            settings["activation"] = args.activation
    run = RunSpec.from_settings(settings)
    needs_validation = run.train.early_stopping is not None or run.train.schedule == "plateau"
    if run.data.validation_size is None and not needs_validation:
        # Train on every sample (the shared MNIST folder: all 5,000).
        run = replace(run, data=replace(run.data, validation_size=0))
    if run.data.validation_size == 0 and needs_validation:
        raise SpecError("--early-stopping and --schedule plateau watch validation accuracy: "
                        "give --validation-size a positive number (or leave it out).")
    return run


def _replayed_run(args):
    """The run in --run's file, with only --epochs and --data-dir changed."""
    from dataclasses import replace

    from .core.runfile import load_run

    given = [o for o in _RUN_OPTIONS if getattr(args, o) is not None]
    if given:
        flags = ", ".join("--" + o.replace("_", "-") for o in given)
        raise SpecError(f"--run trains the file's run exactly as it was: leave out {flags} "
                        f"(only --epochs and --data-dir may change).")
    rf = load_run(args.run)
    run = rf.run
    if args.epochs is not None:
        run = run.with_epochs(args.epochs)
    if args.data_dir is not None:
        run = replace(run, data=replace(run.data, data_dir=args.data_dir))
    run.validate()
    if run.until_stopped:
        raise SpecError(f"{args.run} trains until stopped: give --epochs N to train it here.")
    return run, rf


def _percent(v) -> str:
    return "   -   " if v is None else f"{100 * v:6.2f}%"


def _loss(v) -> str:
    return "   -   " if v is None else f"{v:7.4f}"


def format_epoch(rec, total) -> str:
    """network2's four monitors plus the test set, on one line."""
    of = f"/{total}" if total else ""
    return (f"Epoch {rec.epoch}{of}  "
            f"train loss {_loss(rec.training_loss)} acc {_percent(rec.training_accuracy)} | "
            f"val loss {_loss(rec.validation_loss)} acc {_percent(rec.validation_accuracy)} | "
            f"test loss {_loss(rec.test_loss)} acc {_percent(rec.test_accuracy)} | "
            f"eta {rec.eta:g}  {rec.seconds:.2f}s")


def _finite_or_none(v):
    if v is None:
        return None
    v = float(v)
    return v if math.isfinite(v) else None


def cmd_train(args) -> int:
    from tqdm import tqdm

    from .core.trainer import Trainer

    loaded = replayed = None
    if args.run:
        run, replayed = _replayed_run(args)             # a bad file fails before any download
    else:
        if args.load:
            from .core.persist import load_model
            loaded = load_model(args.load)
        run = run_spec_from_args(args, loaded)          # before a possibly long download
    config = run.train
    if args.save_run:
        if loaded is not None:
            raise SpecError("--save-run describes a run from its first epoch, so it cannot follow --load: "
                            "save the model with --save instead.")
        from .core.runfile import check_can_save_run
        check_can_save_run(args.save_run)

    dataset = run.load_dataset(progress=_download_progress())
    net = loaded.network if loaded is not None else run.build_network()
    net.spec.check_memory(config.batch_size, len(dataset.y_train))
    if args.save:
        from .core.persist import check_can_save
        check_can_save(net.spec, args.save, args.format)      # not after the training it would lose
    n_train = len(dataset.y_train)
    if not args.quiet:
        print(dataset.describe())
        print(f"Network {','.join(map(str, net.spec.sizes))}  {net.spec.n_params:,} parameters  "
              f"{net.spec.dtype}  optimiser {config.optimizer}  eta {config.eta:g}  batch {config.batch_size}",
              flush=True)

    if loaded is not None:
        trainer = Trainer.from_saved(loaded, dataset, config, **TRAINER_OPTIONS)   # epochs, history carry on
    else:
        trainer = Trainer(net, dataset, config, **TRAINER_OPTIONS)
    samples_before, elapsed_before = trainer.samples_seen, trainer.elapsed
    # disable=None: the bar shows only when stderr is a terminal, so logs and pipes stay clean.
    bar = tqdm(total=samples_before + config.epochs * n_train, initial=samples_before, unit="sample",
               unit_scale=True, file=sys.stderr, disable=None, leave=False, dynamic_ncols=True)

    def on_snapshot(snap):
        bar.n = min(snap.samples_seen, bar.total)
        loss = f" loss {snap.train_loss:.4f}" if math.isfinite(snap.train_loss) else ""
        bar.set_postfix_str(f"epoch {snap.epoch_fraction:.2f}{loss}", refresh=False)
        bar.refresh()

    def on_epoch(rec):
        if not args.quiet:
            bar.clear()
            print(format_epoch(rec, config.epochs), flush=True)

    started = time.perf_counter()
    try:
        state = trainer.run(on_snapshot=on_snapshot, on_epoch=on_epoch)
    except KeyboardInterrupt:
        trainer.request_stop()
        bar.close()
        print(f"{PROG}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    finally:
        bar.close()
    seconds = time.perf_counter() - started

    saved = save_error = None
    if args.save:
        # After a divergence the trainer has restored the last good parameters: those are saved.
        saved, save_error = _save_or_fallback(trainer, args.save, args.format, run)
        if save_error is None and not args.quiet:
            print(f"Saved {saved}")

    run_saved = run_error = None
    if args.save_run:
        from .core.errors import ModelFileError
        from .core.runfile import save_run
        try:
            run_saved = str(save_run(args.save_run, run, trainer, state))
            if not args.quiet:
                print(f"Saved the run to {run_saved}")
        except ModelFileError as exc:
            run_error = str(exc)
            print(f"{PROG}: error: training finished but the run file could not be written: {exc}",
                  file=sys.stderr)

    history = list(trainer.history)
    samples = trainer.samples_seen - samples_before
    train_seconds = trainer.elapsed - elapsed_before
    final = history[-1] if history else None
    result = {
        "dataset": dataset.name,
        "state": state,
        "spec": net.spec.to_dict(),
        "config": config.to_dict(),
        "n_train": n_train,
        "n_validation": len(dataset.y_val),
        "n_test": len(dataset.y_test),
        "epochs": [{k: _finite_or_none(v) if isinstance(v, float) else v for k, v in r.to_dict().items()}
                   for r in history],
        "training_accuracy": _finite_or_none(final.training_accuracy) if final else None,
        "validation_accuracy": _finite_or_none(final.validation_accuracy) if final else None,
        "test_accuracy": _finite_or_none(final.test_accuracy) if final else None,
        "test_loss": _finite_or_none(final.test_loss) if final else None,
        "samples": samples,
        # Whole-run throughput, evaluation and snapshots included; the next is training alone, recently.
        "samples_per_second": samples / train_seconds if train_seconds > 0 else None,
        "training_samples_per_second": trainer.samples_per_second(),
        "seconds": seconds,
        "loaded": args.load,
        "saved": saved,
        "save_error": save_error,
        "run": run.to_dict(),
        "run_file": run_saved,
        "run_file_error": run_error,
        "reproduced": _reproduced(replayed, trainer),
    }
    if args.json:
        print(json.dumps(result), flush=True)
    if save_error is not None or run_error is not None:
        return EXIT_NOT_SAVED
    if state == "diverged":
        message = trainer.diverged_message or "the loss became NaN or infinite"
        print(f"{PROG}: training diverged: {message}", file=sys.stderr)
        return EXIT_DIVERGED
    if not args.json and not args.quiet and final is not None and final.test_accuracy is not None:
        print(f"Test accuracy {100 * final.test_accuracy:.2f}% after {len(history)} epoch(s), "
              f"{result['samples_per_second']:,.0f} samples/s")
    return 0


def _reproduced(replayed, trainer):
    """With --run: did the same epochs give the file's parameters and curves, bit for bit?
    None when the file holds no result or a different number of epochs was trained."""
    if replayed is None or replayed.params is None or trainer.epoch != replayed.counters.get("epoch"):
        return None
    import numpy as np

    def curves(history):
        return [{k: v for k, v in r.to_dict().items() if k != "seconds"} for r in history]
    return bool(np.array_equal(trainer.network.params, replayed.params)
                and curves(trainer.history) == curves(replayed.history))


def cmd_compare(args) -> int:
    """Twins of the run the options describe, one per --vary value, trained one after the other."""
    from .core.compare import VARIABLE, parse_vary, run_twins, start_note, twins

    key, values = parse_vary(args.vary)                 # a typo fails before any data is loaded
    run = run_spec_from_args(args)
    pairs = twins(run, key, values)
    dataset = run.load_dataset(progress=_download_progress())
    n_train = len(dataset.y_train)
    note = start_note(pairs)
    if not args.quiet:
        print(f"{len(pairs)} twins of {dataset.name} differing in {VARIABLE[key]}, {run.epochs} epoch(s) each, "
              f"seed {run.seed}: {', '.join(t.label for t in pairs)}")
        print(note or "Every twin starts from the same initial weights and mini-batch order.", flush=True)
    runs = _run_twins_with_progress(pairs, dataset, run.epochs * n_train)
    if runs is None:
        return EXIT_INTERRUPTED
    if not args.quiet:
        print(format_comparison(runs))
    if args.json:
        print(json.dumps({"vary": {"key": key, "values": [list(v) if isinstance(v, tuple) else v for v in values]},
                          "start_note": note, "runs": runs}), flush=True)
    return 0


def _run_twins_with_progress(pairs, dataset, samples_each: int):
    """run_twins with one progress bar over all twins on stderr; None when interrupted."""
    from tqdm import tqdm

    from .core.compare import run_twins

    bar = tqdm(total=len(pairs) * samples_each, unit="sample", unit_scale=True, file=sys.stderr,
               disable=None, leave=False, dynamic_ncols=True)
    done = {"label": None, "before": 0, "last": 0}      # twins train in turn: samples of earlier twins

    def on_snapshot(twin, snap):
        if twin.label != done["label"]:
            done.update(label=twin.label, before=done["before"] + done["last"], last=0)
        done["last"] = snap.samples_seen
        bar.n = min(done["before"] + snap.samples_seen, bar.total)
        bar.set_postfix_str(f"{twin.label} epoch {snap.epoch_fraction:.2f}", refresh=False)
        bar.refresh()

    try:
        return run_twins(pairs, dataset=dataset, on_snapshot=on_snapshot)
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return None
    finally:
        bar.close()


def cmd_lesson(args) -> int:
    """A lesson's runs, headless, on its short budget (and its second run, if it has one)."""
    from .core import lessons
    from .core.compare import start_note

    if args.list or args.name is None:
        if not args.list:
            raise SpecError(f"Name a lesson ({', '.join(lessons.names())}) or give --list.")
        width = max(len(n) for n in lessons.names())
        for name in lessons.names():
            lesson = lessons.load(name)
            print(f"{name:<{width}}  {lesson.title}\n{'':<{width}}  {lesson.budget}")
        return 0
    lesson = lessons.load(args.name)
    extra = {k: v for k, v in (("data_dir", args.data_dir), ("epochs", args.epochs)) if v is not None}
    parts = [(lesson.twins_or_run(**extra), lesson.watch)]
    if lesson.then is not None:
        parts.append(([lesson.then_run(**extra)], lesson.then[2]))
    if not args.quiet:
        print(f"{lesson.title}\n{lesson.watch}\n{lesson.budget}", flush=True)
    runs, notes = [], []
    for i, (pairs, watch) in enumerate(parts):
        spec = pairs[0].spec
        dataset = spec.load_dataset(progress=_download_progress())
        if not args.quiet and i:
            print(f"\nThen: {pairs[0].label}. {watch}", flush=True)
        part = _run_twins_with_progress(pairs, dataset, spec.epochs * len(dataset.y_train))
        if part is None:
            return EXIT_INTERRUPTED
        if not args.quiet:
            print(format_comparison(part))
        runs += part
        notes.append(start_note(pairs))
    if not args.quiet:
        print(f"Full version: {lesson.full}")
    if args.json:
        print(json.dumps({"lesson": lesson.name, "start_note": " ".join(n for n in notes if n), "runs": runs}),
              flush=True)
    return 0


def format_comparison(runs: list[dict]) -> str:
    """One line per twin: test accuracy, final training loss, seconds, and how many times larger
    the first layer's mean weight gradient is than the last one's (far below 1: the first layer
    learns slowly)."""
    width = max(12, *(len(r["label"]) for r in runs))
    lines = [f"{'twin':<{width}}  {'test acc':>8}  {'final loss':>10}  {'seconds':>8}  {'grad first/last':>15}"]
    for r in runs:
        last = r["history"][-1] if r["history"] else {}
        norms = r["grad_norms"]
        ratio = norms[0] / norms[-1] if norms and None not in (norms[0], norms[-1]) and norms[-1] > 0 else None
        state = "" if r["state"] == "done" else f"  ({r['state']})"
        lines.append(f"{r['label']:<{width}}  {_percent(r['test_accuracy']):>8}  "
                     f"{_loss(last.get('training_loss')):>10}  {r['seconds']:8.3f}  "
                     f"{'-' if ratio is None else f'{ratio:.3g}':>15}{state}")
    return "\n".join(lines)


def fallback_folder():
    """Where a trained model goes when the asked-for place cannot take it (a full disk, a lost mount)."""
    import platformdirs
    from pathlib import Path
    return Path(platformdirs.user_data_dir(PROG)) / "unsaved-models"


def _save_or_fallback(trainer, path, format, run=None):
    """Save to ``path``; if that fails after training, keep the work in the fallback folder.

    Returns (path saved or None, the first error or None). Minutes of training are never thrown
    away because of the last step: the message says where the model is instead.
    """
    from pathlib import Path

    from .core.errors import ModelFileError
    try:
        return str(trainer.save(path, format=format, run=run)), None
    except ModelFileError as exc:
        error = str(exc)
    folder = fallback_folder()
    name = Path(path).name or "model"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{time.strftime('%Y%m%d-%H%M%S')}-{name}"
        kept = str(trainer.save(target, format=format, run=run))
    except (ModelFileError, OSError) as exc:
        print(f"{PROG}: error: training finished but the model could not be saved: {error} "
              f"Saving to {folder} failed too: {exc}", file=sys.stderr)
        return None, error
    print(f"{PROG}: error: training finished but the model could not be saved: {error} "
          f"It was saved to {kept} instead.", file=sys.stderr)
    return kept, error


def _download_progress():
    """A tqdm bar per downloaded file, on stderr, only when one is actually downloaded."""
    from tqdm import tqdm
    bars = {}

    def progress(name, done, total):
        bar = bars.get(name)
        if bar is None:
            bar = bars[name] = tqdm(total=total, unit="B", unit_scale=True, desc=name, file=sys.stderr,
                                    disable=None, leave=False)
        bar.n = done
        bar.refresh()
        if total is not None and done >= total:
            bar.close()
    return progress


# ---------------------------------------------------------------------------- other commands
def cmd_gradcheck(args) -> int:
    from .core import gradcheck as gc
    from .core.spec import check_seed, parse_sizes

    eps = gc.EPS if args.eps is None else args.eps
    if not 0 < eps < 1:
        raise SpecError(f"--eps {eps} must be a small positive step, such as 1e-4.")
    if not 0 < args.tolerance < float("inf"):
        raise SpecError(f"--tolerance {args.tolerance} must be a positive number, such as 1e-6.")
    sizes = parse_sizes(args.layers) if args.layers is not None else gc.DEFAULT_SIZES
    seed = check_seed(args.seed)
    single = not args.all and any(v is not None for v in (args.activation, args.output, args.cost))
    if single:
        spec = _gradcheck_spec(sizes, args)
        # Both kernel code paths (hand-written loops and BLAS); the worse one is reported.
        checks = [gc.gradcheck_spec(spec, path, seed=seed, eps=eps) for path in gc.PATHS]
        results = [max(checks, key=lambda r: math.inf if math.isnan(r.worst) else r.worst)]
    else:
        results = gc.gradcheck_grid(sizes=sizes, seed=seed, eps=eps)
    for r in results:
        layers = "  ".join(f"L{l} w {w:.1e} b {b:.1e}" for l, w, b in r.layers)
        flag = "" if r.passes(args.tolerance) else "  <-- FAIL"
        print(f"{r}  |  {layers}{flag}")
    ok = all(r.passes(args.tolerance) for r in results)
    worst = gc.worst_of(r.worst for r in results)
    print(f"{len(results)} check(s), worst relative error {worst:.2e} "
          f"({'ok' if ok else 'FAILED'}, tolerance {args.tolerance:g})")
    if args.json:
        print(json.dumps({"ok": ok, "worst": _finite_or_none(worst), "tolerance": args.tolerance, "checks": [
            {"hidden": r.hidden, "output": r.output, "cost": r.cost, "path": r.path,
             "worst": _finite_or_none(r.worst),
             "layers": [{"layer": l, "weights": _finite_or_none(w), "biases": _finite_or_none(b)}
                        for l, w, b in r.layers]} for r in results]}))
    return 0 if ok else EXIT_FAILED


def _gradcheck_spec(sizes, args):
    from .core.spec import NetworkSpec

    activation = args.activation or "sigmoid"
    activation = activation.split(",") if "," in activation else activation
    output = args.output or "sigmoid"
    cost = args.cost or ("log_likelihood" if output == "softmax" else "cross_entropy")
    return NetworkSpec.make(sizes, activation, output_activation=output, cost=cost, dtype="float64")


def cmd_bench(args) -> int:
    if args.soak:
        if args.soak < 0:
            print("nn-playground bench: --soak needs a number of minutes > 0", file=sys.stderr)
            return 2
        from .bench.soak import format_soak, run_soak
        progress = None if args.json else lambda r: print(
            f"  {r['minutes']:.1f} min: rss {r['rss_end_mb']} MB, max gap {r['max_ui_gap_ms']} ms, "
            f"crashes {r['crashes']}", file=sys.stderr, flush=True)
        result = run_soak(args.soak, progress)
        print(json.dumps(result) if args.json else format_soak(result), flush=True)
        return 0 if result["crashes"] == 0 else EXIT_FAILED
    if args.startup:
        if args.startup < 1:
            print("nn-playground bench: --startup needs a number of runs >= 1", file=sys.stderr)
            return 2
        from .bench.startup import format_startup, run_startup
        result = run_startup(args.startup)
        print(json.dumps(result) if args.json else format_startup(result), flush=True)
        return 0
    if args.ui:
        if args.ui < 1:
            print("nn-playground bench: --ui needs a number of runs >= 1", file=sys.stderr)
            return 2
        from .bench.ui import run as run_ui
        return run_ui(args)
    from .bench import run
    return run(args)


def cmd_selftest(args) -> int:
    try:
        from .gui.selftest import run_selftest
    except ImportError as exc:
        return _qt_missing(exc)
    return int(run_selftest(args.screenshot, args.json, seconds=args.seconds) or 0)


def cmd_install_desktop(args) -> int:
    from .desktop import install, launcher
    paths = install()
    print(f"installed for {' '.join(launcher())}:")
    for path in paths.values():
        print(f"  {path}")
    return 0


def cmd_uninstall_desktop(args) -> int:
    from .desktop import uninstall
    removed = uninstall()
    print("removed:" if removed else "nothing to remove: the desktop entry was not installed")
    for path in removed:
        print(f"  {path}")
    return 0


def run_gui(argv: list[str]) -> int:
    try:
        from .gui.app import main as gui_main
    except ImportError as exc:
        return _qt_missing(exc)
    return int(gui_main([sys.argv[0] if sys.argv and sys.argv[0] else PROG, *argv]) or 0)


def _qt_missing(exc: ImportError) -> int:
    print(f"{PROG}: cannot start the GUI: {exc}\n"
          f"On Debian/Ubuntu install Qt's system libraries: "
          f"sudo apt-get install libegl1 libgl1 libxkbcommon0 libfontconfig1 libdbus-1-3\n"
          f"Headless commands (train, gradcheck, bench) work without them.", file=sys.stderr)
    return EXIT_USAGE


# ---------------------------------------------------------------------------- entry point
# Qt's own command-line options (QGuiApplication / QApplication, with one dash or two): only a
# command line made of these opens the window. Anything else is for a subcommand, so a script's
# typo ends at once with exit 2 instead of opening a window that never returns.
QT_OPTIONS_WITH_VALUE = frozenset({
    "platform", "platformpluginpath", "platformtheme", "plugin", "qmljsdebugger", "qwindowgeometry",
    "qwindowicon", "qwindowtitle", "display", "geometry", "style", "stylesheet", "session", "name", "title",
    "visual", "ncols", "cmap", "fn", "font", "bg", "background", "fg", "foreground", "btn", "button", "im",
    "inputstyle", "fontengine"})
QT_FLAGS = frozenset({"reverse", "widgetcount", "nograb", "dograb", "sync"})


def is_gui_command_line(argv: list[str]) -> bool:
    """True for no arguments, or only Qt's own options (``-platform offscreen``, ``-reverse``, ...)."""
    i = 0
    while i < len(argv):
        arg = argv[i]
        name = arg[2:] if arg.startswith("--") else arg[1:] if arg.startswith("-") else None
        if name in QT_FLAGS:
            i += 1
        elif name in QT_OPTIONS_WITH_VALUE and i + 1 < len(argv):
            i += 2
        else:
            return False
    return True


def _unknown_subcommand(word: str) -> int:
    import difflib
    close = difflib.get_close_matches(word, COMMANDS, n=1)
    hint = f" Did you mean '{close[0]}'?" if close else ""
    print(f"{PROG}: error: unknown subcommand {word!r}.{hint}\n"
          f"Valid subcommands: {', '.join(COMMANDS)}; run {PROG} alone to open the window, "
          f"or {PROG} --help.", file=sys.stderr)
    return EXIT_USAGE


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if is_gui_command_line(argv):
        return run_gui(argv)        # Qt options (e.g. -platform offscreen) go to the window
    if not argv[0].startswith("-") and argv[0] not in COMMANDS:
        return _unknown_subcommand(argv[0])
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "func", None) is None:
        parser.error(f"choose a subcommand: {', '.join(COMMANDS)} (or no arguments at all, to open the window)")
    try:
        return int(args.func(args) or 0)
    except DivergenceError as exc:
        print(f"{PROG}: training diverged: {exc}", file=sys.stderr)
        return EXIT_DIVERGED
    except PlaygroundError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:          # unreadable --load, unwritable --save, ...
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
