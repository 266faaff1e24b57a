"""Lessons: the classic experiments of the books and papers, one click each.

A lesson is a JSON file shipped beside this module: a run (``base``, flat settings as
RunSpec.from_settings reads them, its ``epochs`` the short budget) and, for a comparison, the
twins that differ from it (``twins``: label + overrides). ``then`` is an optional second run
shown after the first (XOR, then the two spirals). The text says what to watch; ``panels``
names the plots that show it. Files are validated when loaded, unknown keys refused, so a typo
in a shipped lesson fails the tests rather than a class.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from importlib import resources

from ..errors import SpecError

FORMAT = "nn-playground-lesson"
VERSION = 1
MAX_BYTES = 64 * 1024            # a lesson is a page of text, never more
# The panels a lesson may name (the window maps them to its plots and views).
PANELS = ("loss", "accuracy", "gradients", "weights", "histograms", "boundary", "diagram",
          "weight_images", "confusion", "mistakes")
_NAME = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_KEYS = {"format", "version", "name", "title", "label", "watch", "panels", "base", "twins", "budget", "full",
         "then", "presentation"}
_REQUIRED = ("format", "version", "name", "title", "watch", "panels", "base", "budget", "full")
# The order of the issue (Classroom): the menu lists them so.
ORDER = ("nielsen-ch1", "cross-entropy-vs-quadratic", "vanishing-gradients", "weight-init", "overfitting-l2",
         "learning-rates", "optimizer-race", "xor-spirals", "dropout", "dead-relus", "symmetry")
MAX_TWINS = 4


@dataclass(frozen=True)
class Lesson:
    name: str
    title: str
    watch: str                                  # two or three sentences: what to look at
    panels: tuple[str, ...]
    base: dict                                  # flat settings; "epochs" is the short budget
    twins: tuple[tuple[str, dict], ...] = ()    # (label, overrides of base); empty: a single run
    budget: str = ""                            # what the short budget is and how long it takes
    full: str = ""                              # the published version, and how long it takes
    then: tuple[str, dict, str] | None = None   # (label, overrides, what to watch): a second run
    presentation: dict | None = None            # controls / panels to keep and a caption
    label: str = ""                             # a single run's name in legends (else the title)

    def __repr__(self):
        return f"Lesson({self.name!r}, {len(self.twins) or 1} run(s), {self.epochs} epochs)"

    @property
    def epochs(self) -> int:
        return int(self.base["epochs"])

    def spec(self, overrides: dict | None = None, **extra):
        """The RunSpec of the base run with ``overrides`` (and ``extra``, e.g. data_dir) laid over
        its settings (twins go through compare.twins_from_overrides instead: twins_or_run)."""
        from ..runspec import RunSpec
        return RunSpec.from_settings({**self.base, **(overrides or {}), **extra})

    def twins_or_run(self, **extra) -> list:
        """The runs of the lesson as compare.Twin objects: one per twin, or the base run alone.
        ``extra``: settings laid over every run (data_dir, epochs)."""
        from ..compare import Twin, twins_from_overrides
        base = self.spec(**extra)
        if not self.twins:
            return [Twin(label=self.label or self.title, spec=base, overrides={})]
        labels = [label for label, _ in self.twins]
        return twins_from_overrides(base, [dict(o) for _, o in self.twins], labels)

    def then_run(self, **extra):
        """The second run (a compare.Twin), or None."""
        if self.then is None:
            return None
        from ..compare import Twin
        label, overrides, _ = self.then
        return Twin(label=label, spec=self.spec(overrides, **extra), overrides=dict(overrides))


def names() -> list[str]:
    """Every shipped lesson, in teaching order."""
    shipped = {p.name[:-5] for p in resources.files(__package__).iterdir() if p.name.endswith(".json")}
    return [n for n in ORDER if n in shipped] + sorted(shipped - set(ORDER))


def load(name: str) -> Lesson:
    """The lesson ``name``; SpecError for an unknown name or a file that breaks the rules."""
    if not isinstance(name, str) or not _NAME.match(name) or name not in names():
        import difflib
        close = difflib.get_close_matches(str(name), names(), n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise SpecError(f"Unknown lesson {name!r}{hint}: choose one of {', '.join(names())}.")
    raw = resources.files(__package__).joinpath(f"{name}.json").read_bytes()
    return parse(raw, name)


def read(path) -> Lesson:
    """A lesson file a teacher made (a shipped one's layout, any name): a regular file of at most
    MAX_BYTES, checked as a shipped one is. SpecError, or OSError / IrregularFile, if not."""
    from pathlib import Path

    from ..fileread import read_regular_file
    raw = read_regular_file(path, MAX_BYTES, f"The lesson file {Path(path).name}")
    return parse(raw, None, Path(path).name)


def parse(raw: bytes, name: str | None, label: str | None = None) -> Lesson:
    """A Lesson from the bytes of its file, checked: every key known, every run buildable.
    ``name``: what the file must call itself (a shipped one), None for any name; ``label``: how
    messages name the file (default: the name)."""
    where = f"Lesson {label or name!r}"
    if len(raw) > MAX_BYTES:
        raise SpecError(f"{where} is {len(raw):,} bytes; a lesson file is at most {MAX_BYTES:,}.")
    try:
        d = json.loads(raw.decode("utf-8"), parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError) as e:
        raise SpecError(f"{where} is not valid JSON: {e}") from None
    if not isinstance(d, dict):
        raise SpecError(f"{where} must be one JSON object.")
    _only(d, _KEYS, where)
    missing = [k for k in _REQUIRED if k not in d]
    if missing:
        raise SpecError(f"{where} lacks {', '.join(missing)}.")
    if d["format"] != FORMAT:
        raise SpecError(f"{where} says format {d['format']!r}, not {FORMAT!r}.")
    if d["version"] != VERSION:
        raise SpecError(f"{where} is version {d['version']!r}; this playground reads version {VERSION}.")
    if name is not None and d["name"] != name:
        raise SpecError(f"{where} calls itself {d['name']!r}: the file name and the name must agree.")
    for key in ("title", "watch", "budget", "full", "label"):
        if key in d and (not isinstance(d[key], str) or not d[key].strip()):
            raise SpecError(f"{where}: {key!r} must be a non-empty text.")
    panels = d["panels"]
    if not isinstance(panels, list) or not panels or not all(p in PANELS for p in panels):
        raise SpecError(f"{where}: 'panels' must be a list of {', '.join(PANELS)}; got {panels!r}.")
    base = _settings(d["base"], f"{where}'s base run")
    if "epochs" not in base or d["base"].get("until_stopped"):
        raise SpecError(f"{where}'s base run needs 'epochs': the short budget.")
    twins = []
    for i, t in enumerate(d.get("twins", [])):
        if not isinstance(t, dict):
            raise SpecError(f"{where}: twin {i + 1} must be an object with 'label' and 'overrides'.")
        _only(t, {"label", "overrides"}, f"{where}'s twin {i + 1}")
        label = t.get("label")
        if not isinstance(label, str) or not label.strip():
            raise SpecError(f"{where}: twin {i + 1} needs a 'label' naming what differs.")
        twins.append((label, _settings(t.get("overrides", {}), f"{where}'s twin {label!r}")))
    if len(twins) == 1 or len(twins) > MAX_TWINS:
        raise SpecError(f"{where} has {len(twins)} twins: a comparison has 2 to {MAX_TWINS}.")
    if len({label for label, _ in twins}) != len(twins):
        raise SpecError(f"{where}: two twins have the same label; a label names what differs.")
    then = None
    if d.get("then") is not None:
        t = d["then"]
        if not isinstance(t, dict):
            raise SpecError(f"{where}: 'then' must be an object with 'label', 'overrides' and 'watch'.")
        _only(t, {"label", "overrides", "watch"}, f"{where}'s 'then'")
        if not all(isinstance(t.get(k), str) and t[k].strip() for k in ("label", "watch")):
            raise SpecError(f"{where}: 'then' needs a 'label' and a 'watch' text.")
        then = (t["label"], _settings(t.get("overrides", {}), f"{where}'s 'then' run"), t["watch"])
    presentation = d.get("presentation")
    if presentation is not None and not isinstance(presentation, dict):
        raise SpecError(f"{where}: 'presentation' must be an object.")
    lesson = Lesson(name=name, title=d["title"].strip(), watch=" ".join(d["watch"].split()),
                    panels=tuple(panels), base=base, twins=tuple(twins), budget=d["budget"].strip(),
                    full=d["full"].strip(), then=then, presentation=presentation,
                    label=d.get("label", "").strip())
    try:
        lesson.twins_or_run()
        lesson.then_run()
    except SpecError as e:
        raise SpecError(f"{where} describes a run that cannot be: {e}") from None
    except (TypeError, ValueError) as e:
        raise SpecError(f"{where} has a value of the wrong kind: {e}") from None
    return lesson


def _settings(d, what: str) -> dict:
    if not isinstance(d, dict):
        raise SpecError(f"{what} must be an object of settings.")
    _only(d, _setting_keys(), what)
    return dict(d)


def _setting_keys() -> set:
    """Every flat setting RunSpec.from_settings reads."""
    from ..runspec import RunSpec
    return set(RunSpec.default().to_settings()) | {"dataset"}


def _only(d: dict, allowed: set, what: str) -> None:
    unknown = sorted(str(k) for k in set(d) - set(allowed))
    if unknown:
        raise SpecError(f"{what} has unknown key(s) {', '.join(unknown)}.")


def _no_constant(word: str):
    raise ValueError(f"{word} is not a number a lesson may hold")
