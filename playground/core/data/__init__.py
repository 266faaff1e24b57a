"""Datasets: IDX reading, locating/downloading MNIST and Fashion-MNIST, Nielsen's pickle,
2-D toy problems, and the ``Dataset`` they all become. No Qt here."""

from .dataset import DATASET_NAMES, IMAGE_DATASETS, Dataset, TargetShapeError, load_dataset
from .idx import read_idx, write_idx
from .locate import (CACHE_ENV, DATA_ENV, FILES, REMOTES, LocatedFiles, Remote, locate_dataset,
                     locate_nielsen_pickle, user_cache_dir)
from .nielsen_pkl import load_nielsen_pickle
from .toy import TOY_GENERATORS, make_toy

__all__ = [
    "CACHE_ENV", "DATA_ENV", "DATASET_NAMES", "FILES", "IMAGE_DATASETS", "REMOTES", "TOY_GENERATORS",
    "Dataset", "LocatedFiles", "Remote", "TargetShapeError",
    "load_dataset", "load_nielsen_pickle", "locate_dataset", "locate_nielsen_pickle", "make_toy",
    "read_idx", "user_cache_dir", "write_idx",
]
