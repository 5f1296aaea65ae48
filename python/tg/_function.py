"""`tg.function`: tracing Python into a compiled graph, cached by signature.

A call binds its arguments to the function's parameters (keywords, defaults)
and flattens them (nested lists, tuples and dicts) into leaves. This is the
one argument-normalization path of the package. The cache key is the
structure plus, per leaf, the shape and dtype of tensors and numpy arrays,
the shape and dtype of Variables, and the value of anything else (TF's
rule), and the device the call runs on. A miss traces the function
(converted by AutoGraph unless `autograph=False`) into a `Graph`, compiles
it for that device and keeps it (at most `_MAX_TRACES` per function, oldest
dropped).

The device is `tg.function(device=...)`, else the `tg.device` scope of the
call (TF: of the trace; the cache keeps one trace per device). On the GPU
the compiled code runs on device buffers: GPU tensors and Variables pass
with no copy, host values are copied in, the results are GPU tensors, and
the Variables it assigns take the result buffers (so a training step on
the GPU never goes through host memory).

Results may be any nesting of tuples, lists, dicts, None and tensors;
tensors come back as eager `tg.Tensor`s. Variables read inside are
implicit arguments, read at each call; those assigned are extra results,
written back after the call. A tg.function called while another is being
traced is inlined into the caller's graph.

Tracing holds a per-function lock; calls do not, and the compiled code runs
without the GIL, so several threads may call one function at once.
"""
import collections
import inspect
import threading
import warnings

import numpy as np

from . import _capi, _device, _dtypes, _eager, _graph, _ops, profiler
from ._errors import TgTypeError, error
from ._tensor import DeviceTensor, EagerTensor, SymbolicTensor, Tensor, TensorSpec
from ._variables import Variable

_MAX_TRACES = 64
_RETRACE_WARNING = 5


class _Config:
    run_eagerly = False


config_state = _Config()


def autograph_convert(fn):
    """fn converted by AutoGraph (or fn itself when it cannot be)."""
    try:
        from . import autograph
    except ImportError:
        return fn
    return autograph.convert(fn)


def _structure(x):
    """(leaves, hashable structure) of nested lists/tuples/dicts."""
    leaves = []

    def walk(s):
        if type(s) in (list, tuple):
            return (type(s).__name__,) + tuple(walk(v) for v in s)
        if type(s) is dict:
            try:
                keys = sorted(s)
            except TypeError:
                raise error("dict arguments need sortable keys", TgTypeError) from None
            return ("dict",) + tuple((k, walk(s[k])) for k in keys)
        if isinstance(s, tuple) and hasattr(s, "_fields"):
            return (type(s),) + tuple(walk(v) for v in s)
        leaves.append(s)
        return None
    return leaves, walk(x)


def _rebuild(structure, it):
    if structure is None:
        return next(it)
    head = structure[0]
    if head == "list":
        return [_rebuild(s, it) for s in structure[1:]]
    if head == "tuple":
        return tuple(_rebuild(s, it) for s in structure[1:])
    if head == "dict":
        return {k: _rebuild(s, it) for k, s in structure[1:]}
    return head(*[_rebuild(s, it) for s in structure[1:]])


def _leaf_key(x, where):
    t = type(x)
    if t is EagerTensor:
        return ("T", x._value.shape, x._value.dtype)
    if t is DeviceTensor:
        return ("T", x.shape, x.dtype)
    if t is np.ndarray or isinstance(x, np.generic):
        dtype = x.dtype
        if dtype not in _dtypes.MLIR_NAMES:
            if dtype.kind in "iufb" and dtype.newbyteorder("=") in _dtypes.MLIR_NAMES:
                dtype = dtype.newbyteorder("=")
            else:
                raise error("%s has dtype %s, which tg does not support (it supports %s)"
                            % (where(), dtype, _dtypes.SUPPORTED), TgTypeError)
        return ("T", x.shape, dtype)
    if t is Variable:
        return ("V", x.shape, x.dtype)
    if t is SymbolicTensor:
        raise error("a traced tensor is passed to a compiled call outside its trace")
    try:
        hash(x)
    except TypeError:
        return ("id", id(x))
    return ("P", t, x)


def _flat_key(args):
    """The key of a call whose arguments are all tensors or ndarrays (the
    short per-call path), or None."""
    key = []
    for a in args:
        t = type(a)
        if t is EagerTensor:
            key.append((a._value.shape, a._value.dtype))
        elif t is np.ndarray:
            key.append((a.shape, a.dtype, 0))
        elif t is DeviceTensor:
            key.append((a.shape, a.dtype, 1))
        else:
            return None
    return tuple(key)


def _leaf_array(x, dtype):
    if isinstance(x, EagerTensor):
        return x._value
    a = np.asarray(x)
    if a.dtype != dtype:
        a = a.astype(dtype)
    return a


def _on_target(flat_key, target):
    """The cache key of an all-tensor call on `target`: the CPU's is the
    signature alone (the common call builds nothing more)."""
    return (_capi.compile_key(target),) + flat_key if target else flat_key


def _leaf_buffer(x, dtype, target):
    """A tensor argument as a DeviceBuffer of `target` (no copy for a tensor
    already there)."""
    if isinstance(x, EagerTensor):
        return _eager.buffer_on(x, target)
    return _capi.DeviceBuffer.from_host(target, _leaf_array(x, dtype))


class ConcreteFunction:
    """One trace of a tg.function, compiled."""

    def __init__(self, fn, leaves, keys, structure, name, target=_capi.TARGET_CPU):
        self.target = target  # TG_TARGET_*: where it compiles for and runs
        g = _graph.Graph()
        self.n_leaves = len(leaves)
        call_leaves, self.param_leaves = [], []
        arg_vars, stand_ins = {}, {}
        for i, (x, k) in enumerate(zip(leaves, keys)):
            if k[0] == "T":
                call_leaves.append(g.parameter(k[1], k[2]))
                self.param_leaves.append((i, k[2]))
            elif k[0] == "V":
                # A Variable argument is traced as a stand-in of its own
                # (one per distinct Variable), so that the trace keeps it
                # apart from the Variables the function captures: the trace
                # serves any Variable passed there. When the call does pass
                # a captured one (the key then holds its identity), the
                # Variable itself: one state.
                if k[4] is None:
                    if id(x) not in stand_ins:
                        stand_ins[id(x)] = Variable(x._tensor, trainable=x.trainable,
                                                    name=x.name)
                    x = stand_ins[id(x)]
                arg_vars[id(x)] = i
                call_leaves.append(x)
            else:
                call_leaves.append(x)
        args, kwargs = _rebuild(structure, iter(call_leaves))
        with _graph.tracing(g):
            out = fn(*args, **kwargs)
            out_leaves, self.out_structure = _structure(out)
            outputs = []  # per output leaf: ("r", index) or ("static", value)
            results, index = [], {}

            def result(t):
                # Aliases (Variable reads, stop_gradient) print as the value
                # they alias: one result per distinct value.
                while t.node is not None and t.node.op == "alias":
                    t = t.node.operands[0]
                if id(t) not in index:
                    index[id(t)] = len(results)
                    results.append(t)
                return index[id(t)]
            for o in out_leaves:
                if isinstance(o, (Tensor, Variable)):
                    t = _ops._symbolic(g, o)
                    g.check_visible(t)
                    outputs.append(("r", result(t)))
                else:
                    outputs.append(("static", o))
            self.outputs = outputs
            self.var_writes = []
            for var, value in g.assigned_variables():
                param = g._implicit_index.get(id(var))
                if value is param:
                    continue
                ref = ("arg", arg_vars[id(var)]) if id(var) in arg_vars else ("var", var)
                self.var_writes.append((ref, result(value)))
            self.prints = [([(kind, result(v) if kind == "tensor" else v)
                             for kind, v in parts], sep, end, stream)
                           for parts, sep, end, stream in g.prints]
        self.implicit = []
        # (The captured Variables are held by self.implicit: their ids stay
        # theirs.)
        self.captured_ids = {id(obj) for kind, obj, _ in g.implicit
                             if kind == "var" and id(obj) not in arg_vars}
        for kind, obj, _ in g.implicit:
            if kind == "var":
                self.implicit.append(("arg", arg_vars[id(obj)]) if id(obj) in arg_vars
                                     else ("var", obj))
            else:
                self.implicit.append(("capture", obj))  # an eager tensor
        self.text = g.module_text("main", results)
        # @main's signature (tg.saved_model wraps it).
        self.arg_types = [t.type for t in g.params + [t for _, _, t in g.implicit]]
        self.result_types = [t.type for t in results]
        self.graph = g
        self.name = name
        self.exe = None

    def captures_any_of(self, leaves):
        """Whether one of `leaves` is a Variable this trace captured (read
        from the closure, as state of its own)."""
        return bool(self.captured_ids) and any(
            type(x) is Variable and id(x) in self.captured_ids for x in leaves)

    def compile(self):
        # The thread count is fixed now: the profiled version, compiled
        # later, uses the same (tg.set_num_threads may have changed since).
        self.threads = _capi.num_threads
        self.exe = _capi.Executable(self.text, name=self.name, threads=self.threads,
                                    profile_name=self.name, target=self.target)
        self.run = self.exe.fast if self.exe.fast is not None else self.exe
        # GPU: the captured tensors' buffers, copied in on first use (they
        # never change).
        self._captured = {}
        self._profiled = None
        self._profile_lock = threading.Lock()
        # Every leaf a tensor argument, results one tensor or a flat tuple of
        # distinct tensors, no Variables, captures or prints.
        outs = [v for kind, v in self.outputs]
        self.single = self.out_structure is None
        self.plain = (not self.target and
                      len(self.param_leaves) == self.n_leaves and not self.implicit and
                      not self.var_writes and not self.prints and
                      all(kind == "r" for kind, _ in self.outputs) and
                      outs == list(range(len(outs))) and
                      (self.single or self.out_structure == ("tuple",) + (None,) * len(outs)))

    def _executables(self):
        """(run, exe): the compiled call and its executable; while a
        tg.profiler.trace records, the version whose kernels time
        themselves (compiled on first use)."""
        if not profiler.active():
            return self.run, self.exe
        with self._profile_lock:
            if self._profiled is None:
                exe = _capi.Executable(self.text, name=self.name, threads=self.threads,
                                       profile=True, profile_name=self.name,
                                       target=self.target)
                self._profiled = (exe.fast if exe.fast is not None else exe, exe)
        return self._profiled

    def __call__(self, leaves):
        if self.plain:
            # Tensors in, tensors out, no state: the per-call path of small
            # graphs, kept short.
            # (The profiler's test inline: this path is the per-call cost.)
            run, exe = (self.run, self.exe) if profiler._active is None else \
                self._executables()
            results = run(*[x._value if type(x) is EagerTensor else x
                            for x in leaves])
            if results is NotImplemented:
                results = exe(*[_leaf_array(leaves[i], dtype)
                                for i, dtype in self.param_leaves])
            if self.single:
                return EagerTensor(results[0])
            return tuple([EagerTensor(r) for r in results])
        run = self._run_device if self.target else self._run
        if not self.var_writes:
            return run(leaves)
        # A call that updates Variables is atomic with respect to other
        # updates of them (TF's assign ops are): their locks, in one order.
        variables = {}
        for kind, obj in self.implicit:
            if kind != "capture":
                var = obj if kind == "var" else leaves[obj]
                variables[id(var)] = var
        locks = [variables[k]._lock for k in sorted(variables)]
        for lock in locks:
            lock.acquire()
        try:
            return run(leaves)
        finally:
            for lock in reversed(locks):
                lock.release()

    def _run(self, leaves):
        arrays = [_leaf_array(leaves[i], dtype) for i, dtype in self.param_leaves]
        for kind, obj in self.implicit:
            if kind == "var":
                arrays.append(obj._value)
            elif kind == "arg":
                arrays.append(leaves[obj]._value)
            else:
                arrays.append(obj._value)
        run, exe = self._executables()
        results = run(*arrays)
        if results is NotImplemented:
            results = exe(*arrays)
        for (kind, obj), i in self.var_writes:
            (obj if kind == "var" else leaves[obj])._set_value(results[i])
        for parts, sep, end, stream in self.prints:
            print(*[str(_dtypes.to_numbers(results[v])) if kind == "tensor" else v
                    for kind, v in parts],
                  sep=sep, end=end, file=stream)
        out = [EagerTensor(results[v]) if kind == "r" else v for kind, v in self.outputs]
        return _rebuild(self.out_structure, iter(out))

    def _run_device(self, leaves):
        """A call of GPU code: on device buffers, results left there."""
        target = self.target
        buffers = [_leaf_buffer(leaves[i], dtype, target) for i, dtype in self.param_leaves]
        for k, (kind, obj) in enumerate(self.implicit):
            if kind == "var":
                buffers.append(obj._buffer_on(target))
            elif kind == "arg":
                buffers.append(leaves[obj]._buffer_on(target))
            else:
                b = self._captured.get(k)
                if b is None:
                    b = self._captured[k] = _eager.buffer_on(obj, target)
                buffers.append(b)
        _, exe = self._executables()
        results = exe.run_device(buffers)
        for (kind, obj), i in self.var_writes:
            (obj if kind == "var" else leaves[obj])._set_buffer(results[i])
        for parts, sep, end, stream in self.prints:
            print(*[str(_dtypes.to_numbers(results[v].to_host())) if kind == "tensor" else v
                    for kind, v in parts], sep=sep, end=end, file=stream)
        out = [DeviceTensor(results[v]) if kind == "r" else v for kind, v in self.outputs]
        return _rebuild(self.out_structure, iter(out))


class Function:
    """A Python function traced per input signature and run compiled
    (tf.function)."""

    def __init__(self, python_function, input_signature=None, autograph=True,
                 jit_compile=True, name=None, reduce_retracing=False, device=None):
        if not callable(python_function):
            raise error("tg.function expects a callable, got %r" % (python_function,),
                        TgTypeError)
        self.python_function = python_function
        self._autograph = bool(autograph)
        self._body = None
        self.__name__ = name or getattr(python_function, "__name__", "function")
        self.__doc__ = getattr(python_function, "__doc__", None)
        self.__wrapped__ = python_function
        self._cache = collections.OrderedDict()
        self._flat = {}  # signature of all-tensor positional calls -> concrete
        self._lock = threading.RLock()
        self.trace_count = 0
        try:
            self._signature = inspect.signature(python_function)
        except (TypeError, ValueError):
            self._signature = None
        params = list(self._signature.parameters.values()) if self._signature else []
        self._simple = self._signature is not None and all(
            p.kind == p.POSITIONAL_OR_KEYWORD and p.default is p.empty for p in params)
        self._nparams = len(params)
        # The device it runs on (CPU or GPU), or None: the tg.device scope
        # of each call decides.
        self._device = _device.parse(device) if device is not None else None
        self.input_signature = None
        if input_signature is not None:
            if not isinstance(input_signature, (list, tuple)):
                raise error("input_signature must be a list of tg.TensorSpec, got %r" %
                            (input_signature,), TgTypeError)
            specs = list(input_signature)
            for s in specs:
                if not isinstance(s, TensorSpec):
                    raise error("input_signature must be a list of tg.TensorSpec, got %r"
                                % (s,), TgTypeError)
            self.input_signature = specs

    # Descriptor: methods decorated with @tg.function bind their instance.
    def __get__(self, instance, owner):
        if instance is None:
            return self
        bound = self.__dict__.setdefault("_bound", {})
        f = bound.get(id(instance))
        if f is None:
            method = self.python_function.__get__(instance, owner)
            f = Function(method, self.input_signature, self._autograph, name=self.__name__,
                         device=self._device)
            bound[id(instance)] = f
        return f

    def _python_body(self):
        if self._body is None:
            self._body = autograph_convert(self.python_function) if self._autograph \
                else self.python_function
        return self._body

    def _bind(self, args, kwargs):
        """(args, kwargs) in canonical form: defaults applied, keywords that
        name positional parameters made positional."""
        if not kwargs and self._simple and len(args) == self._nparams:
            return args, {}
        if self._signature is None:
            return tuple(args), dict(kwargs)
        try:
            bound = self._signature.bind(*args, **kwargs)
        except TypeError as e:
            raise error("%s(): %s" % (self.__name__, e), TgTypeError) from None
        bound.apply_defaults()
        return tuple(bound.args), dict(bound.kwargs)

    def _apply_signature(self, args):
        specs = self.input_signature
        if len(args) != len(specs):
            raise error("%s: input_signature has %d tensors but the call passes %d "
                        "arguments" % (self.__name__, len(specs), len(args)), TgTypeError)
        out = []
        for i, (a, s) in enumerate(zip(args, specs)):
            if isinstance(a, Variable):
                a = a.read_value()
            if isinstance(a, (Tensor, np.ndarray, np.generic)):
                if tuple(a.shape) != s.shape or a.dtype != s.dtype:
                    raise error("%s: argument %d is %s %s, but input_signature says %s" % (
                        self.__name__, i, tuple(a.shape), a.dtype, s), TgTypeError)
            else:
                a = _dtypes.to_array(a, s.dtype, exact=True)
                if a.shape != s.shape:
                    raise error("%s: argument %d has shape %s, but input_signature says %s"
                                % (self.__name__, i, a.shape, s), TgTypeError)
            out.append(a)
        return tuple(out)

    def _target(self):
        """The target this call compiles for and runs on (TG_TARGET_*)."""
        if self._device is None:
            return _device.current_target()
        return _device.target_of(self._device)

    def _eagerly(self, fn, args, kwargs):
        """fn run op by op, on the function's own device if it has one."""
        if self._device is None:
            return fn(*args, **kwargs)
        with _device.device(self._device):
            return fn(*args, **kwargs)

    def __call__(self, *args, **kwargs):
        if not kwargs and self._flat:
            # The common call: every argument a tensor or an ndarray.
            key = _flat_key(args)
            if key is not None and _graph.current() is None and \
                    not config_state.run_eagerly and not _eager.active_tapes():
                if _device.active or self._device is not None:
                    key = _on_target(key, self._target())
                concrete = self._flat.get(key)
                if concrete is not None:
                    return concrete(args)
        if config_state.run_eagerly:
            if self.input_signature is not None and not kwargs:
                args = self._apply_signature(args)
            return self._eagerly(self.python_function, args, kwargs)
        if _graph.current() is not None:
            # Called from another function's trace: part of that graph
            # (which runs on the caller's device).
            return self._python_body()(*args, **kwargs)
        if _eager.active_tapes():
            # An eager GradientTape must see the function's ops (reads of
            # Variables included): run them one by one, recorded, through
            # the same (AutoGraph-converted) body. Same values, op by op.
            return self._eagerly(self._python_body(), args, kwargs)
        flat_key = _flat_key(args) if not kwargs and self._simple and \
            len(args) == self._nparams and self.input_signature is None else None
        target = self._target()
        concrete, leaves = self._concrete(args, kwargs, target)
        if flat_key is not None:
            self._flat[_on_target(flat_key, target)] = concrete
            if len(self._flat) > _MAX_TRACES:
                self._flat.clear()
        return concrete(leaves)

    def _call_leaves(self, args, kwargs):
        """(args, kwargs, leaves, structure, keys) of a call: arguments in
        canonical form and checked against the input_signature, their
        leaves, and each leaf's part of the cache key."""
        args, kwargs = self._bind(args, kwargs)
        if self.input_signature is not None:
            if kwargs:
                raise error("%s: a function with an input_signature takes positional "
                            "arguments" % self.__name__, TgTypeError)
            args = self._apply_signature(args)
        leaves, structure = _structure((args, kwargs))
        keys = [_leaf_key(x, lambda i=i: self._argument_name(args, kwargs, i))
                for i, x in enumerate(leaves)]
        return args, kwargs, leaves, structure, keys

    def _concrete(self, args, kwargs, target=_capi.TARGET_CPU):
        """The compiled trace for these arguments on `target` (traced now if
        new), and the arguments' leaves."""
        args, kwargs, leaves, structure, base = self._call_leaves(args, kwargs)
        keys = base
        if any(k[0] == "V" for k in base):
            keys = self._variable_keys(leaves, base, by_identity=False)
        key = (structure, tuple(keys), _capi.compile_key(target))
        concrete = self._cache.get(key)
        if concrete is None:
            concrete = self._trace(leaves, key[1], structure, key, args, kwargs, target)
        if concrete.captures_any_of(leaves):
            # Traced with Variable arguments apart from the captured ones;
            # this call passes one the function captures: one state, another
            # program. Traced again for these very Variables.
            key = (structure, tuple(self._variable_keys(leaves, base, by_identity=True)),
                   _capi.compile_key(target))
            concrete = self._cache.get(key) or \
                self._trace(leaves, key[1], structure, key, args, kwargs, target)
        return concrete, leaves

    @staticmethod
    def _variable_keys(leaves, keys, by_identity):
        """`keys` with what a trace depends on for each Variable argument:
        which earlier argument is the same Variable (one state, not two),
        and, `by_identity`, the Variable itself."""
        out, first = list(keys), {}
        for i, x in enumerate(leaves):
            if keys[i][0] == "V":
                out[i] = keys[i] + (first.setdefault(id(x), i),
                                    ("identity", id(x)) if by_identity else None)
        return out

    def memory_plan(self, *args, **kwargs):
        """How the call with these arguments holds its intermediate tensors
        (compiling it if it is new): a dict of `arena_bytes` (one arena per
        call, buffers whose lifetimes are disjoint share bytes),
        `lower_bound_bytes` (the most bytes live at once: no plan uses
        less; a parallel loop's buffers count once per worker thread),
        `separate_bytes` (the buffers allocated one by one), `buffers`, and
        `unplanned_bytes` (buffers with allocations of their own: small
        accumulators, dynamic shapes, buffers that escape their block).
        tg-run --report-memory prints the same."""
        concrete, _ = self._concrete(args, kwargs)
        return dict(concrete.exe.memory_plan) if concrete.exe.memory_plan else None

    def _trace(self, leaves, keys, structure, key, args, kwargs, target):
        with self._lock:
            concrete = self._cache.get(key)
            if concrete is not None:
                return concrete
            concrete = ConcreteFunction(self._python_body(), leaves, keys, structure,
                                        self.__name__, target)
            concrete.compile()
            self.trace_count += 1
            self._cache[key] = concrete
            if len(self._cache) > _MAX_TRACES:
                self._cache.popitem(last=False)
            if self.trace_count > _RETRACE_WARNING:
                self._warn_retracing(args, kwargs)
            return concrete

    def _argument_name(self, args, kwargs, leaf):
        names = []
        params = list(self._signature.parameters) if self._signature else []
        for i, a in enumerate(args):
            n = params[i] if i < len(params) else "args[%d]" % i
            names += [n] * max(len(_structure(a)[0]), 1 if _structure(a)[0] else 0)
        for k in sorted(kwargs):
            names += [k] * len(_structure(kwargs[k])[0])
        return "argument '%s'" % (names[leaf] if leaf < len(names) else leaf)

    def _warn_retracing(self, args, kwargs):
        keys = list(self._cache)
        varying = collections.Counter()
        for k in keys[-_RETRACE_WARNING - 1:]:
            for i, part in enumerate(k[1]):
                varying[(i, part)] += 1
        counts = collections.Counter(i for i, _ in varying)
        leaf = max(counts, key=lambda i: counts[i]) if counts else 0
        kinds = {k[1][leaf][0] for k in keys if leaf < len(k[1])}
        if kinds == {"V"}:
            advice = ("the Variables passed keep changing in how they alias each other "
                      "or the Variables the function captures (each pattern is a "
                      "program of its own): pass the same Variables")
        elif kinds <= {"T", "V"}:
            advice = ("its shape or dtype keeps changing, and each new shape traces and "
                      "compiles again: use a few fixed shapes (pad or batch)")
        else:
            advice = ("Python values are part of the cache key (TF's rule), so each new "
                      "value traces and compiles again: pass it as a tensor "
                      "(tg.constant) or fix it")
        warnings.warn("tg.function %r has been traced %d times; %s keeps changing: %s." % (
            self.__name__, self.trace_count, self._argument_name(args, kwargs, leaf),
            advice), stacklevel=4)

    def lower(self, *args, **kwargs):
        """The tg module text this call would compile."""
        args, kwargs = self._bind(args, kwargs)
        if self.input_signature is not None:
            args = self._apply_signature(args)
        leaves, structure = _structure((args, kwargs))
        keys = tuple(_leaf_key(x, lambda: "an argument") for x in leaves)
        return ConcreteFunction(self._python_body(), leaves, keys, structure,
                                self.__name__).text

    def graph(self, *args, stage="fused", format="dot", **kwargs):  # noqa: A002 (the spec's name)
        """The graph of the call with these arguments, drawn: Graphviz DOT
        text (`format="dot"`) or SVG (`"svg"`, through Graphviz's `dot`).
        Ops are nodes labelled with their source line; `stage` is "tg" (as
        traced), "optimized" (differentiated and optimized) or "fused"
        (the optimized graph with the kernels it is fused into as
        clusters). `tg-opt -tg-draw-graph=stage=...` draws a .mlir file."""
        if stage not in ("tg", "optimized", "fused"):
            raise error("unknown graph stage %r (expected 'tg', 'optimized' or "
                        "'fused')" % (stage,))
        if format not in ("dot", "svg"):
            raise error("unknown graph format %r (expected 'dot' or 'svg')" % (format,))
        # The module's entry is @main: drawn under the function's name (a
        # quoted symbol takes any name). The C API's errors already name
        # the user's line.
        name = self.__name__.replace("\\", "\\\\").replace('"', '\\"')
        text = self.lower(*args, **kwargs).replace(
            "func.func @main(", 'func.func @"%s"(' % name, 1)
        return _capi.draw_graph(text, self.__name__, stage, format)

    def experimental_get_tracing_count(self):
        return self.trace_count


def function(func=None, input_signature=None, autograph=True, jit_compile=True,
             reduce_retracing=False, experimental_autograph_options=None, name=None,
             device=None):
    """tf.function: `@tg.function`, `@tg.function(autograph=False)`, or
    `tg.function(f, input_signature=[tg.TensorSpec(...)])`. `device` ("GPU:0",
    "cpu", any tg.device spelling) fixes where it runs; by default the
    tg.device scope of each call decides."""
    def wrap(f):
        return Function(f, input_signature=input_signature, autograph=autograph,
                        jit_compile=jit_compile, name=name,
                        reduce_retracing=reduce_retracing, device=device)
    return wrap if func is None else wrap(func)


def run_functions_eagerly(run_eagerly):
    """Runs every tg.function's Python body eagerly (for debugging)."""
    config_state.run_eagerly = bool(run_eagerly)


def functions_run_eagerly():
    return config_state.run_eagerly

