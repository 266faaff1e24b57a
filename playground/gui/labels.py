"""Human-readable names for the core's option keys (the keys themselves come from core.spec)."""
from playground.core.spec import (BIAS_INITS, COSTS, HIDDEN_ACTIVATIONS, OPTIMIZERS, OUTPUT_ACTIVATIONS,
                                  WEIGHT_INITS)

_ACT = {"sigmoid": "Sigmoid", "tanh": "Tanh", "relu": "ReLU", "leaky_relu": "Leaky ReLU", "elu": "ELU",
        "softplus": "Softplus", "linear": "Linear", "softmax": "Softmax"}
ACTIVATION_LABELS = {k: _ACT.get(k, k) for k in HIDDEN_ACTIVATIONS}
OUTPUT_LABELS = {k: _ACT.get(k, k) for k in OUTPUT_ACTIVATIONS}
COST_LABELS = {k: {"quadratic": "Quadratic (MSE)", "cross_entropy": "Cross-entropy",
                   "log_likelihood": "Log-likelihood"}.get(k, k) for k in COSTS}
WEIGHT_INIT_LABELS = {k: {"default": "N(0, 1/n_in) (Nielsen)", "large": "N(0, 1) (large)",
                          "xavier_normal": "Xavier normal", "xavier_uniform": "Xavier uniform",
                          "he": "He (for ReLU)"}.get(k, k) for k in WEIGHT_INITS}
BIAS_INIT_LABELS = {k: {"normal": "N(0, 1)", "zeros": "Zeros", "constant": "Constant 0.1"}.get(k, k)
                    for k in BIAS_INITS}
OPTIMIZER_LABELS = {k: {"sgd": "SGD", "momentum": "Momentum", "nesterov": "Nesterov",
                        "adam": "Adam"}.get(k, k) for k in OPTIMIZERS}

TOY_DATASETS = {"spirals": "Spirals", "circles": "Circles", "xor": "XOR", "gaussians": "Gaussians",
                "moons": "Moons"}
IMAGE_DATASETS = {"mnist": "MNIST digits", "fashion-mnist": "Fashion-MNIST", "my-digits": "My digits + MNIST"}
DATASET_INFO = {"my-digits": "Your drawings from the Draw tab: half of them train with MNIST's digits, "
                             "the other half are the test set."}
IMAGE_INFO = "28×28 grey images, ten classes; test set 10,000 images."
DATASET_LABELS = {**TOY_DATASETS, **IMAGE_DATASETS}

FASHION_CLASSES = ("T-shirt", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
                   "Boot")


def dataset_io(name: str) -> tuple[int, int]:
    """(inputs, outputs) a dataset implies: toy sets are 2-D with 2 classes, images 28x28 with 10 classes."""
    return (784, 10) if name in IMAGE_DATASETS else (2, 2)


def class_name(dataset: str, k: int) -> str:
    if dataset == "fashion-mnist" and 0 <= k < 10:
        return FASHION_CLASSES[k]
    return str(k)
