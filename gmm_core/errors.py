"""The errors gmm_core raises: each a ValueError whose message says what is wrong and what to do."""

import functools


class DataError(ValueError):
    """The data cannot be used as points: unreadable, malformed, non-numeric or non-finite."""


class ParameterError(ValueError):
    """A model parameter (K, weights, means, covariances, tolerance, ...) is invalid."""


class DegenerateFitError(ValueError):
    """A component became singular during a fit and no ``reg_covar`` keeps it positive definite.

    Attributes
    ----------
    component : int
        Index of the first component found singular.
    iteration : int
        The EM iteration whose M-step produced it.
    """

    def __init__(self, message, *, component, iteration):
        super().__init__(message)
        self.component = component
        self.iteration = iteration

    def __reduce__(self):  # pickled with its keywords: a fit in another process raises it back to the server
        return functools.partial(type(self), component=self.component, iteration=self.iteration), self.args
