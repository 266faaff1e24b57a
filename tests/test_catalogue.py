"""The dataset catalogue (core/catalogue.py) describes what load_dataset really returns, and the data
layer and the window's labels read it instead of keeping their own lists."""
import pytest

from playground.core import catalogue
from playground.core.data import load_dataset, locate
from playground.core.data.toy import TOY_GENERATORS


@pytest.mark.parametrize("name", catalogue.TOY_NAMES)
def test_each_toy_is_what_the_catalogue_says(name):
    d = catalogue.info(name)
    ds = load_dataset(name, n_samples=40)
    assert (ds.n_in, ds.n_classes, ds.image_shape, ds.class_names) == (d.n_in, d.n_classes, None, d.class_names)
    assert d.is_toy and ds.describe().startswith(d.title)


def test_mnist_is_what_the_catalogue_says(shared_mnist_dir):
    ds = load_dataset("mnist", data_dir=shared_mnist_dir, allow_download=False, train_size=100, validation_size=0)
    d = catalogue.info("mnist")
    assert (ds.n_in, ds.n_classes, ds.image_shape, ds.class_names) == (d.n_in, d.n_classes, d.image_shape,
                                                                       d.class_names)
    assert ds.describe().startswith(d.title)


def test_every_toy_generator_is_catalogued_and_nothing_else_is_a_toy():
    assert set(TOY_GENERATORS) == set(catalogue.TOY_NAMES)


def test_the_data_layer_reads_the_catalogue():
    assert locate.SYSTEM_DIRS == {"fashion-mnist": (catalogue.DEBIAN_FASHION,)}
    assert set(locate.REMOTES) == set(catalogue.IDX_NAMES)
    assert locate.SUBFOLDERS["fashion-mnist"] == catalogue.info("fashion-mnist").subfolders
    from playground.core.data import DATASET_NAMES, IMAGE_DATASETS
    assert DATASET_NAMES == catalogue.DATASET_NAMES and IMAGE_DATASETS == catalogue.IDX_NAMES


def test_class_names_long_and_short():
    assert catalogue.class_name("fashion-mnist", 9) == "Ankle boot"
    assert catalogue.class_name("fashion-mnist", 9, short=True) == "Boot"
    assert catalogue.class_name("mnist", 3) == "3" and catalogue.class_name("spirals", 1) == "1"
    assert catalogue.class_name("not-a-dataset", 4) == "4"
    fashion = catalogue.info("fashion-mnist")
    assert len(fashion.class_names) == len(fashion.short_names) == fashion.n_classes


def test_the_window_labels_come_from_the_catalogue():
    from playground.gui import labels
    assert list(labels.DATASET_LABELS) == list(catalogue.WINDOW_NAMES)
    assert set(labels.TOY_DATASETS) == set(catalogue.TOY_NAMES)
    assert labels.class_name("fashion-mnist", 0) == catalogue.FASHION_SHORT[0]
    assert labels.dataset_io("fashion-mnist") == catalogue.io_sizes("fashion-mnist") == (784, 10)


def test_an_unknown_name_is_a_clear_error():
    from playground.core.errors import DataError
    with pytest.raises(DataError, match="unknown dataset 'cifar10'; choose one of spirals"):
        catalogue.info("cifar10")
