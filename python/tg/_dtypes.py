"""dtypes, and the one rule that gives Python values a dtype.

tg's dtypes are numpy dtypes (so numpy dtypes are accepted wherever tg's
are). `bfloat16`, which numpy lacks, is numpy's raw 2-byte type `V2`, as the
C API exchanges it.

The rule (TensorFlow's): a Python float, or a list of them, is float32; a
Python int is int32; a Python bool is bool; numpy values keep their dtype.
Next to a tensor, a Python scalar (or a numpy value that is not a tensor)
takes the tensor's dtype when it converts exactly, and is an error
otherwise (`int32_tensor + 0.5` raises, as in TF).
"""
import numpy as np

from ._errors import TgError, TgTypeError, error

float32 = np.dtype(np.float32)
float64 = np.dtype(np.float64)
float16 = np.dtype(np.float16)
bfloat16 = np.dtype("V2")
int32 = np.dtype(np.int32)
int64 = np.dtype(np.int64)
bool = np.dtype(np.bool_)  # noqa: A001 (tg.bool, as tf.bool)

MLIR_NAMES = {float32: "f32", float64: "f64", float16: "f16", bfloat16: "bf16",
              bool: "i1", int32: "i32", int64: "i64"}
SUPPORTED = ", ".join(["float32", "float64", "float16", "bfloat16", "int32", "int64",
                       "bool"])


def name(dtype):
    """The dtype's tg name ("bfloat16", not numpy's "|V2")."""
    return "bfloat16" if dtype == bfloat16 else str(dtype)


def is_float(dtype):
    """Whether tg differentiates and computes float math on `dtype`: float16,
    float32, float64 and bfloat16 (numpy's raw kind 'V', which a test of
    `dtype.kind == "f"` misses)."""
    return dtype.kind == "f" or dtype == bfloat16


def as_dtype(dtype):
    """The tg dtype for a tg/numpy dtype or its name; TgTypeError otherwise."""
    if dtype is None:
        return None
    try:
        d = bfloat16 if dtype == "bfloat16" else np.dtype(dtype)
    except TypeError:
        d = None
    if d is None or d not in MLIR_NAMES:
        raise error("tg has no dtype %r (it has %s)" % (dtype, SUPPORTED), TgTypeError, None)
    return d


def required_dtype(dtype, op):
    """as_dtype for an argument that must name a dtype (tf.cast, tf.zeros,
    ...): None is an error there, as in TF, not "no dtype"."""
    if dtype is None:
        raise error("tg.%s needs a dtype, got None" % op, TgTypeError, None)
    return as_dtype(dtype)


def asarray(value):
    """np.asarray of a user's value; a ragged nested list (or anything else
    numpy cannot make an array of) is a TgTypeError, not numpy's ValueError."""
    try:
        return np.asarray(value)
    except (ValueError, TypeError) as e:
        raise error("cannot convert %s to a tensor: %s" % (
            _short(value), str(e).split(".")[0]), TgTypeError, None) from None


def _short(value):
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _default_array(value):
    """A numpy array for a non-tensor value, with TF's default dtypes."""
    arr = asarray(value)
    if not arr.dtype.isnative:
        arr = arr.astype(arr.dtype.newbyteorder("="))
    if arr.dtype == np.float64 and not isinstance(value, (np.ndarray, np.generic)):
        return arr.astype(np.float32)  # Python floats and lists of them
    if arr.dtype == np.int64 and not isinstance(value, (np.ndarray, np.generic)):
        if arr.size and (arr.max() > 2**31 - 1 or arr.min() < -2**31):
            raise error("the Python integer %s does not fit in int32 (tg's default "
                        "integer type); make it an int64 tensor" % (value,), TgError, None)
        return arr.astype(np.int32)  # Python ints
    return arr



def array(value, dtype):
    """`value` (a number or an array) as a numpy array of `dtype`. Use it, not
    np.array(value, dtype) or .astype(dtype), wherever dtype may be bfloat16:
    those take a float's raw bytes as the V2 value (1.0 became the denormal
    0x0101, 1e-40). Here bfloat16 is rounded to nearest even."""
    if isinstance(value, (np.ndarray, np.generic)):
        value = np.asarray(value)  # (a 0-d bfloat16 tensor's .numpy() is np.void)
        if value.dtype == bfloat16:
            if dtype == bfloat16:
                return value
            value = from_bfloat16(value)
    with np.errstate(over="ignore"):  # (1e300 is inf in float32, as in numpy)
        return to_bfloat16(value) if dtype == bfloat16 else np.array(value, dtype)


def to_numbers(a):
    """A numpy array whose numbers numpy can read: bfloat16 (raw V2) as
    float32, anything else as it is."""
    a = np.asarray(a) if isinstance(a, np.generic) else a
    return from_bfloat16(a) if a.dtype == bfloat16 else a


def to_bfloat16(values):
    """float values as bfloat16 bits (round to nearest even), as raw V2."""
    f = np.asarray(values, np.float32)
    u = f.view(np.uint32).astype(np.uint64)
    sixteen, one = np.uint64(16), np.uint64(1)
    rounded = ((u + np.uint64(0x7FFF) + ((u >> sixteen) & one)) >> sixteen).astype(
        np.uint16)
    rounded = np.where(np.isnan(f), np.uint16(0x7FC0), rounded)
    return np.ascontiguousarray(rounded).view(bfloat16).reshape(f.shape)


def from_bfloat16(bits):
    """bfloat16 (raw V2) values as float32."""
    b = np.ascontiguousarray(bits).view(np.uint16).astype(np.uint32) << 16
    return b.view(np.float32).reshape(np.shape(bits))


def to_array(value, dtype=None, exact=False):
    """`value` (a Python or numpy value) as a numpy array of a tg dtype.

    With `dtype`: converted to it; `exact` requires the conversion to keep
    every value (the rule for a Python scalar next to a tensor)."""
    if dtype is None:
        arr = _default_array(value)
    else:
        source = asarray(value)
        if source.dtype.kind in "OUS":
            raise error("cannot convert %r to a tensor" % (value,), TgTypeError, None)
        if dtype == bfloat16 and source.dtype != bfloat16:
            return to_bfloat16(source)
        if source.dtype == bfloat16 and dtype != bfloat16:
            source = from_bfloat16(source)
        with np.errstate(all="ignore"):
            arr = source.astype(dtype) if source.dtype != dtype else source
        if exact and source.dtype != dtype and dtype != bfloat16 and not (
                source.dtype.kind == "f" and dtype.kind == "f"):
            # (float to float: rounding is the conversion TF does)
            if source.dtype.kind == "b":
                same = dtype == bool
            else:
                with np.errstate(all="ignore"):
                    same = np.array_equal(arr.astype(source.dtype), source,
                                          equal_nan=source.dtype.kind == "f")
            if not same:
                raise error("cannot convert %r to a %s tensor exactly (TF's rule: a "
                            "value takes a dtype, given or the other operand's, only "
                            "when no information is lost; convert with tg.cast)" %
                            (value, dtype), TgTypeError, None)
    if arr.dtype not in MLIR_NAMES:
        raise error("dtype %s is not a tg dtype (tg has %s)" % (arr.dtype, SUPPORTED),
                    TgTypeError, None)
    return arr
