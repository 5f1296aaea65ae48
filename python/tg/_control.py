"""`tg.cond` and `tg.while_loop`: data-dependent control flow.

Eagerly (a Python or eager predicate) they just run Python. Traced, they
become `scf.if` / `scf.while` with regions, which the compiler
differentiates: a GradientTape slices through them like any other node.
Branches and bodies may return any nesting of lists, tuples and dicts of
tensors and Python numbers; Variables assigned inside them are threaded
through as extra results (and loop-carried values), so state behaves as in
program order.
"""
import numpy as np

from . import _dtypes, _graph, _ops
from ._autodiff import flatten, unflatten
from ._errors import TgTypeError, error, user_location
from ._graph import print_if, print_while
from ._tensor import EagerTensor, SymbolicTensor, Tensor
from ._variables import Variable


def _is_traced(x):
    return type(x) is SymbolicTensor


def _predicate(g, pred, what):
    p = pred.read_value() if isinstance(pred, Variable) else pred
    if not _is_traced(p):
        p = _ops._symbolic(g, _ops.operand(p))
    if p.dtype != _dtypes.bool or p.size != 1:
        raise error("%s: the condition must be a boolean scalar, got shape %s dtype %s"
                    % (what, p.shape, p.dtype), TgTypeError)
    if p.shape != ():
        p = _ops.reshape(p, ())
    return p


def _structure_text(s):
    return repr(unflatten(s, ["*"] * len(flatten(s))))


def _to_traced(g, value, like=None):
    """A branch result as a traced tensor (emitted in the current region)."""
    if isinstance(value, Variable):
        return value.read_value()
    if _is_traced(value):
        return value
    if isinstance(value, EagerTensor):
        return _ops._symbolic(g, value)
    dtype = like.dtype if like is not None else None
    return _ops._symbolic(g, _ops.operand(value, dtype, exact=dtype is not None))


def cond(pred, true_fn=None, false_fn=None, name=None):
    """true_fn() if pred else false_fn(); an scf.if when pred is traced."""
    if true_fn is None or false_fn is None or not callable(true_fn) or not callable(
            false_fn):
        raise error("tg.cond needs two callables, true_fn and false_fn", TgTypeError)
    g = _graph.current()
    if g is None or not _is_traced(pred.read_value() if isinstance(pred, Variable)
                                   else pred):
        p = pred.read_value() if isinstance(pred, Variable) else pred
        if isinstance(p, (Tensor, np.ndarray, np.generic)) and (
                p.dtype != _dtypes.bool or p.size != 1):
            raise error("tg.cond: the condition must be a boolean scalar, got shape %s "
                        "dtype %s" % (tuple(p.shape), p.dtype), TgTypeError)
        return true_fn() if bool(p) else false_fn()
    loc = user_location()
    p = _predicate(g, pred, "tg.cond")
    then_region, then_out, then_vars = g.trace_region(true_fn)
    else_region, else_out, else_vars = g.trace_region(false_fn)
    then_leaves, else_leaves = flatten(then_out), flatten(else_out)
    if len(then_leaves) != len(else_leaves) or _structure_text(then_out) != \
            _structure_text(else_out):
        raise error("tg.cond: the branches return different structures: %s and %s" %
                    (_structure_text(then_out), _structure_text(else_out)), loc=loc)
    # Which leaves are static (equal Python values, or None in both).
    kinds = []
    for i, (a, b) in enumerate(zip(then_leaves, else_leaves)):
        if a is None or b is None:
            if a is not None or b is not None:
                raise error("tg.cond: result %d is None in one branch only" % i, loc=loc)
            kinds.append(("static", None))
            continue
        if not isinstance(a, (Tensor, Variable)) and not isinstance(b, (Tensor, Variable)) \
                and _same_python(a, b):
            kinds.append(("static", a))
            continue
        kinds.append(("tensor", None))
    # Variables assigned in either branch flow out as extra results.
    assigned = {}
    for k, (v, _) in list(then_vars.items()) + list(else_vars.items()):
        assigned.setdefault(k, v)
    yields = []
    for region, leaves, variables, other in ((then_region, then_leaves, then_vars,
                                              else_leaves),
                                             (else_region, else_leaves, else_vars,
                                              then_leaves)):
        saved = g.region
        g.region = region
        try:
            ys = []
            for (kind, _), a, b in zip(kinds, leaves, other):
                if kind == "tensor":
                    like = b if isinstance(b, (Tensor, Variable)) else None
                    ys.append(_to_traced(g, a, like))
            for k, v in assigned.items():
                ys.append(variables[k][1] if k in variables else g.variable_value(v))
        finally:
            g.region = saved
        yields.append(ys)
    for i, (a, b) in enumerate(zip(*yields)):
        if (a.shape, a.dtype) != (b.shape, b.dtype):
            raise error("tg.cond: result %d is %s %s in the true branch but %s %s in "
                        "the false branch" % (i, a.shape, a.dtype, b.shape, b.dtype),
                        TgTypeError, loc=loc)
    then_region.yields, else_region.yields = yields
    results = g.emit("scf.if", [p], [(y.shape, y.dtype) for y in yields[0]], loc=loc,
                     regions=[then_region, else_region], printer=print_if) \
        if yields[0] else []
    n_out = len(yields[0]) - len(assigned)
    for (k, v), r in zip(assigned.items(), results[n_out:]):
        g.assign_variable(v, r)
    it = iter(results[:n_out])
    leaves = [next(it) if kind == "tensor" else value for kind, value in kinds]
    return unflatten(then_out, leaves)


def _same_python(a, b):
    try:
        return type(a) is type(b) and bool(a == b)
    except Exception:  # noqa: BLE001 (arbitrary user values)
        return False


def while_loop(cond, body, loop_vars, maximum_iterations=None, name=None):
    """Repeats loop_vars = body(*loop_vars) while cond(*loop_vars): an
    scf.while when the condition is traced (any trip count, differentiable).
    loop_vars may be one tensor or any nesting of them; body returns the
    same structure with the same shapes and dtypes."""
    if not callable(cond) or not callable(body):
        raise error("tg.while_loop needs callables cond and body", TgTypeError)
    if loop_vars is None or not flatten(loop_vars):
        raise error("tg.while_loop: loop_vars must hold at least one value, got %r" % (
            loop_vars,), TgTypeError)
    several = isinstance(loop_vars, (list, tuple))
    call = (lambda fn, vs: fn(*vs)) if several else (lambda fn, vs: fn(vs))
    if maximum_iterations is not None:
        counter = 0
        if several:
            inner_cond, inner_body = cond, body
            cond = lambda i, *vs: _ops.logical_and(  # noqa: E731
                _ops.less(i, maximum_iterations), inner_cond(*vs))
            body = lambda i, *vs: (i + 1,) + tuple(_as_tuple(inner_body(*vs)))  # noqa: E731
            out = while_loop(cond, body, (counter,) + tuple(loop_vars))
            return type(loop_vars)(out[1:]) if isinstance(loop_vars, list) else tuple(
                out[1:])
        out = while_loop(lambda i, v: _ops.logical_and(_ops.less(i, maximum_iterations),
                                                       cond(v)),
                         lambda i, v: (i + 1, body(v)), (counter, loop_vars))
        return out[1]
    g = _graph.current()
    if g is None:
        vs = loop_vars
        while True:
            c = call(cond, vs)
            if _is_traced(c):
                raise error("tg.while_loop: the condition is a traced tensor outside "
                            "a tg.function")
            if not bool(c):
                return vs
            vs = call(body, vs)
            if several:
                vs = type(loop_vars)(_as_tuple(vs)) if isinstance(loop_vars, list) \
                    else tuple(_as_tuple(vs))
    loc = user_location()
    init_leaves = flatten(loop_vars)
    init = [_to_traced(g, v) for v in init_leaves]
    types = [(t.shape, t.dtype) for t in init]

    def trace(carried_vars):
        extra = [(v.shape, v.dtype) for v in carried_vars]

        def before_fn(*args):
            vs = unflatten(loop_vars, args[:len(init)])
            for v, a in zip(carried_vars, args[len(init):]):
                g.assign_variable(v, a)
            return _predicate(g, call(cond, vs), "tg.while_loop")

        def body_fn(*args):
            vs = unflatten(loop_vars, args[:len(init)])
            for v, a in zip(carried_vars, args[len(init):]):
                g.assign_variable(v, a)
            out = call(body, vs)
            return out
        before = g.trace_region(before_fn, types + extra)
        after = g.trace_region(body_fn, types + extra)
        return before, after
    carried = []
    while True:
        (before, pred, before_vars), (after, out, after_vars) = trace(carried)
        known = {id(v) for v in carried}
        new = [v for _, (v, _) in list(after_vars.items()) + list(before_vars.items())
               if id(v) not in known]
        if before_vars and any(id(v) not in known for _, (v, _) in before_vars.items()):
            raise error("tg.while_loop: the condition assigns a Variable; assign it in "
                        "the body", loc=loc)
        if not new:
            break
        seen = set()
        carried = carried + [v for v in new if not (id(v) in seen or seen.add(id(v)))]
    out_leaves = flatten(out if several or not isinstance(out, (list, tuple)) else out)
    if several:
        out_leaves = flatten(type(loop_vars)(_as_tuple(out)) if isinstance(
            loop_vars, list) else tuple(_as_tuple(out)))
    if len(out_leaves) != len(init_leaves):
        raise error("tg.while_loop: the body returns %d values for %d loop variables" %
                    (len(out_leaves), len(init_leaves)), loc=loc)
    saved = g.region
    g.region = after
    try:
        ys = [_to_traced(g, o, like=t) for o, t in zip(out_leaves, init)]
        ys += [after_vars[id(v)][1] if id(v) in after_vars else a
               for v, a in zip(carried, after.args[len(init):])]
    finally:
        g.region = saved
    for i, (y, t) in enumerate(zip(ys, init)):
        if (y.shape, y.dtype) != (t.shape, t.dtype):
            raise error("tg.while_loop: loop variable %d enters as %s %s but the body "
                        "returns %s %s (shapes and dtypes must stay the same)" % (
                            i, t.shape, _dtype(t), y.shape, _dtype(y)), TgTypeError,
                        loc=loc)
    before.yields = [pred]
    after.yields = ys
    inits = init + [g.variable_value(v) for v in carried]
    results = g.emit("scf.while", inits, [(t.shape, t.dtype) for t in inits], loc=loc,
                     regions=[before, after], printer=print_while)
    for v, r in zip(carried, results[len(init):]):
        g.assign_variable(v, r)
    out = unflatten(loop_vars, results[:len(init)]) if several else results[0]
    return out


def _dtype(t):
    return str(t.dtype)


def _as_tuple(x):
    if isinstance(x, (list, tuple)):
        return tuple(x)
    return (x,)

