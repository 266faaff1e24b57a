"""NN Playground: train small fully-connected networks live and watch them learn."""

__version__ = "0.1.0"
