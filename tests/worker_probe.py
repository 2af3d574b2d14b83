"""A function for a worker process of gmm_ui.workers to run in tests/test_workers.py: it says what the worker has
loaded. It is a module of its own, importing nothing but the standard library, so that the worker's unpickling of
the function loads nothing more (the test modules import Streamlit)."""

import sys


def loaded(*names):
    """The worker's main module's ``__file__`` (None if it has none), and which of ``names`` it has imported."""
    return getattr(sys.modules["__main__"], "__file__", None), [name for name in names if name in sys.modules]
