"""Where the models we train live: ``models/`` at the repository root, beside ``src/``.

Models are trained by code in ``parallax.train`` and committed to the repository;
the package is installed in editable mode (``make``), so they are found there.
"""

from __future__ import annotations

from pathlib import Path

from .errors import ParallaxError

MODELS_DIR = Path(__file__).resolve().parents[2] / "models"


def model_file(name: str) -> Path:
    """The path of a trained model file, with a clear error when it is missing."""
    path = MODELS_DIR / name
    if not path.exists():
        raise ParallaxError(f"model file {path} is missing; retrain it with python -m parallax.train (see README)")
    return path
