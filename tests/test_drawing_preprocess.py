"""The MNIST-style pipeline (crop, 20 px box with area averaging, 28x28, centre of mass) and
the plain resize it is contrasted with."""
import numpy as np
import pytest

from playground.core.drawing.preprocess import centre_of_mass, ink_from_gray, preprocess, resize


def canvas(n=280):
    return np.zeros((n, n), np.float32)


def test_small_off_centre_block_becomes_a_centred_20px_digit():
    c = canvas()
    c[10:70, 200:230] = 1.0          # 60 tall, 30 wide, in the top-right corner
    p = preprocess(c)
    assert p.reason is None and p.pixels.shape == (28, 28)
    rows = np.flatnonzero(p.pixels.max(axis=1) > 0.05)
    cols = np.flatnonzero(p.pixels.max(axis=0) > 0.05)
    assert rows[-1] - rows[0] + 1 == 20            # the longer side fills the 20 px box
    assert cols[-1] - cols[0] + 1 == 10            # aspect ratio kept (30/60 of 20)
    cy, cx = centre_of_mass(p.pixels)
    assert abs(cy - 13.5) <= 0.5 and abs(cx - 13.5) <= 0.5
    assert p.pixels.max() == pytest.approx(1.0)
    assert [s.title for s in p.steps][0] == "Canvas" and len(p.steps) == 5


def test_centre_of_mass_not_the_box_centre_decides_the_position():
    c = canvas()
    c[50:250, 50:70] = 1.0           # a left bar and a top bar (a "Γ"):
    c[50:80, 70:250] = 1.0           # the mass is left of the box centre
    p = preprocess(c)
    boxed, centred = p.steps[3].image, p.steps[4].image
    assert centre_of_mass(boxed)[1] < 11.5           # box-centred: mass sits left
    assert abs(centre_of_mass(centred)[1] - 13.5) <= 0.5
    assert centred.sum() == pytest.approx(boxed.sum(), rel=1e-5)   # moved, none of it cut off


def test_a_lopsided_digit_moves_only_as_far_as_keeps_its_ink():
    c = canvas()
    c[50:250, 50:70] = 1.0
    c[50:55, 70:250] = 0.2           # nearly all the mass in the left bar
    p = preprocess(c)
    centred = p.steps[4].image
    assert centred.sum() == pytest.approx(p.steps[3].image.sum(), rel=1e-5)
    assert centred[:, -1].max() > 0      # pushed right to the frame's edge, not beyond it


def test_area_averaging_turns_fine_stripes_into_grey():
    stripes = np.zeros((40, 40), np.float32)
    stripes[:, ::2] = 1.0
    small = resize(stripes, 20, 20)
    np.testing.assert_allclose(small, 0.5, atol=1e-6)   # nearest-neighbour would give 0s or 1s


def test_plain_resize_keeps_a_small_corner_digit_small_and_in_the_corner():
    c = canvas()
    c[0:20, 0:10] = 1.0
    p = preprocess(c, mnist_style=False)
    assert len(p.steps) == 2 and not p.mnist_style
    expected = np.zeros((28, 28), np.float32)
    expected[0:2, 0] = 1.0
    np.testing.assert_allclose(p.pixels, expected, atol=1e-6)


def test_blank_and_dot_give_no_pixels_and_say_why():
    blank = preprocess(canvas())
    assert blank.pixels is None and "blank" in blank.reason
    faint = canvas()
    faint[100:200, 100:200] = 0.05              # below the ink level: paper noise, not a digit
    assert preprocess(faint).pixels is None
    dot = canvas()
    dot[140:144, 140:144] = 1.0
    p = preprocess(dot)
    assert p.pixels is None and "dot" in p.reason
    assert preprocess(dot, mnist_style=False).pixels is not None   # the plain resize reads anything
    yy, xx = np.mgrid[0:280, 0:280]
    blob = ((yy - 140) ** 2 + (xx - 100) ** 2 < 15 ** 2).astype(np.float32)   # the pen put down once
    assert "dot" in preprocess(blob).reason
    ring = blob - ((yy - 140) ** 2 + (xx - 100) ** 2 < 9 ** 2)               # a small, thick 0 is a digit
    assert preprocess(ring).pixels is not None


def test_thin_stroke_still_reaches_full_intensity():
    c = canvas()
    c[40:240, 40] = c[40:240, 239] = c[40, 40:240] = c[239, 40:240] = 1.0   # a 1-px square outline
    scaled = resize(c[40:240, 40:240], 20, 20)
    assert scaled.max() < 0.2                   # averaging alone leaves a faint grey ...
    p = preprocess(c)
    assert p.pixels is not None and p.pixels.max() == pytest.approx(1.0)   # ... stretched to full ink


def test_bad_arrays_are_refused_or_cleaned():
    with pytest.raises(ValueError, match="2-D"):
        preprocess(np.zeros(10))
    c = canvas(50)
    c[10:40, 20:30] = np.nan
    assert preprocess(c).pixels is None          # NaN counts as no ink, not as a crash
    c[10:40, 20:30] = 7.0                        # out of range: clipped
    assert preprocess(c).pixels.max() == pytest.approx(1.0)


def test_ink_polarity_is_detected_from_the_paper():
    dark_on_light = np.full((50, 50), 0.9, np.float32)
    dark_on_light[10:40, 20:25] = 0.1
    ink, inverted = ink_from_gray(dark_on_light)
    assert inverted and ink[20, 22] == pytest.approx(1.0) and ink[0, 0] == pytest.approx(0.0)
    light_on_dark = 1.0 - dark_on_light
    ink2, inverted2 = ink_from_gray(light_on_dark)
    assert not inverted2
    np.testing.assert_allclose(ink, ink2, atol=1e-6)
    assert ink_from_gray(np.full((9, 9), 0.8))[0].max() == 0     # plain paper: no ink at all
