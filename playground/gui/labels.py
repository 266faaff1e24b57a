"""Human-readable names for the core's option keys (the keys themselves come from core.spec)."""
from playground.core.catalogue import DATASETS, WINDOW_NAMES, class_name as catalogue_class_name
from playground.core.spec import (BIAS_INITS, COSTS, HIDDEN_ACTIVATIONS, OPTIMIZERS, OUTPUT_ACTIVATIONS,
                                  WEIGHT_INITS)

_ACT = {"sigmoid": "Sigmoid", "tanh": "Tanh", "relu": "ReLU", "leaky_relu": "Leaky ReLU", "elu": "ELU",
        "softplus": "Softplus", "linear": "Linear", "softmax": "Softmax"}
ACTIVATION_LABELS = {k: _ACT.get(k, k) for k in HIDDEN_ACTIVATIONS}
OUTPUT_LABELS = {k: _ACT.get(k, k) for k in OUTPUT_ACTIVATIONS}
COST_LABELS = {k: {"quadratic": "Quadratic (MSE)", "cross_entropy": "Cross-entropy",
                   "log_likelihood": "Log-likelihood"}.get(k, k) for k in COSTS}
WEIGHT_INIT_LABELS = {k: {"default": "N(0, 1/n_in) (Nielsen)", "large": "N(0, 1) (large)",
                          "small": "N(0, 0.01²) (small)", "zeros": "All zero",
                          "xavier_normal": "Xavier normal", "xavier_uniform": "Xavier uniform",
                          "he": "He (for ReLU)"}.get(k, k) for k in WEIGHT_INITS}
BIAS_INIT_LABELS = {k: {"normal": "N(0, 1)", "zeros": "Zeros", "constant": "Constant 0.1"}.get(k, k)
                    for k in BIAS_INITS}
OPTIMIZER_LABELS = {k: {"sgd": "SGD", "momentum": "Momentum", "nesterov": "Nesterov",
                        "adam": "Adam"}.get(k, k) for k in OPTIMIZERS}

# Dataset names, labels, sizes and classes come from the one catalogue in core.
TOY_DATASETS = {n: DATASETS[n].label for n in WINDOW_NAMES if DATASETS[n].is_toy}
IMAGE_DATASETS = {n: DATASETS[n].label for n in WINDOW_NAMES if not DATASETS[n].is_toy}
DATASET_INFO = {"my-digits": "Your drawings from the Draw tab: half of them train with MNIST's digits, "
                             "the other half are the test set."}
IMAGE_INFO = "28×28 grey images, ten classes; test set 10,000 images."
DATASET_LABELS = {**TOY_DATASETS, **IMAGE_DATASETS}


def dataset_io(name: str) -> tuple[int, int]:
    """(inputs, outputs) a dataset implies: toy sets are 2-D with 2 classes, images 28x28 with 10 classes."""
    d = DATASETS.get(name)
    return (d.n_in, d.n_classes) if d is not None else (2, 2)


def class_name(dataset: str, k: int) -> str:
    """Short enough for a confusion-matrix cell ("Boot", not "Ankle boot")."""
    return catalogue_class_name(dataset, k, short=True)
