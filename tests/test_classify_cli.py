"""`nn-playground classify`: real PNG/JPEG files of either polarity, blank, corrupt, not-an-image
and decompression-bomb files, a model that cannot read digits. Runs in-process (main())."""
import json
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from playground.cli import main
from playground.core.data import read_idx
from playground.core.network import Network
from playground.core.persist import save_model
from playground.core.spec import NetworkSpec


@pytest.fixture(scope="module")
def digits(request):
    from conftest import SHARED_MNIST
    path = SHARED_MNIST / "t10k-images-idx3-ubyte.gz"
    if not path.is_file():
        pytest.skip("reduced MNIST not found beside the repo")
    return read_idx(path, ndim=3)[:12], read_idx(SHARED_MNIST / "t10k-labels-idx1-ubyte.gz", ndim=1)[:12]


def run(capsys, *args):
    code = main(["classify", "--json", *map(str, args)])
    out = capsys.readouterr()
    return code, [json.loads(line) for line in out.out.splitlines()], out.err


def png_declaring(width, height) -> bytes:
    """A tiny PNG whose header claims width x height pixels (a decompression bomb's header)."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


def test_digits_in_both_polarities_and_formats_are_read(tmp_path, capsys, digits):
    images, labels = digits
    files = []
    for i, (img, label) in enumerate(zip(images, labels)):
        big = Image.fromarray(img).resize((280 + 40 * i, 280), Image.Resampling.BILINEAR)
        if i % 2:   # dark ink on white paper, as a scan or a photo of paper
            path = tmp_path / f"{i}.jpg"
            Image.fromarray(255 - np.asarray(big)).convert("RGB").save(path, quality=90)
        else:
            path = tmp_path / f"{i}.png"
            big.save(path)
        files.append(path)
    code, entries, _ = run(capsys, *files)
    assert code == 0 and [e["file"] for e in entries] == list(map(str, files))
    assert [e["ink"] for e in entries[:2]] == ["light on dark", "dark on light"]
    correct = sum(e["predicted"] == int(label) for e, label in zip(entries, labels))
    assert correct >= 11, entries
    for e in entries:
        assert len(e["probabilities"]) == 10 and sum(e["probabilities"]) == pytest.approx(1.0, abs=1e-4)
        assert e["predicted"] == int(np.argmax(e["probabilities"]))


def test_each_bad_file_gets_its_own_error_and_the_rest_are_still_read(tmp_path, capsys, digits):
    good = tmp_path / "good.png"
    Image.fromarray(digits[0][0]).resize((200, 200)).save(good)
    truncated = tmp_path / "truncated.png"
    truncated.write_bytes(good.read_bytes()[: len(good.read_bytes()) // 2])
    text = tmp_path / "notes.png"
    text.write_text("not an image")
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(png_declaring(8_000, 6_000))            # above our limit: refused by us
    huge = tmp_path / "huge.png"
    huge.write_bytes(png_declaring(100_000, 100_000))        # far above: Pillow itself refuses
    blank = tmp_path / "blank.png"
    Image.new("L", (300, 300), 255).save(blank)
    code, entries, err = run(capsys, truncated, good, text, bomb, huge, tmp_path / "missing.png", blank, tmp_path)
    by = {e["file"]: e for e in entries}
    assert code == 1 and "could not be read" in err
    assert "damaged or truncated" in by[str(truncated)]["error"]
    assert by[str(good)]["predicted"] == int(digits[1][0])
    assert "not a PNG or JPEG" in by[str(text)]["error"]
    assert "8,000 x 6,000" in by[str(bomb)]["error"]
    assert "absurd number of pixels" in by[str(huge)]["error"]
    assert "no such file" in by[str(tmp_path / "missing.png")]["error"]
    assert "folder" in by[str(tmp_path)]["error"]
    b = by[str(blank)]
    assert b["predicted"] is None and b["probabilities"] is None and "blank" in b["reason"] and "error" not in b


def test_blank_alone_is_not_a_failure_and_a_dot_says_it_cannot_be_read(tmp_path, capsys):
    blank = tmp_path / "blank.png"
    Image.new("L", (64, 64), 0).save(blank)
    dot = tmp_path / "dot.png"
    a = np.zeros((400, 400), np.uint8)
    a[200:204, 200:204] = 255
    Image.fromarray(a).save(dot)
    code, entries, _ = run(capsys, blank, dot)
    assert code == 0
    assert entries[0]["predicted"] is None and entries[1]["predicted"] is None and "dot" in entries[1]["reason"]


def test_dark_ink_on_transparent_paper_is_read(tmp_path, capsys, digits):
    img = Image.fromarray(digits[0][0]).resize((280, 280))
    rgba = Image.new("RGBA", img.size, (0, 0, 0, 0))
    rgba.putalpha(img)                                   # black ink, opaque only where drawn
    path = tmp_path / "transparent.png"
    rgba.save(path)
    code, entries, _ = run(capsys, path)
    assert code == 0 and entries[0]["predicted"] == int(digits[1][0])


def test_a_model_that_cannot_read_digits_is_refused_and_one_that_can_is_used(tmp_path, capsys, digits):
    toy = save_model(tmp_path / "toy.json", Network(NetworkSpec.make("2,4,1", "tanh"), seed=1))
    img = tmp_path / "d.png"
    Image.fromarray(digits[0][0]).save(img)
    assert main(["classify", "--model", str(toy), str(img)]) == 2
    assert "takes 2 inputs" in capsys.readouterr().err
    net = Network(NetworkSpec.make("784,10", "sigmoid"), seed=1)
    net.params[:] = 0
    net.biases[0][:] = np.arange(10)             # a model that always says 9
    model = save_model(tmp_path / "nine.json", net)
    code, entries, _ = run(capsys, "--model", model, img)
    assert code == 0 and entries[0]["predicted"] == 9


def test_plain_text_output_names_the_class_and_all_ten_probabilities(tmp_path, capsys, digits):
    img = tmp_path / "d.png"
    Image.fromarray(digits[0][0]).save(img)
    assert main(["classify", str(img)]) == 0
    line = capsys.readouterr().out.strip()
    assert line.startswith(f"{img}: {digits[1][0]} (") and line.count(":") == 11


def test_sixteen_bit_and_exif_rotated_files_are_read_upright(tmp_path, capsys, digits):
    img, label = digits[0][2], int(digits[1][2])
    deep = tmp_path / "deep.png"
    paper_to_ink = 60000 - img.astype(np.uint16) * 196               # 16-bit grey: light paper, dark ink
    Image.fromarray(paper_to_ink).save(deep)
    sideways = tmp_path / "sideways.jpg"
    turned = Image.fromarray(255 - img).resize((280, 280)).transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[0x0112] = 6                    # "rotate 90 degrees clockwise to display"
    turned.save(sideways, exif=exif, quality=95)
    code, entries, _ = run(capsys, deep, sideways)
    assert code == 0 and [e["predicted"] for e in entries] == [label, label]


def test_classify_loads_no_qt(tmp_path):
    import subprocess
    import sys
    from pathlib import Path
    img = tmp_path / "d.png"
    Image.new("L", (40, 40), 0).save(img)
    repo = Path(__file__).resolve().parents[1]
    code = ("import sys; from playground.cli import main; main(['classify', sys.argv[1]]); "
            "print([m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6', 'pyqtgraph')])")
    out = subprocess.run([sys.executable, "-c", code, str(img)], capture_output=True, text=True, timeout=120,
                         cwd=repo, env={"PYTHONPATH": str(repo), "PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "[]"
