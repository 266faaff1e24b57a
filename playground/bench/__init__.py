"""`nn-playground bench`: the engine against numpy and PyTorch (engine.py, numpy_mlp.py,
torch_mlp.py), the window's frame gaps (ui.py), start-up times (startup.py) and one Draw-panel
update (draw.py). Nothing here is imported by the app itself, so a frozen build leaves it out."""
from .engine import add_arguments, run

__all__ = ["add_arguments", "run"]
