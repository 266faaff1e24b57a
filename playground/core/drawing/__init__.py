"""Reading drawn or photographed digits: the MNIST-style preprocessing, the network that reads,
and why it decided. Shared by the Draw panel and `nn-playground classify`. No Qt here."""

from .preprocess import Preprocessed, Step, ink_from_gray, preprocess
from .reader import SHIPPED_MODEL, Reader, Reading, fits, load_reader, read, reader_for, shipped_reader

__all__ = ["SHIPPED_MODEL", "Preprocessed", "Reader", "Reading", "Step", "fits", "ink_from_gray", "load_reader",
           "preprocess", "read", "reader_for", "shipped_reader"]
