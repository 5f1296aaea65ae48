"""Autodiff: `GradientTape`, `tg.grad`, `tg.value_and_grad`.

Every gradient is computed by the compiler (the `tg.grad` op and the
tape-to-gradient pass), never in Python:

- Inside a tg.function, a tape remembers the stretches of the graph's
  construction during which it was active. `gradient(y, x)` slices the graph
  backwards from y, through the nodes the tape recorded (including the
  scf.if/scf.while of tg.cond and tg.while_loop, and the tg.grad ops of
  inner tapes, so nested tapes give higher derivatives), outlines that slice
  into a private function of x and of the values it reads from outside
  (leaves), and emits `tg.grad` on it.
- Eagerly, a tape records each op run (_eager). `gradient` replays the ops
  between the sources and the target as a traced function of the sources
  and the leaves, taking the gradient there with a traced tape. The replay
  is keyed by the structure of the recorded ops (not by values), so a
  training loop that records the same ops at every step compiles its
  gradient once. The gradient is itself run as an eager op, so an outer
  tape records it: nested eager tapes give higher derivatives too.

Variables: a tape watches the reads of trainable Variables it records; the
gradient w.r.t. a Variable is the sum over those reads. Unconnected or
unwatched sources get None (TF's rule), or zeros with
`unconnected_gradients="zero"`.
"""
import builtins

import numpy as np

from . import _dtypes, _eager, _graph, _ops
from ._errors import TgTypeError, error
from ._tensor import EagerTensor, SymbolicTensor, Tensor
from ._variables import Variable


def flatten(structure):
    """The leaves of nested lists, tuples and dicts (dicts in key order)."""
    out = []
    stack = [structure]
    while stack:
        s = stack.pop()
        if isinstance(s, (list, tuple)):
            stack.extend(reversed(s))
        elif isinstance(s, dict):
            stack.extend(s[k] for k in reversed(sorted(s)))
        else:
            out.append(s)
    return out


def unflatten(structure, leaves):
    it = iter(leaves)

    def build(s):
        if isinstance(s, (list, tuple)):
            items = [build(v) for v in s]
            if isinstance(s, tuple) and hasattr(s, "_fields"):
                return type(s)(*items)
            return type(s)(items) if isinstance(s, tuple) else items
        if isinstance(s, dict):
            return {k: build(s[k]) for k in sorted(s)} if type(s) is dict else \
                type(s)((k, build(s[k])) for k in sorted(s))
        return next(it)
    return build(structure)


class GradientTape:
    """Records operations for differentiation (tf.GradientTape).

        with tg.GradientTape() as tape:
            y = x * x * x          # x a watched tensor or a trainable Variable
        tape.gradient(y, x)
    """

    def __init__(self, persistent=False, watch_accessed_variables=True):
        self._persistent = bool(persistent)
        self._watch_accessed = bool(watch_accessed_variables)
        self._graph = None
        self._intervals = []      # traced: [start, end] node sequence numbers
        self._watched = {}        # id -> tensor
        self._watched_at = {}     # id -> the op count (traced: graph seq) at its watch
        self._watched_vars = {}   # id -> Variable
        self._var_reads = []      # (Variable, tensor) recorded reads
        self._records = []        # eager: (name, builder, attrs, operands, results)
        self._used = False
        self._active = False

    # Recording ---------------------------------------------------------------
    def __enter__(self):
        if self._active:
            raise error("this GradientTape is already recording")
        g = _graph.current()
        if self._graph is not None and g is not self._graph:
            raise error("a GradientTape is used in one tg.function trace or eagerly, "
                        "not both")
        self._graph = g
        self._start()
        return self

    def _start(self):
        g = self._graph
        if g is not None:
            g.tapes.append(self)
            self._intervals.append([g.seq, None])
        else:
            _eager.active_tapes().append(self)
        self._active = True

    def _stop(self):
        g = self._graph
        if g is not None:
            g.tapes.remove(self)
            self._intervals[-1][1] = g.seq
        else:
            _eager.active_tapes().remove(self)
        self._active = False

    def __exit__(self, *exc):
        if self._active:
            self._stop()
        return False

    class _Paused:
        def __init__(self, tape):
            self.tape = tape

        def __enter__(self):
            if self.tape._active:
                self.tape._stop()
                self.resume = True
            else:
                self.resume = False

        def __exit__(self, *exc):
            if self.resume:
                self.tape._start()
            return False

    def stop_recording(self):
        """`with tape.stop_recording():` runs ops the tape does not record."""
        return GradientTape._Paused(self)

    def reset(self):
        """Forgets everything recorded so far."""
        self._records, self._var_reads, self._watched = [], [], {}
        self._watched_at = {}
        self._watched_vars = {}
        if self._graph is not None:
            self._intervals = [[self._graph.seq, None]] if self._active else []
        self._used = False

    def _record(self, name, builder, attrs, operands, results):
        self._records.append((name, builder, attrs, operands, results))

    def _note_variable_read(self, var, tensor):
        self._var_reads.append((var, tensor))

    def watch(self, tensor):
        """Makes the tape differentiate w.r.t. these tensors/Variables."""
        for t in flatten(tensor):
            if isinstance(t, Variable):
                self._watched_vars[id(t)] = t
            elif isinstance(t, Tensor):
                if not _dtypes.is_float(t.dtype):
                    continue  # TF ignores watches of non-float tensors
                if isinstance(t, EagerTensor) and self._graph is not None and \
                        _graph.current() is self._graph:
                    # A captured eager tensor, as in TF: an argument of the
                    # function that every later use in the trace reads
                    # (_ops._symbolic), differentiated as a watched input.
                    t = self._graph.implicit_input("capture", t, t.shape, t.dtype)
                if (type(t) is SymbolicTensor) != (self._graph is not None):
                    raise error("GradientTape.watch: a %s tensor on a tape recording %s" % (
                        "traced" if type(t) is SymbolicTensor else "eager",
                        "inside a tg.function" if self._graph else "eagerly"))
                self._watched[id(t)] = t
                # (the seq of the next traced op, or the index of the next record)
                self._watched_at.setdefault(id(t), self._graph.seq + 1 if self._graph is not None
                                            else len(self._records))
            else:
                raise error("GradientTape.watch expects tensors or Variables, got %r" %
                            (t,), TgTypeError)

    def watched_variables(self):
        seen, out = set(), []
        for v in list(self._watched_vars.values()) + [
                v for v, _ in self._var_reads if v.trainable and self._watch_accessed]:
            if id(v) not in seen:
                seen.add(id(v))
                out.append(v)
        return tuple(out)

    # Gradients ---------------------------------------------------------------
    def gradient(self, target, sources, output_gradients=None,
                 unconnected_gradients="none"):
        """d(sum of target)/d(sources), shaped like `sources` (any nesting of
        lists, tuples and dicts of tensors and Variables)."""
        if self._used and not self._persistent:
            raise error("a non-persistent GradientTape computes one gradient; use "
                        "tg.GradientTape(persistent=True) to call gradient() again")
        if unconnected_gradients not in ("none", "zero"):
            raise error("unconnected_gradients must be 'none' or 'zero'")
        self._used = True
        flat_sources = flatten(sources)
        for s in flat_sources:
            if not isinstance(s, (Tensor, Variable)):
                raise error("GradientTape.gradient: sources must be tensors or "
                            "Variables, got %r" % (s,), TgTypeError)
        targets = flatten(target)
        if not targets or builtins.any(not isinstance(t, (Tensor, Variable))
                                       for t in targets):
            raise error("GradientTape.gradient: the target must be a tensor (or a "
                        "list of them), got %r" % (target,), TgTypeError)
        ogs = flatten(output_gradients) if output_gradients is not None else None
        if ogs is not None and len(ogs) != len(targets):
            raise error("output_gradients must have one entry per target")
        for t, og in zip(targets, ogs or ()):
            shape = tuple(og.shape) if _ops.is_tensor_like(og) else np.shape(og)
            if og is not None and shape != tuple(t.shape):
                raise error("GradientTape.gradient: an output gradient has shape %s, its "
                            "target %s (they must be equal)" % (shape, tuple(t.shape)))
        for t in targets:
            if not _dtypes.is_float(t.dtype):
                raise error("GradientTape.gradient: the target has dtype %s; only "
                            "float targets are differentiable" % t.dtype, TgTypeError)
        if self._graph is not None:
            grads = self._traced_gradient(targets, ogs, flat_sources)
        else:
            grads = self._eager_gradient(targets, ogs, flat_sources)
        if not self._persistent and not self._active:
            # A used, finished, non-persistent tape lets its records go.
            self._records, self._var_reads = [], []
        if unconnected_gradients == "zero":
            grads = [g if g is not None else _ops.zeros(s.shape, s.dtype)
                     for g, s in zip(grads, flat_sources)]
        if not isinstance(sources, (list, tuple, dict)):
            return grads[0]
        return unflatten(sources, grads)

    def _eligible(self, var):
        if not _dtypes.is_float(var.dtype):
            return False  # integer Variables have no gradient (None, as TF)
        return id(var) in self._watched_vars or (var.trainable and self._watch_accessed)

    # Traced ------------------------------------------------------------------
    def _recorded(self, node):
        for start, end in self._intervals:
            if start < node.seq and (end is None or node.seq <= end):
                return True
        return False

    def _source_points(self, flat_sources):
        """For each source, the traced tensors that stand for it."""
        g = self._graph
        points = []
        for s in flat_sources:
            if isinstance(s, Variable):
                # The values the recorded reads saw (a read may be inside a
                # tg.cond branch; the value it reads is outside).
                values = {}
                for v, t in self._var_reads:
                    if v is s and self._recorded(t.node):
                        value = t.node.operands[0]
                        values.setdefault(id(value), value)
                points.append(list(values.values()) if self._eligible(s) else [])
            elif type(s) is SymbolicTensor:
                if s.region.graph is not g:
                    raise error("GradientTape.gradient: a source tensor comes from "
                                "another trace")
                ok = id(s) in self._watched or (s.node is not None and self._recorded(
                    s.node)) or (s.var_read is not None and self._eligible(s.var_read))
                points.append([s] if ok else [])
            else:
                # An eager tensor: watched, the argument that captured it;
                # else a constant of this graph.
                captured = g.captured(s)
                points.append([captured] if captured is not None and
                              id(captured) in self._watched else [])
        return points

    def _combined_target(self, targets, ogs):
        """One tensor to differentiate: the sum of the targets (each weighted by
        its output gradient), built as if recorded by this tape."""
        g = self._graph
        # (an eager target is its capture when watched, else a constant)
        targets = [t.read_value() if isinstance(t, Variable) else
                   _ops._symbolic(g, t) if isinstance(t, EagerTensor) else t for t in targets]
        if len(targets) == 1 and ogs is None:
            return targets[0]
        self._intervals.append([g.seq, None])
        try:
            total = None
            for i, t in enumerate(targets):
                if ogs is not None and ogs[i] is not None:
                    t = _ops.multiply(t, _ops.operand(ogs[i], t.dtype))
                s = _ops.reduce_sum(t)
                total = s if total is None else _ops.add(total, s)
            return total
        finally:
            self._intervals[-1][1] = g.seq

    def _traced_gradient(self, targets, ogs, flat_sources):
        g = self._graph
        if _graph.current() is not g:
            raise error("GradientTape.gradient is called outside the tg.function "
                        "trace the tape recorded")
        target = self._combined_target(targets, ogs)
        points = self._source_points(flat_sources)
        unique = {}
        for ps in points:
            for p in ps:
                unique.setdefault(id(p), p)
        grads_of = outline_gradient(g, target, list(unique.values()), self._recorded,
                                    self._watched_at)
        grads = []
        for ps in points:
            parts = [grads_of[id(p)] for p in ps if grads_of.get(id(p)) is not None]
            total = None
            for p in parts:
                total = p if total is None else _ops.add(total, p)
            grads.append(total)
        return grads

    # Eager -------------------------------------------------------------------
    def _eager_gradient(self, targets, ogs, flat_sources):
        records = self._records
        producer = {}
        for k, rec in enumerate(records):
            for i, r in enumerate(rec[4]):
                producer[id(r)] = (k, i)
        points = []
        for s in flat_sources:
            if isinstance(s, Variable):
                points.append([t for v, t in self._var_reads if v is s]
                              if self._eligible(s) else [])
            elif isinstance(s, EagerTensor):
                points.append([s] if id(s) in self._watched or id(s) in producer else [])
            else:
                raise error("GradientTape.gradient: a traced source on an eager tape",
                            TgTypeError)
        source_index = {}
        for ps in points:
            for p in ps:
                source_index.setdefault(id(p), (len(source_index), p))
        targets = [t.read_value() if isinstance(t, Variable) else t for t in targets]
        # The records between the sources and the targets, and the leaves.
        needed, reached, stack = set(), set(), list(targets)
        seen = set()
        while stack:
            t = stack.pop()
            if id(t) in seen:
                continue
            seen.add(id(t))
            if id(t) in source_index:
                reached.add(id(t))
                continue
            k = producer.get(id(t))
            if k is None:
                continue
            needed.add(k[0])
            stack.extend(records[k[0]][3])
        if not reached:
            return [None] * len(flat_sources)
        sources = [p for _, p in sorted(source_index.values(), key=lambda e: e[0])
                   if id(p) in reached]
        refs = {id(p): ("s", i) for i, p in enumerate(sources)}
        leaves, plan_records = [], []

        def ref_of(t):
            """A tensor's place in the replay: source, record result, or a
            leaf (an argument of the replay, added on first use)."""
            ref = refs.get(id(t))
            if ref is None:
                ref = refs[id(t)] = ("l", len(leaves))
                leaves.append(t)
            return ref
        for k in sorted(needed):
            name, builder, attrs, operands, results = records[k]
            _check_use_after_watch(k, operands, self._watched_at)
            operand_refs = [ref_of(o) for o in operands]
            for i, r in enumerate(results):
                refs.setdefault(id(r), ("r", len(plan_records), i))
            plan_records.append((builder, tuple(sorted(attrs.items())), tuple(operand_refs),
                                 len(results)))
        extra = []
        target_refs = [ref_of(t) for t in targets]
        og_refs = None
        if ogs is not None:
            og_refs = []
            for og, t in zip(ogs, targets):
                if og is None:
                    og_refs.append(None)
                    continue
                og_refs.append(("l", len(leaves) + len(extra)))
                extra.append(_ops.operand(og, t.dtype))
        plan = (tuple(plan_records), len(sources), tuple(target_refs),
                None if og_refs is None else tuple(og_refs))
        out = _eager.run("gradient", replay_gradient, sources + leaves + extra,
                         {"plan": plan})
        out = out if isinstance(out, list) else [out]
        grads_of = {id(p): g for p, g in zip(sources, out)}
        grads = []
        for ps in points:
            total = None
            for p in ps:
                g = grads_of.get(id(p))
                if g is not None:
                    total = g if total is None else _ops.add(total, g)
            grads.append(total)
        return grads


def replay_gradient(*xs, plan):
    """Builder of an eager tape's gradient: replays the recorded ops (traced)
    from the sources xs[:n] and leaves, and differentiates with a traced
    tape. Depends only on `plan`, so the kernel cache compiles it once per
    recorded op structure."""
    records, n, target_refs, og_refs = plan
    sources = list(xs[:n])
    env = []

    def lookup(ref):
        if ref[0] == "s":
            return sources[ref[1]]
        if ref[0] == "l":
            return xs[n + ref[1]]
        return env[ref[1]][ref[2]]
    with GradientTape() as tape:
        tape.watch(sources)
        for builder, attrs, refs, _ in records:
            out = builder(*[lookup(r) for r in refs], **dict(attrs))
            env.append(list(out) if isinstance(out, (list, tuple)) else [out])
    targets = [lookup(r) for r in target_refs]
    ogs = None if og_refs is None else [None if r is None else lookup(r) for r in og_refs]
    grads = tape.gradient(targets, sources, output_gradients=ogs,
                          unconnected_gradients="zero")
    return list(grads)


def _check_use_after_watch(position, operands, watched_at):
    """A recorded op that read a source before the tape watched it: TF
    does not differentiate that use (the op was recorded before the watch),
    tg's tapes would; refused rather than answered differently."""
    for o in operands:
        at = watched_at.get(id(o)) if watched_at else None
        if at is not None and position < at:
            raise error("GradientTape.gradient: a watched tensor was used on this tape "
                        "before tape.watch() was called on it; TensorFlow leaves such "
                        "uses out of the gradient and tg does not make that distinction: "
                        "call tape.watch() before the first use", TgTypeError)


def outline_gradient(g, target, sources, recorded, watched_at=None):
    """Emits `tg.grad` of the slice of g from `sources` to `target` through
    the nodes `recorded` accepts; {id(source): gradient} for the connected
    sources (others are absent). `watched_at`: the graph seq at which a
    watched source was watched (its earlier uses are refused)."""
    src_ids = {id(s) for s in sources}

    def cut(t):  # a value the slice does not look through
        n = t.node
        if n is None or not recorded(n):
            return True
        # Aliases are stop_gradient and Variable reads; a read passes the
        # gradient to the Variable's value when that value is a source.
        return n.op == "alias" and not (t.var_read is not None and
                                        id(n.operands[0]) in src_ids)

    # Nodes reachable from the target, without recursion (chains are long).
    reachable, stack, seen = {}, [target], set()
    while stack:
        t = stack.pop()
        if id(t) in seen:
            continue
        seen.add(id(t))
        if id(t) in src_ids or cut(t):
            continue
        n = t.node
        if id(n) not in reachable:
            reachable[id(n)] = n
            stack.extend(n.dependencies())
    depends = {}

    def dep(t):
        if id(t) in src_ids:
            return True
        if cut(t):
            return False
        return depends.get(id(t.node), False)
    slice_nodes = []
    for n in sorted(reachable.values(), key=lambda n: n.seq):
        if builtins.any(dep(d) for d in n.dependencies()):
            depends[id(n)] = True
            slice_nodes.append(n)
            _check_use_after_watch(n.seq, n.dependencies(), watched_at)
    if not dep(target):
        return {}
    reached, leaves, leaf_ids = [], [], set()
    reached_ids = set()
    if id(target) in src_ids:
        reached_ids.add(id(target))
    for n in slice_nodes:
        for d in n.dependencies():
            if id(d) in src_ids:
                reached_ids.add(id(d))
            elif not dep(d) and id(d) not in leaf_ids:
                leaf_ids.add(id(d))
                leaves.append(d)
    reached = [s for s in sources if id(s) in reached_ids]
    # Constants are copied into the function (the compiler folds them there)
    # rather than passed in.
    constants = [n.node for n in leaves if n.node is not None and
                 n.node.op == "tg.constant"]
    leaves = [n for n in leaves if n.node is None or n.node.op != "tg.constant"]
    args = reached + leaves
    p = _graph.Printer()
    for i, a in enumerate(args):
        p.names[id(a)] = "%%a%d" % i
    p.print_nodes(constants + slice_nodes, "  ")
    fname = "tape%d" % len(g.functions)
    g.functions.append("func.func private @%s(%s) -> %s {\n%s\n  return %s : %s\n}\n" % (
        fname, ", ".join("%%a%d: %s" % (i, a.type) for i, a in enumerate(args)),
        target.type, "\n".join(p.lines), p.name(target), target.type))
    results = g.emit("tg.grad", args, [(target.shape, target.dtype)] +
                     [(s.shape, s.dtype) for s in reached],
                     prefix="@%s(" % fname, attrs=") wrt %s" % list(range(len(reached))),
                     types="(%s) -> (%s)" % (", ".join(a.type for a in args), ", ".join(
                         [target.type] + [s.type for s in reached])))
    return {id(s): r for s, r in zip(reached, results[1:])}


# ---------------------------------------------------------------------------
# tg.grad and tg.value_and_grad
# ---------------------------------------------------------------------------

def _as_grad_argument(a, i):
    """JAX's rule: a Python float (or int) differentiated w.r.t. is a float32
    tensor."""
    if isinstance(a, (Tensor, Variable, np.ndarray, np.generic)):
        if not _dtypes.is_float(a.dtype):
            raise error("tg.grad: argument %d has dtype %s; gradients need float "
                        "arguments" % (i, a.dtype), TgTypeError)
        return a
    if isinstance(a, (float, int)) and not isinstance(a, bool):
        return np.float32(a)
    raise error("tg.grad: argument %d (%r) is differentiated, so it must be a float "
                "tensor, array or number" % (i, a), TgTypeError)


def value_and_grad(f, argnums=0):
    """g(*args) -> (f(*args), d f / d args[argnums]) (JAX's value_and_grad;
    a non-scalar result is differentiated as its sum, as tape.gradient)."""
    from ._function import Function, autograph_convert, function
    if not callable(f):
        raise error("tg.grad: %r is not a function" % (f,), TgTypeError)
    single = isinstance(argnums, (int, np.integer)) and not isinstance(argnums, bool)
    try:
        nums = (argnums,) if single else tuple(argnums)
    except TypeError:
        nums = (argnums,)
    if not nums or any(isinstance(i, bool) or not isinstance(i, (int, np.integer))
                       for i in nums):
        raise error("tg.grad: argnums must be an int or a non-empty tuple of ints, got %r"
                    % (argnums,), TgTypeError)
    body = autograph_convert(f) if not isinstance(f, Function) else f

    def resolved(n):
        # argnums counted from the end when negative, as JAX's.
        out = tuple(int(i) + n if i < 0 else int(i) for i in nums)
        for i, r in zip(nums, out):
            if not 0 <= r < n:
                raise error("tg.grad: argnums %d but the function got %d positional "
                            "arguments" % (i, n), TgTypeError)
        return out

    def traced(*args, **kwargs):
        idx = resolved(len(args))
        args = list(args)
        for i in idx:
            if not isinstance(args[i], (Tensor, Variable)):
                args[i] = _ops.constant(_as_grad_argument(args[i], i))
        watched = [args[i] for i in idx]
        with GradientTape(persistent=True) as tape:
            tape.watch(watched)
            y = body(*args, **kwargs)
        if not isinstance(y, (Tensor, Variable)):
            raise error("tg.grad: the function must return one tensor, it returned %r"
                        % (type(y).__name__ if not isinstance(y, (tuple, list)) else
                           "%d values" % len(y)), TgTypeError)
        grads = tape.gradient(y, watched, unconnected_gradients="zero")
        return y, (grads[0] if single else tuple(grads))

    traced.__name__ = getattr(f, "__name__", "f")
    compiled = function(traced, autograph=False)

    def grad_arguments(args):
        # The differentiated arguments as float tensors or arrays.
        idx = resolved(len(args))
        return [_as_grad_argument(a, i) if i in idx else a for i, a in enumerate(args)]

    def run(*args, **kwargs):
        if _graph.current() is not None:
            return traced(*args, **kwargs)
        return compiled(*grad_arguments(args), **kwargs)
    run.__name__ = traced.__name__
    run.lower = lambda *args, **kwargs: compiled.lower(*grad_arguments(args), **kwargs)
    run.memory_plan = lambda *args, **kwargs: compiled.memory_plan(
        *grad_arguments(args), **kwargs)
    return run


def grad(f, argnums=0):
    """The gradients of f w.r.t. args[argnums] (jax.grad); composes:
    tg.grad(tg.grad(f)) is the second derivative."""
    vg = value_and_grad(f, argnums)

    def run(*args, **kwargs):
        return vg(*args, **kwargs)[1]
    run.__name__ = vg.__name__
    run.lower = vg.lower
    run.memory_plan = vg.memory_plan
    return run

