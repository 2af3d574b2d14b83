"""The layers import only what lies below them: the engine (gmm_core) needs neither Streamlit nor Plotly; the
figures (gmm_ui.figures) and the UI's pure logic (stages, the link's codec, the session keys) need no Streamlit.
Each check runs in a fresh interpreter in which the missing libraries cannot be imported."""

import subprocess
import sys

import pytest

from tests.browser_support import ROOT

#: Makes the named top-level packages (and their submodules) raise ImportError, then runs the code given.
WITHOUT = """
import sys

class Unavailable:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {missing!r}:
            raise ImportError(f"{{name}} is unavailable in this test")
        return None

sys.meta_path.insert(0, Unavailable())
{code}
"""


def _run_without(missing, code):
    done = subprocess.run(
        [sys.executable, "-c", WITHOUT.format(missing=set(missing), code=code)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_the_finder_makes_a_library_unavailable():
    """The check below can fail: a blocked library does not import."""
    out = _run_without(["plotly"], "try:\n    import plotly\nexcept ImportError:\n    print('blocked')")
    assert out.strip() == "blocked"


def test_the_engine_fits_without_streamlit_and_plotly():
    out = _run_without(
        ["streamlit", "plotly"],
        "import numpy as np\n"
        "import gmm_core\n"
        "X = np.random.default_rng(0).normal(size=(40, 2)) + np.repeat([[0, 0], [5, 5]], 20, axis=0)\n"
        "run = gmm_core.fit_em(X, gmm_core.initialize(X, 2, 'kmeans++', random_state=0), max_iter=20)\n"
        "assert np.isfinite(run.log_likelihood).all()\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('streamlit', 'plotly')))\n",
    )
    assert out.strip() == "[]"


@pytest.mark.parametrize(
    "module", ["gmm_ui.figures", "gmm_ui.figures.bound", "gmm_ui.stages", "gmm_ui.link", "gmm_ui.state", "gmm_ui.maths"]
)
def test_the_figures_and_the_pure_logic_import_without_streamlit(module):
    out = _run_without(
        ["streamlit"],
        f"import {module}\nprint(sorted(m for m in sys.modules if m.split('.')[0] == 'streamlit'))\n",
    )
    assert out.strip() == "[]"
