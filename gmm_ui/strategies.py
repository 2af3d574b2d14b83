"""The start's strategies by name: the engine's, a scenario's own starts and the manual table, and their labels.

Pure (no Streamlit): the link's codec (``gmm_ui.link``) names them too.
"""

from __future__ import annotations

SCENARIO, MANUAL = "scenario", "manual"
ALTERNATIVE_PREFIX = "alternative:"
ENGINE_STRATEGIES = {
    "kmeans++": "k-means++ seeds",
    "kmeans": "k-means clusters (the usual start)",
    "random_from_data": "Random data points",
    "random": "Random responsibilities",
}


def strategy_label(strategy):
    """How a strategy is named in the picker."""
    if strategy == SCENARIO:
        return "The scenario's own start"
    if strategy == MANUAL:
        return "Manual (edit the table)"
    if strategy.startswith(ALTERNATIVE_PREFIX):
        return f"Start: {strategy.removeprefix(ALTERNATIVE_PREFIX)}"
    return ENGINE_STRATEGIES[strategy]


def uses_seed(strategy):
    return strategy in ENGINE_STRATEGIES
