"""Installing one event filter on every widget of some kinds inside a widget tree."""
from __future__ import annotations


def install(event_filter, roots, kinds: tuple, prepare=None) -> None:
    """``event_filter`` on each widget of ``kinds`` among ``roots`` and their descendants, once
    each however often a tree is passed; ``prepare(widget)`` runs on each first."""
    for root in roots:
        targets = [root] if isinstance(root, kinds) else []
        for kind in kinds:
            targets += root.findChildren(kind)
        for t in targets:
            if prepare is not None:
                prepare(t)
            t.removeEventFilter(event_filter)
            t.installEventFilter(event_filter)
