"""tg.math: TensorFlow's tf.math namespace (the elementwise, reduction and
scan ops; the ones TF also has at the top level are the same functions as
tg.xxx)."""
from ._ops import (  # noqa: F401 (re-exports)
    abs, add, add_n, argmax, argmin, ceil, cos, cumprod, cumsum, divide, elu, equal, erf,
    exp, expm1, floor, floordiv, floormod, gelu, greater, greater_equal, is_finite,
    is_inf, is_nan, leaky_relu, less, less_equal, log, log1p, log_softmax, logical_and,
    logical_not, logical_or, logical_xor, maximum, minimum, mod, multiply, negative,
    not_equal, pow, reciprocal, reduce_all, reduce_any, reduce_logsumexp, reduce_max,
    reduce_mean, reduce_min, reduce_prod, reduce_std, reduce_sum, reduce_variance, relu,
    rsqrt, selu, sigmoid, sign, silu, sin, softmax, softplus, sqrt, square,
    squared_difference, subtract, tanh, top_k, truediv, TopKV2)
from ._ops import round_ as round  # noqa: A004

__all__ = [
    "abs", "add", "add_n", "argmax", "argmin", "ceil", "cos", "cumprod", "cumsum",
    "divide", "elu", "equal", "erf", "exp", "expm1", "floor", "floordiv", "floormod",
    "gelu", "greater", "greater_equal", "is_finite", "is_inf", "is_nan", "leaky_relu",
    "less", "less_equal", "log", "log1p", "log_softmax", "logical_and", "logical_not",
    "logical_or", "logical_xor", "maximum", "minimum", "mod", "multiply", "negative",
    "not_equal", "pow", "reciprocal", "reduce_all", "reduce_any", "reduce_logsumexp",
    "reduce_max", "reduce_mean", "reduce_min", "reduce_prod", "reduce_std", "reduce_sum",
    "reduce_variance", "relu", "round", "rsqrt", "selu", "sigmoid", "sign", "silu", "sin",
    "softmax", "softplus", "sqrt", "square", "squared_difference", "subtract", "tanh",
    "top_k", "truediv", "TopKV2",
]
