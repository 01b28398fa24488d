"""Training code for Parallax's learned components (run as modules, e.g. ``python -m parallax.train.attribution``).

Each trainer reads public gold data from a path (by default under ``../shared/eval``), never
from the repository, and writes its model file under the repository's ``models/`` folder.
"""
