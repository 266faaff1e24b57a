"""Exceptions the core raises. Every message says what went wrong and what to do instead."""


class PlaygroundError(Exception):
    """Base class: anything the user can fix by changing their input."""


class SpecError(PlaygroundError, ValueError):
    """A network or training setting that makes no sense, or would not fit in memory."""


class DataError(PlaygroundError):
    """A dataset that is missing, corrupt or not what it claims to be."""


class ModelFileError(PlaygroundError):
    """A saved model that is corrupt, truncated, hostile or from an unknown format."""


class RunFileError(ModelFileError):
    """A run file (.nnrun) that is corrupt, truncated, hostile or from a newer version."""


class DivergenceError(PlaygroundError):
    """Training produced NaN/Inf or exploding weights; the last good parameters were restored."""


class Cancelled(PlaygroundError):
    """The person cancelled a long operation (a model file being read, a download)."""
