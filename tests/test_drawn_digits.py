"""Digits drawn by code with QPainter strokes as a person draws them (every digit two ways, thin
and thick pens, large, small and off-centre) are read by the shipped model; shrinking the whole
canvas instead (preprocessing off) reads them far worse. Also as files of both polarities."""
import numpy as np
import pytest
from PIL import Image

from drawn_digits import all_drawings, to_array
from playground.core.drawing import read, shipped_reader
from playground.digits.classify import classify_file


@pytest.fixture(scope="module")
def drawings(qapp):
    return [(label, desc, to_array(img)) for label, desc, img in all_drawings()]


@pytest.fixture(scope="module")
def reader():
    return shipped_reader()


def rate(reader, drawings, mnist_style):
    wrong = [desc for label, desc, ink in drawings if read(reader, ink, mnist_style).top != label]
    return 1 - len(wrong) / len(drawings), wrong


def test_drawn_digits_are_read_and_the_plain_resize_shows_why_preprocessing_matters(reader, drawings):
    assert len(drawings) == 160 and {d[0] for d in drawings} == set(range(10))
    good, wrong = rate(reader, drawings, True)
    plain, _ = rate(reader, drawings, False)
    print(f"\ndrawn digits read correctly: {100 * good:.1f} % with MNIST-style preprocessing, "
          f"{100 * plain:.1f} % with the whole canvas shrunk; misread: {wrong}")
    assert good >= 0.9
    assert plain <= 0.6 and good - plain >= 0.4


def test_drawn_digits_saved_as_files_of_either_polarity_are_read(reader, drawings, tmp_path):
    hits = n = 0
    for i, (label, desc, ink) in enumerate(drawings[::3]):
        a = (ink * 255).astype(np.uint8)
        if i % 2:
            path = tmp_path / f"{i}.jpg"
            Image.fromarray(255 - a).save(path, quality=85)        # dark ink on light paper
        else:
            path = tmp_path / f"{i}.png"
            Image.fromarray(a).save(path)
        entry = classify_file(reader, path)
        hits += entry["predicted"] == label
        n += 1
    print(f"\ndrawn digits as PNG (light on dark) and JPEG (dark on light): {hits}/{n} read correctly")
    assert hits / n >= 0.9
