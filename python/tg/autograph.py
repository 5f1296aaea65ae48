"""AutoGraph: Python control flow on traced tensors becomes tg.cond / tg.while_loop.

`convert(fn)` parses the source of a user function, rewrites its AST and
compiles it again under the original file name and line numbers, so every op
it traces (and every error) names the user's line. The rewrite is
TensorFlow AutoGraph's design:

* `return`, `break` and `continue` are lowered to flags first
  (`ag__do_return`/`ag__retval`, `ag__break_N`, `ag__continue_N`): the rest of
  a block after a statement that may jump runs under `if not flag:`, and the
  loop conditions gain `not flag`. After that, the function has no jumps
  except one final `return ag__retval`.
* Every `if`, `while` and `for` becomes a call of a runtime operator
  (`if_stmt`, `while_stmt`, `for_stmt`) with its bodies as nested functions
  that rebind the enclosing variables with `nonlocal`, plus `get_state` /
  `set_state` functions over the variables the statement assigns. The
  operator decides at run time: a Python (or eager) condition runs the plain
  Python statement; a traced condition builds `tg.cond` or `tg.while_loop`,
  whose outputs or loop variables are the assigned variables that are live
  afterwards (a liveness analysis on the AST decides which).
* `and`, `or`, `not`, `a < b < c` and `x if c else y` become `and_`, `or_`,
  `not_`, `compare_chain`, `if_exp` (lazy as in Python on Python values), and every
  call goes through `converted_call`, which converts user functions on the
  fly (never tg's own code, numpy, the standard library or site-packages).

Statements that cannot become tg.cond/tg.while_loop (they contain `yield`,
`try`, `with` other than `with tg.GradientTape()`, `del`, `raise`,
`global`/`nonlocal`, or assignments to attributes or items) stay Python; their
condition is checked at run time and a traced one raises TgError naming the
line and the construct, never a silent fallback.

Branch outputs and loop variables may be tensors, Python numbers (made
tensors of TF's default dtypes when the branches or iterations differ),
None, other objects that stay the same, and nested tuples, lists and dicts
of these. The converted function is built from the original's globals and
closure cells (so it sees later changes of both, like the original), and
`to_code(fn)` shows what it runs.
"""
import ast
import collections
import copy
import functools
import linecache
import os
import sys
import sysconfig
import threading
import types
import weakref

import numpy as np

from . import _dtypes

__all__ = ["convert", "converted_call", "do_not_convert", "to_code", "range_", "RangeSpec",
           "if_stmt", "while_stmt", "for_stmt", "if_exp", "and_", "or_", "not_",
           "compare_chain", "py_cond", "py_iter", "watch", "Undefined",
           "UndefinedReturnValue", "is_undefined", "retval"]

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


# ---------------------------------------------------------------------------
# The core hooks. tg's core is imported lazily: tg/__init__ imports this module.

def _pkg():
    return sys.modules[__package__]


def _resolve_is_symbolic():
    try:
        from . import _tensor
        if hasattr(_tensor, "is_symbolic"):
            return _tensor.is_symbolic
    except ImportError:
        pass
    pkg = _pkg()
    return lambda x: isinstance(x, pkg.Tensor)


def _resolve_tracing():
    try:
        from . import _graph
        if hasattr(_graph, "current"):
            return lambda: _graph.current() is not None
    except ImportError:
        pass
    pkg = _pkg()
    return lambda: bool(getattr(pkg, "_current", None))


_hooks = {}


def _is_traced(x):
    """True for a tensor of the graph being traced (its value is unknown in
    Python); Python values and eager tensors are not."""
    f = _hooks.get("is_symbolic")
    if f is None:
        f = _hooks["is_symbolic"] = _resolve_is_symbolic()
    return f(x)


def _tracing():
    f = _hooks.get("tracing")
    if f is None:
        f = _hooks["tracing"] = _resolve_tracing()
    return f()


def _error(message, file, line):
    return _pkg().TgError("%s:%d: error: %s" % (file, line, message))


def _caller():
    """(file, line) of the innermost frame outside the tg package."""
    frame = sys._getframe(1)
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(
            _PACKAGE_DIR + os.sep):
        frame = frame.f_back
    return (frame.f_code.co_filename, frame.f_lineno) if frame else ("<unknown>", 0)


def _user_file():
    """The file of the converted code calling into this module."""
    return _caller()[0]


# ---------------------------------------------------------------------------
# Conversion: the entry points.

_lock = threading.RLock()
_code_cache = {}  # original code object -> converted code object, or None
_fn_cache = weakref.WeakKeyDictionary()  # function -> converted function or None


def do_not_convert(fn):
    """Marks `fn` so that AutoGraph leaves it (and what it calls) alone."""
    fn.__tg_do_not_convert__ = True
    return fn


def convert(fn):
    """The AutoGraph version of `fn`: same signature, defaults, name, globals
    and closure, with its control flow going through this module's
    operators. Returned unchanged: what has no Python source (builtins, REPL
    lambdas), a lambda that shares its line with another of the same
    arguments, coroutines, code of tg itself, numpy, the standard library or
    site-packages, functions marked with do_not_convert, and functions
    already converted (so converting twice is harmless)."""
    if isinstance(fn, types.MethodType):
        converted = convert(fn.__func__)
        return fn if converted is fn.__func__ else types.MethodType(converted, fn.__self__)
    if type(fn) is not types.FunctionType or getattr(fn, "__tg_autograph__", False) \
            or getattr(fn, "__tg_do_not_convert__", False):
        return fn
    with _lock:
        try:
            cached = _fn_cache[fn]
            return fn if cached is None else cached
        except KeyError:
            pass
        code = _converted_code(fn)
        new = None if code is None else _instantiate(fn, code)
        _fn_cache[fn] = new
        return fn if new is None else new


def to_code(fn):
    """The Python source of fn as AutoGraph converts it (for reading: it is
    compiled from the AST, with the user's line numbers)."""
    converted = convert(fn)
    tree = _converted_ast.get(getattr(converted, "__code__", None))
    if tree is None:
        raise _pkg().TgError("tg.autograph.to_code: %r is not converted (no Python source, "
                             "or code AutoGraph leaves alone)" % (fn,))
    return ast.unparse(tree)


def converted_call(f, /, *args, **kwargs):
    """Calls f(*args, **kwargs), converting f first when it is user code.
    Python's range() of a traced tensor is tg.range (TF's overload)."""
    if f is range and any(_is_traced(_value(a)) for a in args):
        return range_(*[_value(a) for a in args])
    return _converted_callable(f)(*args, **kwargs)


def _converted_callable(f):
    t = type(f)
    if t is types.FunctionType or t is types.MethodType:
        return convert(f)
    if t is functools.partial:
        inner = _converted_callable(f.func)
        return f if inner is f.func else functools.partial(inner, *f.args, **f.keywords)
    if isinstance(f, type) or t in (types.BuiltinFunctionType, types.BuiltinMethodType):
        return f
    call = getattr(t, "__call__", None)
    if type(call) is types.FunctionType:
        converted = convert(call)
        if converted is not call:
            return types.MethodType(converted, f)
    return f


def _excluded_path(path):
    path = os.path.abspath(path)
    if path.startswith(_PACKAGE_DIR + os.sep):
        return True
    parts = path.split(os.sep)
    if "site-packages" in parts or "dist-packages" in parts:
        return True
    paths = sysconfig.get_paths()
    for key in ("stdlib", "platstdlib"):
        root = paths.get(key)
        if root and path.startswith(os.path.abspath(root) + os.sep):
            return True
    return False


def _converted_code(fn):
    code = fn.__code__
    if code in _code_cache:
        return _code_cache[code]
    result = None
    module = getattr(fn, "__module__", None) or ""
    if (code not in _generated_codes and not (code.co_flags & 0x180)  # coroutines
            and module.split(".")[0] not in (__package__, "numpy")
            and not _excluded_path(code.co_filename)):
        node = _function_node(fn)
        if node is not None:
            result = _compile(fn, node)
    _code_cache[code] = result
    return result


_parsed_files = {}
_converted_ast = {}  # converted code object -> the AST it was compiled from
# Code objects this module compiled (functions that converted code defines
# are converted already).
_generated_codes = set()


def _function_node(fn):
    """The FunctionDef of fn in its file's AST (the file's own line numbers),
    or None when the source is not available."""
    code = fn.__code__
    filename = code.co_filename
    lines = linecache.getlines(filename, fn.__globals__)
    if not lines:
        return None
    source = "".join(lines)
    key = (filename, hash(source))
    tree = _parsed_files.get(key)
    if tree is None:
        try:
            tree = ast.parse(source, filename)
        except (SyntaxError, ValueError):
            return None
        _parsed_files[key] = tree
    arg_names = list(code.co_varnames[:code.co_argcount + code.co_kwonlyargcount])
    if code.co_name == "<lambda>":
        # The one lambda of that line with these arguments (several: unknown).
        found = [n for n in ast.walk(tree) if isinstance(n, ast.Lambda)
                 and n.lineno == code.co_firstlineno and arg_names == [
                     x.arg for x in n.args.posonlyargs + n.args.args + n.args.kwonlyargs]]
        return found[0] if len(found) == 1 else None
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name == code.co_name:
            first = min([node.lineno] + [d.lineno for d in node.decorator_list])
            a = node.args
            names = [x.arg for x in a.posonlyargs + a.args + a.kwonlyargs]
            if code.co_firstlineno in (first, node.lineno) and names == arg_names:
                return node
    return None


def _compile(fn, node):
    node = copy.deepcopy(node)
    if isinstance(node, ast.Lambda):
        node.body = _Expressions(types.SimpleNamespace(node=node)).visit(node.body)
        define, name = [ast.Return(node)], "<lambda>"
    else:
        node.decorator_list = []
        _FunctionConverter(node, fn.__code__.co_filename).run()
        # Renamed in the factory: the function's own name inside its body
        # (recursion) must stay the global it is, not the factory's local.
        node.name = "ag__converted_" + node.name
        define, name = [node, ast.Return(ast.Name(node.name, ast.Load()))], node.name
    # A factory whose locals are the original free variables (and ag__), so
    # that the converted function has them as closure cells: it is then
    # instantiated with the original cells, seeing their current values.
    freevars = list(fn.__code__.co_freevars) + ["ag__"]
    factory = ast.FunctionDef(
        name="ag__factory", args=_no_args(),
        body=[ast.Assign(targets=[ast.Name(v, ast.Store()) for v in freevars],
                         value=ast.Constant(None))] + define,
        decorator_list=[], returns=None, type_comment=None)
    for n in ast.walk(factory):
        if n is not node and "lineno" in n._attributes and not hasattr(n, "lineno"):
            _at(n, node)
    module = ast.Module(body=[factory], type_ignores=[])
    ast.fix_missing_locations(module)
    import __future__
    flags = 0
    for feature in __future__.all_feature_names:
        flag = getattr(__future__, feature).compiler_flag
        if fn.__code__.co_flags & flag:
            flags |= flag
    try:
        compiled = compile(module, fn.__code__.co_filename, "exec", flags=flags,
                           dont_inherit=True)
    except SyntaxError as e:  # a bug of this module, not of the user's code
        raise _error("tg.autograph could not convert '%s': %s" % (fn.__name__, e),
                     fn.__code__.co_filename, node.lineno) from e
    factory_code = _code_named(compiled, "ag__factory")
    _converted_ast[_code_named(factory_code, name)] = define[0] if name != "<lambda>" \
        else define[0].value
    stack = [factory_code]
    while stack:
        c = stack.pop()
        _generated_codes.add(c)
        stack.extend(k for k in c.co_consts if isinstance(k, types.CodeType))
    return _code_named(factory_code, name)


def _code_named(code, name):
    for c in code.co_consts:
        if isinstance(c, types.CodeType) and c.co_name == name:
            return c
    raise AssertionError("no code object %r" % name)


def _instantiate(fn, code):
    cells = dict(zip(fn.__code__.co_freevars, fn.__closure__ or ()))
    module_cell = types.CellType(sys.modules[__name__])
    closure = tuple(cells[n] if n in cells else module_cell for n in code.co_freevars)
    new = types.FunctionType(code, fn.__globals__, fn.__name__, fn.__defaults__, closure)
    new.__kwdefaults__ = copy.copy(fn.__kwdefaults__)
    for attr in ("__qualname__", "__doc__", "__module__"):
        setattr(new, attr, getattr(fn, attr))
    new.__annotations__ = dict(getattr(fn, "__annotations__", {}))
    new.__dict__.update(fn.__dict__)
    new.__tg_autograph__ = True
    return new


def _no_args():
    return ast.arguments(posonlyargs=[], args=[], vararg=None, kwonlyargs=[],
                         kw_defaults=[], kwarg=None, defaults=[])


# ---------------------------------------------------------------------------
# AST analysis: scopes, bound names, uses.

_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
_TRY = (ast.Try, ast.TryStar) if hasattr(ast, "TryStar") else (ast.Try,)
_MATCH = getattr(ast, "Match", ())  # Python 3.10+
_MATCH_NAMES = tuple(getattr(ast, n) for n in ("MatchAs", "MatchStar") if hasattr(ast, n))
_MATCH_MAPPING = getattr(ast, "MatchMapping", ())


def _scope_children(node):
    """The children of `node` evaluated in node's own scope: of a nested
    function, lambda, class or comprehension only what its definition
    evaluates in the enclosing scope."""
    if isinstance(node, _FUNCTIONS):
        return node.decorator_list + node.args.defaults + [
            d for d in node.args.kw_defaults if d is not None]
    if isinstance(node, ast.Lambda):
        return node.args.defaults + [d for d in node.args.kw_defaults if d is not None]
    if isinstance(node, ast.ClassDef):
        return node.decorator_list + node.bases + [k.value for k in node.keywords]
    if isinstance(node, _COMPREHENSIONS):
        return [node.generators[0].iter]
    return list(ast.iter_child_nodes(node))


def _walk_scope(nodes):
    stack = list(nodes) if isinstance(nodes, list) else [nodes]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(_scope_children(n))


def _walk_level(nodes):
    """Like _walk_scope, without entering loops below the given nodes (the
    statements a break or continue at this level belongs to)."""
    stack = list(nodes)
    while stack:
        n = stack.pop()
        yield n
        if not isinstance(n, (ast.For, ast.While, ast.AsyncFor)):
            stack.extend(_scope_children(n))


def _bound_names(nodes):
    """Names that the given nodes bind in their own scope."""
    names = set()
    for n in _walk_scope(nodes):
        if isinstance(n, ast.Name) and isinstance(n.ctx, (ast.Store, ast.Del)):
            names.add(n.id)
        elif isinstance(n, _FUNCTIONS + (ast.ClassDef,)):
            names.add(n.name)
        elif isinstance(n, (ast.Import, ast.ImportFrom)):
            for a in n.names:
                if a.name != "*":
                    names.add(a.asname or a.name.split(".")[0])
        elif isinstance(n, ast.ExceptHandler) and n.name:
            names.add(n.name)
        elif isinstance(n, _MATCH_NAMES) and n.name:
            names.add(n.name)
        elif isinstance(n, _MATCH_MAPPING) and n.rest:
            names.add(n.rest)
    return names


def _loaded_names(nodes):
    """Every name read by the given nodes, nested scopes included."""
    names = set()
    for root in (nodes if isinstance(nodes, list) else [nodes]):
        if root is None:
            continue
        for n in ast.walk(root):
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load):
                names.add(n.id)
            elif isinstance(n, ast.AugAssign) and isinstance(n.target, ast.Name):
                names.add(n.target.id)
    return names


def _closure_names(body):
    """Names read inside functions and lambdas nested in `body`: they may be
    read at any later time, so they count as live everywhere."""
    names = set()
    for n in _walk_scope(body):
        if isinstance(n, _FUNCTIONS + (ast.Lambda,)):
            names |= _loaded_names(n.body if isinstance(n.body, list) else [n.body])
    return names


class _Liveness:
    """Backward liveness over structured statements. Annotates every If with
    `_ag_live_out` and every loop with `_ag_live_out` and `_ag_live_head`
    (the names live at the top of an iteration)."""

    def block(self, stmts, out):
        live = set(out)
        for s in reversed(stmts):
            live = self.stmt(s, live)
        return live

    def stmt(self, s, out):
        if isinstance(s, ast.If):
            s._ag_live_out = set(out)
            return _loaded_names(s.test) | self.block(s.body, out) | self.block(s.orelse, out)
        if isinstance(s, (ast.While, ast.For)):
            extra = _loaded_names(getattr(s, "_ag_extra", []))
            if isinstance(s, ast.While):
                extra |= _loaded_names(s.test)
            target = _bound_names(s.target) if isinstance(s, ast.For) else set()
            head = set(out) | extra
            while True:
                new = head | (self.block(s.body, head) - target) | self.block(s.orelse, out)
                if new == head:
                    break
                head = new
            s._ag_live_out, s._ag_live_head = set(out), head
            return head | (_loaded_names(s.iter) if isinstance(s, ast.For) else set())
        if isinstance(s, (ast.With, ast.AsyncWith)):
            inner = self.block(s.body, out)
            bound = _bound_names([i.optional_vars for i in s.items if i.optional_vars])
            return (inner - bound) | _loaded_names([i.context_expr for i in s.items])
        if isinstance(s, _TRY):
            fin = self.block(s.finalbody, out)
            after = set(out) | fin
            handlers = set()
            for h in s.handlers:
                handlers |= self.block(h.body, after) | _loaded_names(h.type)
            orelse = self.block(s.orelse, after)
            body = self.block(s.body, after | handlers | orelse)
            return body | handlers | orelse | after
        if isinstance(s, _MATCH):
            live = set(out) | _loaded_names(s.subject)
            for c in s.cases:
                live |= self.block(c.body, out) | _loaded_names(c.guard)
            return live
        if isinstance(s, (ast.AsyncFor,)):
            return set(out) | self.block(s.body, out) | _loaded_names(s.iter)
        if isinstance(s, ast.Return):
            return _loaded_names(s.value)
        if isinstance(s, _FUNCTIONS + (ast.ClassDef,)):
            return (set(out) - {s.name}) | _loaded_names(s)
        if isinstance(s, (ast.Global, ast.Nonlocal)):
            return set(out)
        return (set(out) - _bound_names(s)) | _loaded_names(s)


def _is_gradient_tape(item):
    e = item.context_expr
    if isinstance(e, ast.Call):
        e = e.func
    return (isinstance(e, ast.Attribute) and e.attr == "GradientTape") or (
        isinstance(e, ast.Name) and e.id == "GradientTape")


def _has_complex_target(target):
    return any(isinstance(n, (ast.Attribute, ast.Subscript)) for n in ast.walk(target))


def _unsupported(stmt, declared):
    """(construct, line) of the first thing in `stmt` that keeps it from
    becoming tg.cond / tg.while_loop, or None."""
    found = []
    for n in _walk_scope(stmt):
        reason = None
        if isinstance(n, (ast.Yield, ast.YieldFrom)):
            reason = "a `yield`"
        elif isinstance(n, ast.Await):
            reason = "an `await`"
        elif isinstance(n, _TRY):
            reason = "a `try` statement"
        elif isinstance(n, (ast.With, ast.AsyncWith)) and not all(
                _is_gradient_tape(i) for i in n.items):
            reason = "a `with` statement (only `with tg.GradientTape()` can be inside " \
                     "tensor-dependent control flow)"
        elif isinstance(n, (ast.Global, ast.Nonlocal)):
            reason = "a `%s` statement" % ("global" if isinstance(n, ast.Global) else "nonlocal")
        elif isinstance(n, ast.Delete):
            reason = "a `del` statement"
        elif isinstance(n, ast.Raise):
            reason = "a `raise` statement (tg cannot raise depending on tensor values)"
        elif isinstance(n, ast.Return):
            reason = "a `return` inside a generator"
        elif isinstance(n, (ast.Break, ast.Continue)):
            reason = "a `%s`" % ("break" if isinstance(n, ast.Break) else "continue")
        elif isinstance(n, (ast.AsyncFor,) + ((_MATCH,) if _MATCH else ())):
            reason = "an `async for`" if isinstance(n, ast.AsyncFor) else "a `match` statement"
        elif isinstance(n, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.For)):
            targets = n.targets if isinstance(n, ast.Assign) else [n.target]
            if any(_has_complex_target(t) for t in targets):
                reason = "an assignment to an attribute or item (`a.b = ...`, `a[i] = ...`), " \
                         "whose value tg cannot carry out of tg.cond / tg.while_loop"
        elif isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store) and n.id in declared:
            reason = "an assignment to the global or nonlocal name '%s'" % n.id
        if reason:
            found.append((getattr(n, "lineno", stmt.lineno), reason))
    if not found:
        return None
    line, reason = min(found)
    return reason, line


# ---------------------------------------------------------------------------
# AST construction helpers.

def _name(id_, store=False):
    return ast.Name(id_, ast.Store() if store else ast.Load())


def _assign(name, value, loc):
    return _at(ast.Assign(targets=[_name(name, True)],
                                        value=ast.Constant(value)), loc)


def _not(name, loc):
    return _at(ast.UnaryOp(ast.Not(), _at(_name(name), loc)), loc)


def _guard(flag, body, loc):
    """`if not flag: body`."""
    return _at(ast.If(test=_not(flag, loc), body=body, orelse=[]), loc)


def _at(node, loc):
    """Gives a generated node the start of `loc` as its whole extent (Python
    puts a call at the end line of its callee: a generated call must not
    inherit the user statement's last line)."""
    node.lineno, node.col_offset = loc.lineno, loc.col_offset
    node.end_lineno, node.end_col_offset = loc.lineno, loc.col_offset
    return node


def _located(nodes, loc):
    for root in nodes:
        for n in ast.walk(root):
            if "lineno" in n._attributes:
                _at(n, loc)
    return nodes


class _Fill(ast.NodeTransformer):
    """Replaces `ag__expr_K` names by expressions and `ag__block_K`
    expression statements by statement lists in a parsed template."""

    def __init__(self, exprs, blocks):
        self.exprs, self.blocks = exprs, blocks

    def visit_Name(self, node):
        return self.exprs.get(node.id, node)

    def visit_Expr(self, node):
        if isinstance(node.value, ast.Name) and node.value.id in self.blocks:
            return self.blocks[node.value.id] or [_at(ast.Pass(), node)]
        return self.generic_visit(node)


def _template(src, loc, exprs=None, blocks=None):
    nodes = _located(ast.parse(src).body, loc)
    module = ast.Module(body=nodes, type_ignores=[])
    _Fill(exprs or {}, blocks or {}).visit(module)
    return module.body


def _tuple_src(names):
    return "(%s)" % "".join("%s, " % n for n in names)


# ---------------------------------------------------------------------------
# Lowering of return, break and continue.

def _always_returns(stmts):
    if not stmts:
        return False
    last = stmts[-1]
    return isinstance(last, ast.Return) or (
        isinstance(last, ast.If) and _always_returns(last.body) and _always_returns(last.orelse))


def _bodies(s):
    """The statement lists directly inside compound statement s (same scope)."""
    if isinstance(s, (ast.If, ast.While, ast.For, ast.AsyncFor)):
        return ["body", "orelse"]
    if isinstance(s, (ast.With, ast.AsyncWith)):
        return ["body"]
    if isinstance(s, _TRY):
        return ["body", "orelse", "finalbody"]
    return []


def _sub_blocks(s):
    blocks = [getattr(s, f) for f in _bodies(s)]
    if isinstance(s, _TRY):
        blocks += [h.body for h in s.handlers]
    if isinstance(s, _MATCH):
        blocks += [c.body for c in s.cases]
    return blocks


def _hoist_returns(stmts):
    """TF's ConditionalReturnRewriter: `if c: ...; return a` followed by more
    statements moves them into the else branch, so that every path of the
    if defines the return value (no None on one side)."""
    out = []
    for i, s in enumerate(stmts):
        for f in _bodies(s):
            setattr(s, f, _hoist_returns(getattr(s, f)))
        if isinstance(s, _TRY):
            for h in s.handlers:
                h.body = _hoist_returns(h.body)
        rest = stmts[i + 1:]
        if isinstance(s, ast.If) and rest:
            if _always_returns(s.body):
                s.orelse = _hoist_returns(s.orelse + rest)
                out.append(s)
                return out
            if s.orelse and _always_returns(s.orelse):
                s.body = _hoist_returns(s.body + rest)
                out.append(s)
                return out
        out.append(s)
    return out


class _Jumps:
    """Lowers one kind of jump (return, or a loop's break or continue) in a
    block: the jump sets `flag`, and what follows a statement that may jump
    runs under `if not flag`."""

    def __init__(self, kind, flag, on_assign, walker):
        self.kind, self.flag, self.on_assign, self.walker = kind, flag, on_assign, walker

    def contains(self, s):
        return any(isinstance(n, self.kind) for n in self.walker([s]))

    def block(self, stmts):
        out = []
        for i, s in enumerate(stmts):
            if isinstance(s, self.kind):
                out += self.on_assign(s)
                return out
            if self.contains(s):
                self.compound(s)
                out.append(s)
                rest = stmts[i + 1:]
                if rest:
                    out.append(_guard(self.flag, self.block(rest), rest[0]))
                return out
            out.append(s)
        return out

    def compound(self, s):
        if isinstance(s, (ast.While, ast.For)):
            # Only returns reach here: a return ends the loop.
            s.body = self.block(s.body)
            s._ag_extra = [_not(self.flag, s)] + getattr(s, "_ag_extra", [])
            if s.orelse:
                s.orelse = [_guard(self.flag, self.block(s.orelse), s.orelse[0])]
            return
        jumps_in_body = isinstance(s, _TRY) and any(self.contains(b) for b in s.body)
        for f in _bodies(s):
            setattr(s, f, self.block(getattr(s, f)))
        if isinstance(s, _TRY):
            for h in s.handlers:
                h.body = self.block(h.body)
            if jumps_in_body and s.orelse:
                s.orelse = [_guard(self.flag, s.orelse, s.orelse[0])]
        if isinstance(s, _MATCH):
            for c in s.cases:
                c.body = self.block(c.body)


def _always_bound(name):
    """The flags that lowering assigns at the top of the function."""
    return name in ("ag__do_return", "ag__retval")


class _FunctionConverter:
    """Converts one FunctionDef in place (and the functions nested in it)."""

    def __init__(self, node, filename):
        self.node, self.filename = node, filename
        self.counter = 0
        self.depth = 0  # how many generated functions the current block is in

    def new_name(self, base):
        self.counter += 1
        return "%s_%d" % (base, self.counter)

    def run(self):
        node = self.node
        for n in list(_walk_scope(node.body)):
            if isinstance(n, ast.FunctionDef) and n is not node:
                _FunctionConverter(n, self.filename).run()
        generator = any(isinstance(n, (ast.Yield, ast.YieldFrom))
                        for n in _walk_scope(node.body))
        if not generator:
            self.lower_returns()
        node.body = self.lower_loops(node.body)
        self.declared = set()
        for n in _walk_scope(node.body):
            if isinstance(n, (ast.Global, ast.Nonlocal)):
                self.declared.update(n.names)
        self.closure = _closure_names(node.body)
        _Liveness().block(node.body, set())
        node.body = self.block(node.body) or [_at(ast.Pass(), node)]

    # -- jumps

    def lower_returns(self):
        node = self.node
        nested = any(isinstance(n, ast.Return) for s in node.body
                     if not isinstance(s, ast.Return) for n in _walk_scope(s))
        if not nested:
            return
        node.body = _hoist_returns(node.body)

        def on_return(s):
            value = s.value if s.value is not None else ast.Constant(None)
            return [_assign("ag__do_return", True, s),
                    _at(ast.Assign(targets=[_name("ag__retval", True)],
                                                 value=value), s)]
        lowering = _Jumps(ast.Return, "ag__do_return", on_return, _walk_scope)
        body = node.body
        start = 1 if body and isinstance(body[0], ast.Expr) and isinstance(
            body[0].value, ast.Constant) and isinstance(body[0].value.value, str) else 0
        init = [_assign("ag__do_return", False, node), _assign("ag__retval", None, node)]
        if _always_returns(body):
            init[1].value = _at(ast.Call(func=_at(ast.Attribute(
                _at(_name("ag__"), node), "UndefinedReturnValue", ast.Load()), node),
                args=[], keywords=[]), node)
        end = _at(ast.Return(_at(ast.Call(
            func=_at(ast.Attribute(_at(_name("ag__"), node), "retval", ast.Load()), node),
            args=[_at(_name("ag__retval"), node)], keywords=[]), node)), body[-1])
        node.body = body[:start] + init + lowering.block(body[start:]) + [end]

    def lower_loops(self, stmts):
        out = []
        for s in stmts:
            if isinstance(s, _FUNCTIONS + (ast.ClassDef,)):
                out.append(s)
                continue
            for f in _bodies(s):
                setattr(s, f, self.lower_loops(getattr(s, f)))
            if isinstance(s, _TRY):
                for h in s.handlers:
                    h.body = self.lower_loops(h.body)
            if isinstance(s, _MATCH):
                for c in s.cases:
                    c.body = self.lower_loops(c.body)
            if isinstance(s, (ast.While, ast.For)):
                out.extend(self.lower_loop(s))
            else:
                out.append(s)
        return out

    def lower_loop(self, loop):
        pre, post = [], []
        extra = getattr(loop, "_ag_extra", [])
        if any(isinstance(n, ast.Break) for n in _walk_level(loop.body)):
            flag = self.new_name("ag__break")
            pre.append(_assign(flag, False, loop))
            loop.body = _Jumps(ast.Break, flag, lambda s: [_assign(flag, True, s)],
                               _walk_level).block(loop.body)
            extra = extra + [_not(flag, loop)]
            if loop.orelse:
                post.append(_guard(flag, loop.orelse, loop.orelse[0]))
        else:
            post.extend(loop.orelse)
        loop.orelse = []
        if any(isinstance(n, ast.Continue) for n in _walk_level(loop.body)):
            flag = self.new_name("ag__continue")
            loop.body = [_assign(flag, False, loop.body[0])] + _Jumps(
                ast.Continue, flag, lambda s: [_assign(flag, True, s)],
                _walk_level).block(loop.body)
        loop._ag_extra = extra
        return pre + [loop] + post

    # -- control flow

    def block(self, stmts):
        out = []
        for s in stmts:
            out.extend(self.stmt(s))
        return out

    def stmt(self, s):
        if isinstance(s, ast.If):
            return self.if_(s)
        if isinstance(s, ast.While):
            return self.while_(s)
        if isinstance(s, ast.For):
            return self.for_(s)
        if isinstance(s, _FUNCTIONS + (ast.ClassDef,)):
            return [s]
        if isinstance(s, (ast.With, ast.AsyncWith)):
            for item in s.items:
                item.context_expr = self.expr(item.context_expr)
            s.body = self.block(s.body)
            return [s]
        if isinstance(s, _TRY):
            s.body = self.block(s.body)
            s.orelse = self.block(s.orelse)
            s.finalbody = self.block(s.finalbody)
            for h in s.handlers:
                h.body = self.block(h.body)
            return [s]
        if isinstance(s, _MATCH):
            s.subject = self.expr(s.subject)
            for c in s.cases:
                c.body = self.block(c.body)
            return [s]
        if isinstance(s, ast.AsyncFor):
            s.body = self.block(s.body)
            return [s]
        if isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name):
            # A local's annotation does nothing at run time, and an annotated
            # name cannot be `nonlocal` in the generated functions.
            if s.value is None:
                return []
            s = _at(ast.Assign(targets=[s.target], value=s.value), s)
            s.lineno, s.end_lineno = s.value.lineno, s.value.end_lineno
        return [self.expr(s)]

    def expr(self, node):
        return _Expressions(self).visit(node)

    def _scaffold(self, names):
        """Code that binds every name (to Undefined when it has no value),
        and the get_state/set_state functions over them."""
        get, set_ = self.new_name("ag__get_state"), self.new_name("ag__set_state")
        lines = []
        for n in names:
            if _always_bound(n):
                continue
            lines.append("try:\n    %s\nexcept NameError:\n    %s = ag__.Undefined(%r)"
                         % (n, n, n))
        lines.append("def %s():\n    return %s" % (get, _tuple_src(names)))
        if names:
            lines.append("def %s(ag__vars):\n    nonlocal %s\n    %s = ag__vars" % (
                set_, ", ".join(names), _tuple_src(names)))
        else:
            lines.append("def %s(ag__vars):\n    pass" % set_)
        return "\n".join(lines), get, set_

    @staticmethod
    def _nonlocal(names):
        return "    nonlocal %s\n" % ", ".join(names) if names else ""

    def _cleanup(self, names):
        """Deletes the names left undefined, as plain Python would have them.
        Only at the function's own level: inside a generated body an
        enclosing statement's get_state still reads them."""
        if self.depth:
            return ""
        return "".join("\nif ag__.is_undefined(%s):\n    del %s" % (n, n) for n in names
                       if not _always_bound(n))

    def nested_block(self, stmts):
        self.depth += 1
        try:
            return self.block(stmts)
        finally:
            self.depth -= 1

    def _watch(self, stmts, bound, loc):
        """Source of a function returning what the statement's body might
        change in place (receivers of list/dict/set methods that mutate,
        names passed to calls, from outside the body), and their texts."""
        texts = []
        for n in _walk_scope(stmts):
            if not isinstance(n, ast.Call):
                continue
            func, args = n.func, n.args
            # A body converted already: ag__.converted_call(f, *args).
            if isinstance(func, ast.Attribute) and func.attr == "converted_call" and \
                    isinstance(func.value, ast.Name) and func.value.id == "ag__" and args:
                func, args = args[0], args[1:]
            exprs = [a for a in args + [k.value for k in n.keywords]
                     if isinstance(a, ast.Name)]
            if isinstance(func, ast.Attribute) and func.attr in _MUTATORS:
                exprs.append(func.value)
            for e in exprs:
                root = e
                while isinstance(root, ast.Attribute):
                    root = root.value
                if isinstance(root, ast.Name) and root.id not in bound \
                        and not root.id.startswith("ag__"):
                    text = ast.unparse(e)
                    if text not in texts:
                        texts.append(text)
        if not texts:
            return "", "None", ()
        fn = self.new_name("ag__watched")
        src = "\ndef %s():\n    return ag__.watch(%s)" % (
            fn, ", ".join("lambda: %s" % t for t in texts))
        return src, fn, tuple(texts)

    def if_(self, s):
        reason = _unsupported(s, self.declared)
        modified = sorted(_bound_names(s.body + s.orelse))
        watch_src, watch_fn, watch_names = self._watch(s.body + s.orelse, set(modified), s)
        test = self.expr(s.test)
        block = self.block if reason else self.nested_block
        body, orelse = block(s.body), block(s.orelse)
        if reason:
            s.test = self._py_cond(test, "if", s, reason)
            s.body, s.orelse = body, orelse or []
            return [s]
        outputs = [n for n in modified if n in s._ag_live_out or n in self.closure]
        scaffold, get, set_ = self._scaffold(modified)
        then_fn, else_fn = self.new_name("ag__if_body"), self.new_name("ag__else_body")
        src = "%s%s\ndef %s():\n%s    ag__block_body\ndef %s():\n%s    ag__block_orelse\n" \
              "ag__.if_stmt(ag__expr_test, %s, %s, %s, %s, %r, %r, %d, %s, %r)%s" % (
                  scaffold, watch_src, then_fn, self._nonlocal(modified), else_fn,
                  self._nonlocal(modified), then_fn, else_fn, get, set_, tuple(modified),
                  tuple(outputs), s.lineno, watch_fn, watch_names,
                  self._cleanup(modified))
        return _template(src, s, {"ag__expr_test": test},
                         {"ag__block_body": body, "ag__block_orelse": orelse})

    def _py_cond(self, test, kind, s, reason):
        what, line = reason
        return _at(ast.Call(
            func=_at(ast.Attribute(_name("ag__"), "py_cond", ast.Load()), s),
            args=[test, ast.Constant(kind), ast.Constant(s.lineno), ast.Constant(what),
                  ast.Constant(line)], keywords=[]), s)

    def _conjunction(self, exprs, loc):
        if len(exprs) == 1:
            return exprs[0]
        lambdas = [_at(ast.Lambda(args=_no_args(), body=e), loc) for e in exprs]
        return _at(ast.Call(
            func=_at(ast.Attribute(_name("ag__"), "and_", ast.Load()), loc),
            args=lambdas, keywords=[]), loc)

    def while_(self, s):
        reason = _unsupported(s, self.declared)
        if reason is None and any(isinstance(n, ast.NamedExpr) for e in [s.test] + s._ag_extra
                                  for n in ast.walk(e)):
            reason = ("an assignment expression (:=) in its condition", s.lineno)
        modified = sorted(_bound_names(s.body))
        test = self.expr(s.test)
        extras = [self.expr(e) for e in s._ag_extra]
        body = (self.block if reason else self.nested_block)(s.body)
        if reason:
            s.test = self._py_cond(self._conjunction(extras + [test], s), "while", s, reason)
            s.body = body
            return [s]
        loop_vars = [n for n in modified if n in s._ag_live_head or n in self.closure]
        scaffold, get, set_ = self._scaffold(modified)
        watch_src, watch_fn, watch_names = self._watch(s.body, set(modified), s)
        scaffold += watch_src
        test_fn, extra_fn = self.new_name("ag__loop_test"), "None"
        body_fn = self.new_name("ag__loop_body")
        exprs = {"ag__expr_test": test}
        src = scaffold + "\ndef %s():\n    return ag__expr_test" % test_fn
        if extras:
            extra_fn = self.new_name("ag__extra_test")
            src += "\ndef %s():\n    return ag__expr_extra" % extra_fn
            exprs["ag__expr_extra"] = self._conjunction(extras, s)
        src += "\ndef %s():\n%s    ag__block_body\nag__.while_stmt(%s, %s, %s, %s, %s, %r, " \
               "%r, %d, %s, %r)%s" % (body_fn, self._nonlocal(modified), test_fn, extra_fn,
                                      body_fn, get, set_, tuple(modified), tuple(loop_vars),
                                      s.lineno, watch_fn, watch_names,
                                      self._cleanup(modified))
        return _template(src, s, exprs, {"ag__block_body": body})

    def for_(self, s):
        reason = _unsupported(s, self.declared)
        if reason is None and not all(isinstance(n, (ast.Name, ast.Tuple, ast.List, ast.Store,
                                                     ast.Starred))
                                      for n in ast.walk(s.target)):
            reason = ("a loop target that is not a name", s.lineno)
        modified = sorted(_bound_names(s.body) | _bound_names(s.target))
        iter_ = self.expr(s.iter)
        extras = [self.expr(e) for e in s._ag_extra]
        body = (self.block if reason else self.nested_block)(s.body)
        if reason:
            s.iter = _at(ast.Call(
                func=_at(ast.Attribute(_name("ag__"), "py_iter", ast.Load()), s),
                args=[iter_, ast.Constant(s.lineno), ast.Constant(reason[0]),
                      ast.Constant(reason[1])], keywords=[]), s)
            if extras:
                # At the end of the body (the flags only change in it): a
                # check at the top would take one more item from the iterator.
                stop = _at(ast.If(
                    test=_at(ast.UnaryOp(ast.Not(), self._py_cond(
                        self._conjunction(extras, s), "for", s, reason)), s),
                    body=[_at(ast.Break(), s)], orelse=[]), s)
                body = body + [stop]
            s.body = body
            return [s]
        loop_vars = [n for n in modified if n in s._ag_live_head or n in self.closure]
        scaffold, get, set_ = self._scaffold(modified)
        watch_src, watch_fn, watch_names = self._watch(s.body, set(modified), s)
        body_fn, extra_fn = self.new_name("ag__loop_body"), "None"
        exprs = {"ag__expr_iter": iter_}
        src = scaffold + watch_src
        if extras:
            extra_fn = self.new_name("ag__extra_test")
            src += "\ndef %s():\n    return ag__expr_extra" % extra_fn
            exprs["ag__expr_extra"] = self._conjunction(extras, s)
        target = s.target.id if isinstance(s.target, ast.Name) else None
        src += "\ndef %s(ag__itr):\n%s    ag__target = ag__itr\n    ag__block_body\n" \
               "ag__.for_stmt(ag__expr_iter, %s, %s, %s, %s, %r, %r, %d, %r, %s, %r)%s" % (
                   body_fn, self._nonlocal(modified), extra_fn, body_fn, get, set_,
                   tuple(modified), tuple(loop_vars), s.lineno, target, watch_fn,
                   watch_names, self._cleanup(modified))
        stmts = _template(src, s, exprs, {"ag__block_body": body})
        # The target assignment: the user's own target expression.
        for n in ast.walk(ast.Module(body=stmts, type_ignores=[])):
            if isinstance(n, ast.Assign) and isinstance(n.targets[0], ast.Name) \
                    and n.targets[0].id == "ag__target":
                n.targets = [s.target]
        return stmts


_MUTATORS = {"append", "extend", "insert", "pop", "remove", "clear", "update", "add",
             "discard", "setdefault", "popitem", "sort", "reverse", "appendleft",
             "extendleft", "popleft", "rotate", "difference_update",
             "intersection_update", "symmetric_difference_update"}
_FRAME_DEPENDENT = {"super", "locals", "globals", "vars", "eval", "exec", "dir", "print"}


class _Expressions(ast.NodeTransformer):
    """and/or/not, conditional expressions and calls in user expressions."""

    def __init__(self, converter):
        self.converter = converter

    def visit_FunctionDef(self, node):  # already converted on its own
        return node

    visit_AsyncFunctionDef = visit_ClassDef = visit_FunctionDef

    @staticmethod
    def _walrus(nodes):
        return any(isinstance(n, ast.NamedExpr) for root in nodes for n in ast.walk(root))

    def _ag(self, attr, args, loc):
        return _at(ast.Call(
            func=_at(ast.Attribute(
                _at(_name("ag__"), loc), attr, ast.Load()), loc),
            args=args, keywords=[]), loc)

    def _lambda(self, e):
        return _at(ast.Lambda(args=_no_args(), body=e), e)

    def visit_BoolOp(self, node):
        self.generic_visit(node)
        if self._walrus(node.values):
            return node
        return self._ag("and_" if isinstance(node.op, ast.And) else "or_",
                        [self._lambda(v) for v in node.values], node)

    def visit_Compare(self, node):
        self.generic_visit(node)
        if len(node.ops) == 1 or self._walrus(node.comparators):
            return node
        # a < b < c is `a < b and b < c` with b evaluated once: and_ over
        # comparisons, whose operands compare_chain evaluates lazily.
        args = [node.left]
        for op, right in zip(node.ops, node.comparators):
            args += [_at(ast.Constant(type(op).__name__), node), self._lambda(right)]
        return self._ag("compare_chain", args, node)

    def visit_UnaryOp(self, node):
        self.generic_visit(node)
        if isinstance(node.op, ast.Not):
            return self._ag("not_", [node.operand], node)
        return node

    def visit_IfExp(self, node):
        self.generic_visit(node)
        if self._walrus([node.body, node.orelse]):
            return node
        return self._ag("if_exp", [node.test, self._lambda(node.body),
                                   self._lambda(node.orelse),
                                   _at(ast.Constant(node.lineno), node)], node)

    def visit_Call(self, node):
        self.generic_visit(node)
        if isinstance(node.func, ast.Name) and node.func.id == "super" and not node.args:
            # Zero-argument super() reads the first argument of the frame it
            # runs in, which is no longer the method's once the call is in
            # a generated function: spell out what Python would use.
            a = self.converter.node.args
            first = (a.posonlyargs + a.args)[:1] or ([a.vararg] if a.vararg else [])
            if first and not node.keywords:
                node.args = [_at(_name("__class__"), node), _at(_name(first[0].arg), node)]
                if a.vararg is not None and not (a.posonlyargs + a.args):
                    node.args[1] = _at(ast.Subscript(_at(_name(first[0].arg), node),
                                                     _at(ast.Constant(0), node),
                                                     ast.Load()), node)
            return node
        if isinstance(node.func, ast.Name) and node.func.id in _FRAME_DEPENDENT or (
                isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "ag__"):
            return node
        call = self._ag("converted_call", [node.func] + node.args, node)
        call.keywords = node.keywords
        return call


# ---------------------------------------------------------------------------
# Runtime: undefined variables.

class Undefined:
    """The value of a variable that has none yet (it is deleted again after
    the statement, so user code never sees one)."""

    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return "<undefined %s>" % self.name

    def _raise(self, *args, **kwargs):
        raise UnboundLocalError("cannot access local variable '%s' where it is not "
                                "associated with a value" % self.name)

    __bool__ = __call__ = __iter__ = __len__ = __getitem__ = __index__ = _raise
    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _raise
    __truediv__ = __rtruediv__ = __floordiv__ = __rfloordiv__ = __mod__ = _raise
    __pow__ = __rpow__ = __matmul__ = __rmatmul__ = __neg__ = __abs__ = _raise
    __lt__ = __le__ = __gt__ = __ge__ = __float__ = __int__ = _raise

    def __getattr__(self, attr):
        if attr.startswith("__"):
            raise AttributeError(attr)
        self._raise()


def is_undefined(x):
    return type(x) is Undefined


def _value(x):
    """A tg.Variable inside a trace is state: its value is a read, never the
    Python value it holds while tracing."""
    if _is_variable(x) and _tracing() and hasattr(x, "read_value"):
        return x.read_value()
    return x


class UndefinedReturnValue:
    """The return value of a function, every path of which ends in a
    `return`, before one has run. A traced cond or loop may replace it by
    zeros of the type the other path returns: the `do_return` flag keeps that
    value from ever being returned."""

    __slots__ = ()

    def __repr__(self):
        return "<no return value yet>"


def retval(value):
    """The value the converted function returns."""
    return None if type(value) is UndefinedReturnValue else value


def _display(name):
    if name == "ag__retval":
        return "the return value"
    if name.startswith("ag__do_return"):
        return "the flag of `return`"
    if name.startswith("ag__break"):
        return "the flag of `break`"
    if name.startswith("ag__continue"):
        return "the flag of `continue`"
    if name == "ag__ifexp":
        return "the value of the conditional expression"
    return "'%s'" % name


# ---------------------------------------------------------------------------
# Runtime: values as tensors, and nested structures.

def _is_variable(x):
    v = getattr(_pkg(), "Variable", None)
    return v is not None and isinstance(x, v)


def _is_tensor_like(x):
    if _is_variable(x):
        return False
    if _is_traced(x) or isinstance(x, (np.ndarray, np.generic)):
        return True
    eager = getattr(_pkg(), "EagerTensor", None)
    return eager is not None and isinstance(x, eager)


def _kind(x):
    if x is None:
        return "none"
    if type(x) is UndefinedReturnValue:
        return "undefret"
    if type(x) in (bool, int, float):
        return "py"
    if _is_tensor_like(x):
        return "tensor"
    return "object"


def _describe(x):
    k = _kind(x)
    if k == "tensor":
        return "a %s tensor of shape %s" % (_dtype(x), tuple(x.shape))
    if k == "py":
        return "the Python %s %r" % (type(x).__name__, x)
    if k == "none":
        return "None"
    if k == "undefret":
        return "no value (the function has not returned)"
    return "a %s" % type(x).__name__


def _dtype(x):
    try:
        return np.dtype(x.dtype)
    except TypeError:
        return x.dtype


def _py_dtype(*values):
    """TF's dtype of Python scalars: bool, int32 (int64 when it does not
    fit), float32."""
    if all(type(v) is bool for v in values):
        return np.dtype(np.bool_)
    if any(type(v) is float for v in values):
        return np.dtype(np.float32)
    if all(-2**31 <= v < 2**31 for v in values):
        return np.dtype(np.int32)
    return np.dtype(np.int64)


def _to_tensor(value, dtype, what, file, line):
    """A Python scalar as a graph constant of `dtype`; it must convert exactly."""
    try:
        converted = _dtypes.array(value, dtype)
    except OverflowError:  # a Python int past int64
        converted = None
    if converted is None or _dtypes.to_numbers(converted) != value:
        raise _error("%s is %r, which is not exactly representable as %s" % (
            what, value, _dtypes.name(dtype)), file, line)
    return _constant(converted, dtype)


def _constant(value, dtype):
    """tg.constant(value, dtype), cast when the core gives another dtype."""
    tg = _pkg()
    t = tg.constant(value, dtype)
    return t if _dtype(t) == dtype else tg.cast(t, dtype)


def _flatten(value):
    """(structure, leaves) of nested tuples, lists and dicts."""
    if isinstance(value, (tuple, list)) and not _is_tensor_like(value):
        subs = [_flatten(v) for v in value]
        kind = type(value) if type(value) not in (tuple, list) else type(value).__name__
        return (kind, tuple(s[0] for s in subs)), [l for s in subs for l in s[1]]
    if type(value) is dict:
        keys = list(value)
        try:
            keys = sorted(keys)
        except TypeError:
            pass
        subs = [_flatten(value[k]) for k in keys]
        return ("dict", tuple(keys), tuple(s[0] for s in subs)), [
            l for s in subs for l in s[1]]
    return None, [value]


def _unflatten(structure, leaves):
    it = iter(leaves)

    def build(s):
        if s is None:
            return next(it)
        if s[0] == "dict":
            return {k: build(c) for k, c in zip(s[1], s[2])}
        children = [build(c) for c in s[1]]
        if s[0] == "tuple":
            return tuple(children)
        if s[0] == "list":
            return children
        if hasattr(s[0], "_fields"):  # a namedtuple
            return s[0](*children)
        return s[0](children)
    return build(structure)


def _same(a, b):
    if a is b:
        return True
    try:
        return bool(a == b) and type(a) is type(b)
    except Exception:  # noqa: BLE001 (objects whose == is unusual are different)
        return False


def _pred(c, kind, file, line):
    """The condition of a traced if/while as a scalar bool tensor."""
    if type(c) is bool or isinstance(c, np.bool_):
        return _constant(np.bool_(c), np.dtype(np.bool_))
    if not _is_tensor_like(c):
        raise _error("the condition of the %s is %s; tg needs a scalar bool tensor"
                     % (kind, _describe(c)), file, line)
    if _dtype(c) == np.dtype(np.bool_) and tuple(c.shape) != () and int(np.prod(c.shape)) == 1:
        c = _pkg().reshape(c, ())
    if _dtype(c) != np.dtype(np.bool_) or tuple(c.shape) != ():
        raise _error("the condition of the %s is %s; tg.cond and tg.while_loop need a "
                     "scalar bool tensor (compare it, e.g. `x > 0`, or reduce it)"
                     % (kind, _describe(c)), file, line)
    return c


def _logical(op, a, b):
    tg = _pkg()
    f = getattr(tg, "logical_" + op, None)
    if f is not None:
        return f(a, b)
    return tg.where(a, b, False) if op == "and" else tg.where(a, True, b)


def _check_bool_operand(x, op):
    if _dtype(x) != np.dtype(np.bool_):
        file, line = _caller()
        raise _error("`%s` on %s: tg needs bool tensors here (compare them, e.g. "
                     "`x > 0`)" % (op, _describe(x)), file, line)


# ---------------------------------------------------------------------------
# Runtime: operators.

def _lazy_logical(op, operands):
    """Python's lazy `and`/`or` over operand functions; on traced bool
    tensors, a logical and/or (every operand is then evaluated: graph ops
    are pure). A Python value decides the whole expression when it is
    falsy for `and`, truthy for `or`."""
    decides = (lambda v: not v) if op == "and" else bool
    result = _value(operands[0]())
    for f in operands[1:]:
        if not _is_traced(result):
            if decides(result):
                return result
            result = _value(f())
            continue
        _check_bool_operand(result, op)
        b = _value(f())
        if _is_traced(b) or _is_tensor_like(b):
            _check_bool_operand(b, op)
            result = _logical(op, result, b)
        elif decides(b):
            return b
    return result


def and_(*operands):
    """Python's lazy `and`; on traced bool tensors, a logical and."""
    return _lazy_logical("and", operands)


def or_(*operands):
    """Python's lazy `or`; on traced bool tensors, a logical or."""
    return _lazy_logical("or", operands)


_COMPARE = {"Eq": lambda a, b: a == b, "NotEq": lambda a, b: a != b,
            "Lt": lambda a, b: a < b, "LtE": lambda a, b: a <= b,
            "Gt": lambda a, b: a > b, "GtE": lambda a, b: a >= b,
            "Is": lambda a, b: a is b, "IsNot": lambda a, b: a is not b,
            "In": lambda a, b: a in b, "NotIn": lambda a, b: a not in b}


def compare_chain(left, *ops_and_operands):
    """`left op1 b op2 c ...` (operands after the first as functions):
    Python's chained comparison, the `and` of the comparisons being and_."""
    result = None
    for i in range(0, len(ops_and_operands), 2):
        op, right = ops_and_operands[i], ops_and_operands[i + 1]()
        r = _COMPARE[op](left, right)
        result = r if result is None else and_(lambda: result, lambda: r)
        if not _is_traced(result) and not result:
            return result
        left = right
    return result


def not_(x):
    x = _value(x)
    if _is_traced(x):
        _check_bool_operand(x, "not")
        tg = _pkg()
        f = getattr(tg, "logical_not", None)
        return f(x) if f is not None else tg.where(x, False, True)
    return not x


def py_cond(value, kind, line, construct, construct_line):
    """The condition of a statement kept as Python: a traced one is an error."""
    if _is_traced(value):
        file = _user_file()
        raise _error("the condition of this %s is a traced tensor, so it would become "
                     "%s, but the %s contains %s (line %d), which tg cannot convert" % (
                         kind, "tg.cond" if kind == "if" else "tg.while_loop", kind,
                         construct, construct_line), file, line)
    return value


def py_iter(value, line, construct, construct_line):
    """The iterable of a `for` kept as Python."""
    if isinstance(value, RangeSpec):
        file = _user_file()
        raise _error("this for loop over tg.range would become a tg.while_loop, but it "
                     "contains %s (line %d), which tg cannot convert" % (
                         construct, construct_line), file, line)
    if _is_traced(value):
        return _tensor_items(value, _user_file(), line)
    return value


def _tensor_items(x, file, line):
    if not x.shape:
        raise _error("cannot iterate over a scalar tensor", file, line)
    tg = _pkg()
    for k in range(x.shape[0]):
        try:
            yield x[k]
        except tg.TgError:  # a core without integer indexing
            yield tg.reshape(x[k:k + 1], tuple(x.shape[1:]))


def watch(*getters):
    """The values of the expressions a traced statement might change in
    place (None for those that cannot be read)."""
    values = []
    for g in getters:
        try:
            values.append(g())
        except (NameError, AttributeError):
            values.append(None)
    return values


_CONTAINERS = (list, dict, set, bytearray, collections.deque)


def _items(v):
    if isinstance(v, dict):
        for k, x in v.items():
            yield k
            yield x
    elif isinstance(v, set):
        yield from sorted(v, key=id)
    else:
        yield from v


class _Mutations:
    """Python containers from outside a traced region, and their contents
    when it started: a region that changes them would do so whatever the
    data (a cond traces both branches, a loop its body once)."""

    def __init__(self, named_values):
        self.snapshots = [(name, v, list(_items(v))) for name, v in named_values
                          if isinstance(v, _CONTAINERS)]

    def check(self, kind, file, line):
        for name, v, old in self.snapshots:
            new = list(_items(v))
            if len(new) == len(old) and all(a is b for a, b in zip(new, old)):
                continue
            if kind == "if":
                why = ("tg.cond traces both branches whatever the condition, so the change "
                       "would not depend on it; use a Python condition, or compute tensors "
                       "(e.g. with tg.where)")
            else:
                why = ("tg.while_loop traces its body once, so the container cannot change "
                       "per iteration; carry the values in a tensor loop variable instead")
            raise _error("%s is a Python %s that this tensor-dependent %s changes in place; %s"
                         % ("'%s'" % name if not name.startswith("ag__") else _display(name),
                            type(v).__name__, kind, why), file, line)


def _mutations(names, values, watched, watched_names):
    pairs = list(zip(names, values))
    if watched is not None:
        pairs += list(zip(watched_names, watched()))
    return _Mutations(pairs)


class _Retry(BaseException):
    """Both branches of a cond must return a tensor at a slot where the
    first-traced branch had a Python value: trace again with `plan`."""

    def __init__(self, plan):
        super().__init__()
        self.plan = plan


def if_stmt(cond, body, orelse, get_state, set_state, names, outputs, line, watched=None,
            watched_names=()):
    """`if cond: body() else: orelse()`; a tg.cond when cond is traced.
    `watched()` gives what the branches might change in place (named
    `watched_names`): a traced cond must leave it alone."""
    cond = _value(cond)
    if not _is_traced(cond):
        if cond:
            body()
        else:
            orelse()
        return
    _traced_if(cond, body, orelse, get_state, set_state, names, outputs, _user_file(), line,
               watched, watched_names)


def if_exp(cond, if_true, if_false, line):
    """`if_true() if cond else if_false()`; a tg.cond when cond is traced."""
    cond = _value(cond)
    if not _is_traced(cond):
        return if_true() if cond else if_false()
    box = [Undefined("ag__ifexp")]

    def set_state(values):
        box[0] = values[0]
    _traced_if(cond, lambda: set_state((if_true(),)), lambda: set_state((if_false(),)),
               lambda: (box[0],), set_state, ("ag__ifexp",), ("ag__ifexp",),
               _user_file(), line, None, ())
    return box[0]


def _traced_if(cond, body, orelse, get_state, set_state, names, outputs, file, line,
               watched, watched_names):
    tg = _pkg()
    pred = _pred(cond, "if", file, line)
    init = get_state()
    mutations = _mutations(names, init, watched, watched_names)
    out_idx = [i for i, n in enumerate(names) if n in outputs]
    # (output position, leaf index) -> (dtype, shape) of a slot that the if
    # branch, traced first, must also give as a tensor: learnt from the else
    # branch, then both are traced again.
    plan = {}
    record = {}

    def branch(taken):
        set_state(init)
        (body if taken else orelse)()
        mutations.check("if", file, line)
        values = get_state()
        flat = [None if is_undefined(values[i]) else _flatten(values[i]) for i in out_idx]
        if taken:
            record["then"] = flat
            outs = []
            for pos, mine in enumerate(flat):
                for j, leaf in enumerate(mine[1] if mine else ()):
                    if (pos, j) in plan:
                        outs.append(_as_spec(leaf, plan[(pos, j)], names[out_idx[pos]],
                                             leaf, file, line))
                    elif _kind(leaf) == "tensor":
                        outs.append(leaf)
            return tuple(outs)
        outs = []
        for pos, mine in enumerate(flat):
            name, theirs = names[out_idx[pos]], record["then"][pos]
            if (theirs is None) != (mine is None):
                only, missing = ("if", "else") if mine is None else ("else", "if")
                if name.startswith("ag__"):
                    raise _error("%s is set only in the %s branch of the if; give it a value "
                                 "in the %s branch too" % (_display(name), only, missing),
                                 file, line)
                raise _error("'%s' is assigned only in the %s branch; give it a value in "
                             "the %s branch too (or before the if)" % (name, only, missing),
                             file, line)
            if mine is None:
                continue
            if theirs[0] != mine[0]:
                raise _error("%s has a different structure in the two branches of the if: "
                             "%r and %r" % (_display(name), _unflatten(*theirs),
                                            values[out_idx[pos]]), file, line)
            for j, (then_leaf, else_leaf) in enumerate(zip(theirs[1], mine[1])):
                out = _pair(name, then_leaf, else_leaf, (pos, j))
                if out is not _STATIC:
                    outs.append(out)
        return tuple(outs)

    def _pair(name, then_leaf, else_leaf, slot):
        """What the else branch gives at a slot; raises _Retry when the if
        branch must give a tensor there too."""
        tk, ek = _kind(then_leaf), _kind(else_leaf)
        if tk in _TENSORISH and ek in _TENSORISH and not tk == ek == "undefret":
            if slot in plan:
                spec = plan[slot]
            elif tk == "tensor":
                spec = (_dtype(then_leaf), tuple(then_leaf.shape))
            elif tk == ek == "py" and _same(then_leaf, else_leaf):
                return _STATIC
            elif ek == "tensor":
                raise _Retry({**plan, slot: (_dtype(else_leaf), tuple(else_leaf.shape))})
            else:
                numbers = [v for v in (then_leaf, else_leaf) if type(v) in (bool, int, float)]
                raise _Retry({**plan, slot: (_py_dtype(*numbers), ())})
            return _as_spec(else_leaf, spec, name, then_leaf, file, line, "else")
        if tk == ek and tk in ("none", "undefret"):
            return _STATIC
        if tk == ek == "object" and _same(then_leaf, else_leaf):
            return _STATIC
        if "undefret" in (tk, ek) or name == "ag__retval":
            raise _error("the function returns %s on one path and %s on another, and this "
                         "if depends on a tensor; return a tensor on every path (falling off "
                         "the end returns None)" % (_describe(then_leaf), _describe(else_leaf)),
                         file, line)
        raise _error("%s is %s in the if branch and %s in the else branch; in a tg.cond only "
                     "tensors and numbers can differ between the branches" % (
                         _display(name), _describe(then_leaf), _describe(else_leaf)),
                     file, line)

    for _ in range(64):
        try:
            results = tg.cond(pred, lambda: branch(True) or (_dummy(),),
                              lambda: branch(False) or (_dummy(),))
            break
        except _Retry as retry:
            plan = retry.plan
    else:
        raise AssertionError("tg.autograph: the branches of a cond do not settle")
    results = results if isinstance(results, (tuple, list)) else (results,)
    # The outputs: tensor slots from the cond, the others from the (equal)
    # branch values; the other assigned names get their values back.
    final = list(init)
    it = iter(results)
    for pos, i in enumerate(out_idx):
        then = record["then"][pos]
        if then is None:
            continue
        leaves = [next(it) if (pos, j) in plan or _kind(leaf) == "tensor" else leaf
                  for j, leaf in enumerate(then[1])]
        final[i] = _unflatten(then[0], leaves)
    set_state(tuple(final))


_TENSORISH = ("tensor", "py", "undefret")


def _as_spec(value, spec, name, other, file, line, branch="if"):
    """`value` as a tensor of spec = (dtype, shape): a tensor must match it,
    a Python number converts exactly, an undefined return value is zeros."""
    dtype, shape = spec
    k = _kind(value)
    if k == "undefret":
        return _constant(np.zeros(shape, dtype), dtype)
    if k == "py" and shape == ():
        return _to_tensor(value, dtype, _display(name), file, line)
    if k == "tensor" and (_dtype(value), tuple(value.shape)) == (dtype, shape):
        return value
    mine, theirs = (value, other) if branch == "if" else (other, value)
    raise _error("%s is %s in the if branch and %s in the else branch; tg.cond needs the "
                 "same shape and dtype in both" % (_display(name), _describe(mine),
                                                   _describe(theirs)), file, line)


_STATIC = object()


def _dummy():
    """A result for a tg.cond / tg.while_loop with nothing else to carry."""
    return _constant(np.int32(0), np.dtype(np.int32))


def while_stmt(test, extra_test, body, get_state, set_state, names, loop_vars, line,
               watched=None, watched_names=()):
    """`while extra_test() and test(): body()`; a tg.while_loop when the first
    evaluation of the condition is a traced tensor."""
    file = _user_file()
    iteration = 0
    while True:
        if extra_test is not None:
            extra = _value(extra_test())
            if _is_traced(extra):
                if iteration == 0:
                    break
                raise _error("a `break` or `return` inside this Python while loop depends "
                             "on a tensor; make the loop condition a tensor before the loop "
                             "(e.g. with tg.constant) so that the loop becomes a "
                             "tg.while_loop", file, line)
            if not extra:
                return
        c = _value(test())
        if _is_traced(c):
            if iteration == 0:
                break
            raise _error("the condition of this while loop was a Python value when the loop "
                         "started and became a tensor after %d iteration(s); make it a "
                         "tensor before the loop (e.g. with tg.constant) so that the loop "
                         "becomes a tg.while_loop" % iteration, file, line)
        if not c:
            return
        body()
        iteration += 1
    _traced_loop(test, extra_test, body, get_state, set_state, names, loop_vars, file, line,
                 watched=watched, watched_names=watched_names)


def for_stmt(iterable, extra_test, body, get_state, set_state, names, loop_vars, line,
             target=None, watched=None, watched_names=()):
    """`for x in iterable: body(x)` while extra_test() holds. A tg.range
    inside a trace becomes a tg.while_loop over an int32 counter; Python
    iterables (and traced tensors, over their first axis) are unrolled, each
    iteration under a tg.cond once extra_test (a break or return flag) is a
    traced tensor."""
    file = _user_file()
    iterable = _value(iterable)
    if isinstance(iterable, RangeSpec):
        _traced_loop(None, extra_test, body, get_state, set_state, names, loop_vars, file,
                     line, rng=iterable, target=target, watched=watched,
                     watched_names=watched_names)
        return
    items = _tensor_items(iterable, file, line) if _is_traced(iterable) else iterable
    it = iter(items)
    while True:
        extra = True if extra_test is None else _value(extra_test())
        if not _is_traced(extra) and not extra:
            return
        try:
            item = next(it)
        except StopIteration:
            return
        if _is_traced(extra):
            _traced_if(extra, functools.partial(body, item), lambda: None, get_state,
                       set_state, names, loop_vars, file, line, watched, watched_names)
        else:
            body(item)


def _traced_loop(test, extra_test, body, get_state, set_state, names, loop_names, file,
                 line, rng=None, target=None, watched=None, watched_names=()):
    init = get_state()
    mutations = _mutations(names, init, watched, watched_names)
    placeholders = {}
    for _ in range(64):
        try:
            return _traced_loop_once(test, extra_test, body, set_state, get_state, names,
                                     loop_names, file, line, rng, target, init, placeholders,
                                     mutations)
        except _Retry as retry:
            placeholders = retry.plan
            set_state(init)
    raise AssertionError("tg.autograph: the loop variables do not settle")


def _traced_loop_once(test, extra_test, body, set_state, get_state, names, loop_names, file,
                      line, rng, target, init, placeholders, mutations):
    """One try at the tg.while_loop; raises _Retry with the (dtype, shape) of
    the return values the body defines that had none before the loop."""
    tg = _pkg()
    init = list(init)
    index = [i for i, n in enumerate(names) if n in loop_names]
    counter0 = delta = limit = None
    if rng is not None:
        counter0, limit, delta = rng._tensors(file, line)
        if target in names:
            t = names.index(target)
            if t in index and is_undefined(init[t]):
                init[t] = counter0  # its value after a loop that runs zero times
    specs, flat_init = [], []
    for i in index:
        v = init[i]
        if is_undefined(v):
            raise _error("%s is assigned in this tensor-dependent loop and used in a later "
                         "iteration or after the loop, but has no value before it; give it a "
                         "value before the loop" % _display(names[i]), file, line)
        structure, leaves = _flatten(v)
        slots = []
        for j, leaf in enumerate(leaves):
            if (i, j) in placeholders:
                leaf = _as_spec(leaf, placeholders[(i, j)], names[i], leaf, file, line)
            k = _kind(leaf)
            if k == "py":
                leaf = _to_tensor(leaf, _py_dtype(leaf), _display(names[i]), file, line)
                k = "tensor"
            if k == "tensor":
                slots.append(("tensor", _dtype(leaf), tuple(leaf.shape)))
                flat_init.append(leaf)
            else:
                slots.append(("static", leaf))
        specs.append((structure, slots))
    lead = [counter0] if rng is not None else []
    dummy = not flat_init and rng is None
    start = tuple(lead + flat_init + ([_dummy()] if dummy else []))

    def rebuild(values):
        state = list(init)
        it = iter(values)
        for i, (structure, slots) in zip(index, specs):
            state[i] = _unflatten(structure, [next(it) if s[0] == "tensor" else s[1]
                                              for s in slots])
        return tuple(state)

    def split(values):
        values = list(values)
        counter = values.pop(0) if rng is not None else None
        return counter, values

    def cond_fn(*values):
        counter, values = split(values)
        set_state(rebuild(values))
        if rng is not None:
            c = rng._test(counter, limit, delta)
        else:
            c = _value(test())
        if extra_test is not None:
            c = _and_values(_value(extra_test()), c)
        return _pred(c, "while" if rng is None else "for", file, line)

    def body_fn(*values):
        counter, values = split(values)
        set_state(rebuild(values))
        if rng is not None:
            body(counter)
        else:
            body()
        mutations.check("loop", file, line)
        new = get_state()
        outs = []
        for i, (structure, slots) in zip(index, specs):
            name = _display(names[i])
            v = new[i]
            if is_undefined(v):
                raise _error("%s has no value after an iteration of the loop" % name,
                             file, line)
            s2, leaves = _flatten(v)
            if s2 != structure:
                raise _error("%s changes its structure in the loop: %r before, %r after an "
                             "iteration" % (name, init[i], v), file, line)
            for j, (slot, leaf) in enumerate(zip(slots, leaves)):
                k = _kind(leaf)
                if slot[0] == "static" and _kind(slot[1]) == "undefret" and k in _TENSORISH \
                        and k != "undefret":
                    spec = (_dtype(leaf), tuple(leaf.shape)) if k == "tensor" else (
                        _py_dtype(leaf), ())
                    raise _Retry({**placeholders, (i, j): spec})
                if slot[0] == "static":
                    if not _same(slot[1], leaf) and names[i] == "ag__retval":
                        raise _error("a `return` in this tensor-dependent loop returns %s, "
                                     "but the function returns %s when the loop does not "
                                     "return (falling off the end returns None); return a "
                                     "tensor on every path" % (_describe(leaf),
                                                               _describe(slot[1])),
                                     file, line)
                    if not _same(slot[1], leaf):
                        raise _error("%s is %s before the loop and %s after an iteration; "
                                     "a tg.while_loop's variables must be tensors (or "
                                     "numbers)" % (name, _describe(slot[1]),
                                                   _describe(leaf)), file, line)
                    continue
                if k == "py":
                    leaf = _to_tensor(leaf, slot[1], name, file, line)
                elif k != "tensor" or (_dtype(leaf), tuple(leaf.shape)) != slot[1:]:
                    raise _error("%s is a %s tensor of shape %s before the loop and %s "
                                 "after an iteration; a tg.while_loop's variables keep their "
                                 "shape and dtype" % (name, slot[1], slot[2],
                                                      _describe(leaf)), file, line)
                outs.append(leaf)
        lead_out = [counter + delta] if rng is not None else []
        return tuple(lead_out + outs + ([values[-1]] if dummy else []))

    results = tg.while_loop(cond_fn, body_fn, start)
    results = results if isinstance(results, (tuple, list)) else (results,)
    _, values = split(results)
    set_state(rebuild(values[:len(flat_init)]))


def _and_values(a, b):
    """a and b for the conditions of a traced loop (either may be Python)."""
    if not _is_traced(a) and not _is_tensor_like(a):
        return b if a else False
    if not _is_traced(b) and not _is_tensor_like(b):
        return a if b else False
    return _logical("and", a, b)


# ---------------------------------------------------------------------------
# tg.range

def _arange(start, limit, delta, dtype):
    """np.arange in `dtype`; bfloat16 (which numpy cannot count in) is counted
    in float32 and rounded."""
    if dtype == _dtypes.bfloat16:
        return _dtypes.array(np.arange(start, limit, delta, dtype=np.float32), dtype)
    return np.arange(start, limit, delta, dtype=dtype)


class RangeSpec:
    """tg.range(...) inside a trace: the bounds of a loop that a converted
    `for` turns into a tg.while_loop over an int32 counter."""

    def __init__(self, start, limit, delta, dtype):
        self.start, self.limit, self.delta, self.dtype = start, limit, delta, dtype

    def __repr__(self):
        return "tg.range(%r, %r, %r)" % (self.start, self.limit, self.delta)

    def _python(self):
        return all(type(v) in (int, float) for v in (self.start, self.limit, self.delta))

    def __iter__(self):
        file, line = _caller()
        raise _error("tg.range(...) inside a tg.function is a loop for AutoGraph: iterate it "
                     "with a `for` statement directly in a function that tg.function converts "
                     "(autograph=True, the default); use Python's range() to unroll the loop "
                     "instead", file, line)

    def __len__(self):
        if not self._python():
            file, line = _caller()
            raise _error("the length of a tg.range with tensor bounds is not known when "
                         "tracing", file, line)
        return len(_arange(self.start, self.limit, self.delta, self.dtype))

    @property
    def shape(self):
        return (len(self),)

    def __array__(self, dtype=None, copy=None):
        a = _arange(self.start, self.limit, self.delta, self.dtype)
        return a if dtype is None else _dtypes.array(a, np.dtype(dtype))

    def numpy(self):
        return self.__array__()

    def _tensors(self, file, line):
        """(start, limit, delta) for the loop: start is a tensor of the
        range's dtype, the others Python ints or tensors."""
        values = []
        for what, v in (("start", self.start), ("limit", self.limit), ("delta", self.delta)):
            if type(v) in (int, float):
                values.append(v)
                continue
            if not _is_tensor_like(v) or tuple(v.shape) != () or _dtype(v).kind not in "iuf":
                raise _error("tg.range: %s is %s; it must be a number" % (
                    what, _describe(v)), file, line)
            values.append(v)
        start, limit, delta = values
        if type(delta) in (int, float) and delta == 0:
            raise _error("tg.range: delta must not be zero", file, line)
        if type(start) in (int, float):
            start = _to_tensor(start, self.dtype, "the start of tg.range", file, line)
        elif _dtype(start) != self.dtype:
            start = _pkg().cast(start, self.dtype)
        return start, limit, delta

    @staticmethod
    def _test(counter, limit, delta):
        if type(delta) in (int, float):
            return counter < limit if delta > 0 else counter > limit
        return _pkg().where(delta > 0, counter < limit, counter > limit)


def range_(start, limit=None, delta=1, dtype=None, name=None):  # noqa: ARG001 (TF's name)
    """tf.range: with Python (or eager) bounds and no trace active, an eager
    tensor of np.arange (int32, or float32 for float bounds: TF's dtypes);
    inside a trace, a RangeSpec that a converted `for` loop turns into a
    tg.while_loop (TF's rule, even for Python bounds)."""
    if limit is None:
        start, limit = 0, start
    bounds = [start, limit, delta]
    if dtype is None:
        order = [np.dtype(t) for t in (np.int32, np.int64, np.float32, np.float64)]
        kinds = [_dtype(v) if _is_tensor_like(v) else order[2] if isinstance(v, float)
                 else order[0] for v in bounds]
        dtype = max(kinds, key=lambda d: order.index(d) if d in order else 0)
    dtype = np.dtype(dtype)
    # Eager tensors and numpy scalars are Python numbers from here on.
    bounds = [_dtypes.to_numbers(np.asarray(v)).item()
              if _is_tensor_like(v) and not _is_traced(v) else v for v in bounds]
    if not _tracing() and not any(_is_traced(v) for v in bounds):
        if bounds[2] == 0:
            file, line = _caller()
            raise _error("tg.range: delta must not be zero", file, line)
        return _constant(_arange(*bounds, dtype), dtype)
    return RangeSpec(*bounds, dtype=dtype)
