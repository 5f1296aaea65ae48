"""Eager execution and GradientTape.

Outside a tg.function, an op on concrete values runs at once through a
compiled kernel, cached by op, argument signature and attributes. Results are
EagerTensors (numpy arrays with tg operators). A GradientTape records the
eager ops run while it is active (and, inside a tg.function, sees the traced
graph); tape.gradient replays the recorded subgraph from the watched values
to the target as a traced function and differentiates it with the tg.grad op,
so the compiler, not Python, computes every gradient.
"""
import numpy as np

_tapes = []  # active GradientTapes, innermost last
_kernels = {}  # (op, signature, attributes) -> compiled tg.function


class EagerTensor:
    """A concrete tensor outside tg.function, with tg's operators."""

    def __init__(self, value):
        self.value = np.asarray(value)

    def numpy(self):
        return self.value

    def __array__(self, dtype=None, copy=None):
        return self.value if dtype is None else self.value.astype(dtype)

    @property
    def shape(self):
        return self.value.shape

    @property
    def dtype(self):
        return self.value.dtype

    def __repr__(self):
        return "tg.EagerTensor(%r)" % (self.value,)

    def __float__(self):
        return float(self.value)

    def __bool__(self):
        return bool(self.value)


def _plain(x):
    """The numpy value of an eager argument (lists of them for concat)."""
    if isinstance(x, EagerTensor):
        return x.value
    if isinstance(x, (list, tuple)) and any(isinstance(v, EagerTensor) for v in x):
        return [_plain(v) for v in x]
    return x


def run_eager(op, args, kwargs):
    """Runs one op on concrete values through a cached compiled kernel."""
    from . import function
    values = [_plain(a) for a in args]
    # Flatten list arguments (concat) into array arguments of the kernel.
    flat, layout = [], []
    for v in values:
        if isinstance(v, list):
            layout.append(len(v))
            flat.extend(np.asarray(x) for x in v)
        elif isinstance(v, (np.ndarray, np.generic)):
            layout.append(-1)
            flat.append(v)
        else:
            layout.append(("value", v))
    key = (op.__name__, function._signature(flat), repr(layout), repr(sorted(kwargs.items())))
    kernel = _kernels.get(key)
    if kernel is None:
        def body(*xs, _layout=layout):
            it, rebuilt = iter(xs), []
            for entry in _layout:
                if entry == -1:
                    rebuilt.append(next(it))
                elif isinstance(entry, int):
                    rebuilt.append([next(it) for _ in range(entry)])
                else:
                    rebuilt.append(entry[1])
            return op(*rebuilt, **kwargs)
        body.__name__ = op.__name__
        kernel = _kernels[key] = function(body)
    out = EagerTensor(kernel(*flat))
    for tape in _tapes:
        tape._record(op, args, kwargs, out)
    return out


class GradientTape:
    """Records operations for differentiation, like tf.GradientTape.

        with tg.GradientTape() as tape:
            tape.watch(x)
            y = x * x * x
        tape.gradient(y, x)

    Trainable tg.Variables are watched automatically. A tape can be used for
    one gradient call unless persistent=True.
    """

    def __init__(self, persistent=False):
        self.persistent = persistent
        self._records = []
        self._watched = []
        self._used = False
        self._graph = None

    def __enter__(self):
        from . import _current
        self._graph = _current[-1] if _current else None
        _tapes.append(self)
        return self

    def __exit__(self, *exc):
        _tapes.remove(self)
        return False

    def watch(self, x):
        self._watched.append(x)

    def _record(self, op, args, kwargs, out):
        self._records.append((op, args, kwargs, out))

    def gradient(self, target, sources):
        from . import Tensor, TgError, _trace_gradient_of_subgraph, value_and_grad
        if self._used and not self.persistent:
            raise TgError("a non-persistent GradientTape can compute one gradient; "
                          "use GradientTape(persistent=True)")
        self._used = True
        single = not isinstance(sources, (list, tuple))
        srcs = [sources] if single else list(sources)
        if isinstance(target, Tensor):
            grads = _trace_gradient_of_subgraph(target, srcs)
            return grads[0] if single else grads
        # Eager: replay the records from the sources to the target as a
        # function of the sources, and differentiate it with tg.grad.
        records = list(self._records)

        def replay(*xs):
            env = {id(s): x for s, x in zip(srcs, xs)}

            def lookup(a):
                if isinstance(a, EagerTensor):
                    return env.get(id(a), a.value)
                if isinstance(a, (list, tuple)):
                    return [lookup(v) for v in a]
                return a
            for op, args, kwargs, out in records:
                env[id(out)] = op(*[lookup(a) for a in args], **kwargs)
            result = env.get(id(target))
            if result is None:  # the target does not depend on the sources
                from . import reduce_sum
                return reduce_sum(xs[0]) * 0.0
            return result
        replay.__name__ = "tape"
        _, grads = value_and_grad(replay, argnums=tuple(range(len(srcs))))(
            *[np.asarray(_plain(s)) for s in srcs])
        independent = id(target) not in {id(r[3]) for r in records}
        watched = {id(w) for w in self._watched}
        # TensorFlow's rule: a source the tape did not watch (and that is not
        # a trainable Variable) gets None.
        grads = [EagerTensor(np.zeros_like(g) if independent else g)
                 if id(s) in watched or (isinstance(s, Variable) and s.trainable)
                 else None for s, g in zip(srcs, grads)]
        return grads[0] if single else grads


class Variable(EagerTensor):
    """A mutable eager tensor that GradientTapes watch automatically."""

    def __init__(self, value, trainable=True):
        super().__init__(np.array(value, dtype=np.asarray(value).dtype))
        self.trainable = trainable

    def assign(self, value):
        self.value = np.asarray(_plain(value), dtype=self.value.dtype).copy()

    def assign_sub(self, delta):
        self.assign(self.value - np.asarray(_plain(delta)))
