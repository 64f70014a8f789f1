"""Loss functions and their gradients.

Fill in every function below (replace each ``raise NotImplementedError``).
Read the student guide (guide.md in the assignment folder) first: it states
exactly what the checks test.

Run the checks on your file:

    dlgrade check losses losses.py

or, in the folder that ``dlgrade init losses FOLDER`` made, simply

    pytest

The contract every function follows:

- arguments (y, y_hat): the TARGET y first, the PREDICTION y_hat second.
  Both are numpy float64 arrays of the SAME shape (any shape, 0-d included;
  a 0-d input may arrive as a numpy scalar), so start with
  ``y = np.asarray(y, dtype=float)`` and the same for y_hat;
- r = y_hat - y is the residual; n = y.size is the number of elements
  (n = 1 for a 0-d input);
- a loss returns ONE number (a float, or a 0-d array): mse, mae, huber and
  binary_cross_entropy are MEANS over all n elements;
  categorical_cross_entropy sums over the classes and averages over the N
  rows; sum_squares_cost is a plain sum;
- a ``_grad`` function returns the gradient of its loss with respect to the
  PREDICTION y_hat, an array of y_hat's shape, including the 1/n (or 1/N)
  of the mean;
- pure: never modify an input in place.

Only numpy (and the math module) is needed. torch, tensorflow, jax, keras,
scipy.special and scipy.stats are not allowed in this assignment.
"""

import numpy as np


# ---------------------------------------------------------------- MSE


def mse(y, y_hat):
    """Mean squared error, a mean over ALL n = y.size elements.

        mse = (1/n) * sum (y_hat - y)**2

    Returns a single number (a float).
    """
    raise NotImplementedError


def mse_grad(y, y_hat):
    """Gradient of mse with respect to y_hat.

        d mse / d y_hat = 2 * (y_hat - y) / n        (n = y.size)

    Returns an array of y_hat's shape.
    """
    raise NotImplementedError


# ---------------------------------------------------------------- MAE


def mae(y, y_hat):
    """Mean absolute error, a mean over all n = y.size elements.

        mae = (1/n) * sum |y_hat - y|

    Returns a single number.
    """
    raise NotImplementedError


def mae_grad(y, y_hat):
    """Gradient of mae with respect to y_hat.

        d mae / d y_hat = sign(y_hat - y) / n

    where sign(r) = 1 if r > 0, -1 if r < 0 and 0 if r = 0 (np.sign does
    exactly this): at r = 0 the gradient is 0. Array of y_hat's shape.
    """
    raise NotImplementedError


# ---------------------------------------------------------------- Huber


def huber(y, y_hat, delta=1.0):
    """Huber loss, a mean over all n elements of h(r), r = y_hat - y:

        h(r) = r**2 / 2                  if |r| <= delta
               delta * (|r| - delta/2)   otherwise
                                         (= delta*|r| - delta**2/2, as in the notes)

    delta: a float > 0 (1.0 by default). Returns a single number.
    """
    raise NotImplementedError


def huber_grad(y, y_hat, delta=1.0):
    """Gradient of huber with respect to y_hat, r = y_hat - y:

        d huber / d y_hat = r / n                 if |r| <= delta
                            delta * sign(r) / n   otherwise

    (= clip(r, -delta, delta) / n). Array of y_hat's shape.
    """
    raise NotImplementedError


# ---------------------------------------------------------------- binary cross-entropy


def binary_cross_entropy(y, y_hat):
    """Binary cross-entropy, a mean over all n elements (natural log):

        bce = -(1/n) * sum [ y * ln(y_hat) + (1 - y) * ln(1 - y_hat) ]

    y: labels 0.0 or 1.0. y_hat: predicted probabilities strictly inside
    (0, 1). Per element this is -ln(y_hat) if y = 1 and -ln(1 - y_hat) if
    y = 0. Returns a single number.
    """
    raise NotImplementedError


def binary_cross_entropy_grad(y, y_hat):
    """Gradient of binary_cross_entropy with respect to y_hat (the probability):

        d bce / d y_hat = (y_hat - y) / (y_hat * (1 - y_hat)) / n
                        = ( -y / y_hat + (1 - y) / (1 - y_hat) ) / n

    Array of y_hat's shape. (y_hat - y) without the denominator is the
    gradient with respect to the LOGIT, not the probability.
    """
    raise NotImplementedError


# ---------------------------------------------------------------- categorical cross-entropy


def categorical_cross_entropy(y, y_hat):
    """Categorical cross-entropy of one-hot targets, averaged over the samples:

        cce = -(1/N) * sum_n sum_c y[n, c] * ln(y_hat[n, c])

    y: one-hot targets of shape (N, C), one row per sample. y_hat:
    predicted probabilities of the same shape (each row sums to 1, every
    entry > 0). Sum over the C classes, mean over the N = y.shape[0] rows
    (NOT over all N * C entries). Returns a single number.
    """
    raise NotImplementedError


def categorical_cross_entropy_grad(y, y_hat):
    """Gradient of categorical_cross_entropy with respect to y_hat (the probabilities):

        d cce / d y_hat[n, c] = -y[n, c] / y_hat[n, c] / N      (N = y.shape[0])

    Array of shape (N, C): zero where y = 0. ((y_hat - y) / N is the gradient
    with respect to the logits of a softmax, not the probabilities.)
    """
    raise NotImplementedError


# ---------------------------------------------------------------- the notes' cost


def sum_squares_cost(y, y_hat):
    """The course notes' cost function: a SUM, not a mean.

        cost = sum (y - y_hat)**2     over all elements

    Returns a single number.
    """
    raise NotImplementedError


def sum_squares_cost_grad(y, y_hat):
    """Gradient of sum_squares_cost with respect to y_hat.

        d cost / d y_hat = 2 * (y_hat - y)      (no 1/n: the cost is a sum)

    Array of y_hat's shape.
    """
    raise NotImplementedError
