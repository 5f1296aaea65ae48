"""Traced graphs: what `tg.function` builds, and how it becomes MLIR text.

A `Graph` is the function being traced: a tree of `Region`s (the function
body, and the bodies of the `scf.if`/`scf.while` ops that tg.cond and
tg.while_loop make) holding `Node`s, one per op, whose results are
`SymbolicTensor`s. Names are given only when a graph is printed, so the
same nodes can also be printed into another function: that is how a
GradientTape inside a function outlines the ops it recorded into the
private function that a `tg.grad` op differentiates.

The graphs being traced form a per-thread stack (`current()`): tracing in
one thread never sees another's.

Variables are state: the first read of a `tg.Variable` in a graph makes an
implicit argument of the function (its value at call time); `assign*`
replaces the Variable's value in the innermost state layer (one per region
being traced), and the values left at the end are extra results of the
function, written back into the Variables after each call.
"""
import threading

from ._errors import TgError, error, user_location
from ._tensor import SymbolicTensor, mlir_type

_local = threading.local()


def _stack():
    stack = getattr(_local, "graphs", None)
    if stack is None:
        stack = _local.graphs = []
    return stack


def current():
    """The innermost graph being traced in this thread, or None."""
    stack = _stack()
    return stack[-1] if stack else None


class tracing:  # noqa: N801 (a context manager)
    """`with tracing(graph):` makes `graph` the current one."""

    def __init__(self, graph):
        self.graph = graph

    def __enter__(self):
        _stack().append(self.graph)
        return self.graph

    def __exit__(self, *exc):
        _stack().pop()
        return False


def _mlir_string(text):
    """`text` as the body of an MLIR string literal: printable ASCII as it
    is, every other byte (control characters such as a newline in a file
    name, UTF-8, bytes Python could not decode) as a \\XX escape."""
    out = []
    for byte in text.encode("utf-8", "surrogateescape"):
        c = chr(byte)
        if c in '"\\' or not 32 <= byte < 127:
            out.append("\\%02X" % byte)
        else:
            out.append(c)
    return "".join(out)


def loc_text(loc):
    return 'loc("%s":%d:0)' % (_mlir_string(loc[0]), loc[1])


class Node:
    """One op: `results = op prefix operands attrs : types`, or a custom
    `printer(node, printer, indent)`."""

    __slots__ = ("op", "operands", "results", "prefix", "attrs", "types", "loc",
                 "regions", "seq", "printer", "_free")

    def __init__(self, op, operands, prefix, attrs, types, loc, regions, printer):
        self.op, self.operands, self.prefix, self.attrs = op, operands, prefix, attrs
        self.types, self.loc, self.regions, self.printer = types, loc, regions, printer
        self.results, self.seq, self._free = [], 0, None

    def free_values(self):
        """Values the node's regions use from outside them."""
        if self._free is None:
            inside, free = set(), []

            def visit(region):
                for a in region.args:
                    inside.add(id(a))
                for n in region.nodes:
                    for o in n.operands:
                        if id(o) not in inside:
                            free.append(o)
                    for r in n.regions:
                        visit(r)
                    for r in n.results:
                        inside.add(id(r))
                for y in region.yields or ():
                    if id(y) not in inside:
                        free.append(y)
            for r in self.regions:
                visit(r)
            seen, unique = set(), []
            for f in free:
                if id(f) not in seen:
                    seen.add(id(f))
                    unique.append(f)
            self._free = unique
        return self._free

    def dependencies(self):
        return list(self.operands) + self.free_values()


class Region:
    """A block of nodes: the function body or a control-flow op's body."""

    def __init__(self, graph, parent):
        self.graph, self.parent = graph, parent
        self.nodes, self.args, self.yields = [], [], None

    def encloses(self, other):
        while other is not None:
            if other is self:
                return True
            other = other.parent
        return False


class Graph:
    """The function being traced."""

    def __init__(self):
        self.root = Region(self, None)
        self.region = self.root
        self.params = []        # explicit arguments, in order
        self.implicit = []      # (kind, object, param): "var" Variables, "capture" arrays
        self._implicit_index = {}
        self.seq = 0
        self.functions = []     # private functions (outlined tapes), as text
        self.tapes = []         # GradientTapes active in this graph
        self.var_layers = [{}]  # id(Variable) -> (Variable, value), innermost last
        self.prints = []        # (format, tensors) of tg.print, in order

    # Values ------------------------------------------------------------------
    def parameter(self, shape, dtype):
        t = SymbolicTensor(shape, dtype, self.root)
        self.params.append(t)
        return t

    def captured(self, obj):
        """The argument that captured `obj`, if one did."""
        return self._implicit_index.get(id(obj))

    def implicit_input(self, kind, obj, shape, dtype):
        """The argument that carries a Variable's value or a captured array."""
        key = id(obj)
        if key not in self._implicit_index:
            t = SymbolicTensor(shape, dtype, self.root)
            self._implicit_index[key] = t
            self.implicit.append((kind, obj, t))
        return self._implicit_index[key]

    # Ops -----------------------------------------------------------------------
    def emit(self, op, operands, result_types, prefix="", attrs="", types=None,
             loc=None, regions=(), printer=None):
        """Appends a node to the current region; returns its results."""
        for o in operands:
            self.check_visible(o)
        loc = loc or user_location(2)
        if types is None:
            types = "(%s) -> %s" % (", ".join(o.type for o in operands),
                                    ", ".join(mlir_type(s, d) for s, d in result_types))
        node = Node(op, list(operands), prefix, attrs, types, loc, list(regions), printer)
        node.results = [SymbolicTensor(s, d, self.region, node, i, loc)
                        for i, (s, d) in enumerate(result_types)]
        self.seq += 1
        node.seq = self.seq
        self.region.nodes.append(node)
        return node.results

    def check_visible(self, t):
        if not isinstance(t, SymbolicTensor):
            raise TgError("internal error: operand %r is not a traced tensor" % (t,))
        if t.region.graph is not self:
            raise error("a traced tensor of another tg.function trace (kept from an "
                        "earlier trace, or from an enclosing function) is used here; "
                        "pass it as an argument instead")
        if not t.region.encloses(self.region):
            raise error("a tensor computed inside a tg.cond branch or tg.while_loop "
                        "body (at %s:%d) is used outside it; return it from the branch "
                        "or body instead" % (t.loc or ("?", 0)))

    def alias(self, t, var_read=None, loc=None):
        """A new tensor with t's value: a Variable read, or stop_gradient (a
        GradientTape does not differentiate through it)."""
        (r,) = self.emit("alias", [t], [(t.shape, t.dtype)], loc=loc, printer=_print_alias)
        r.var_read = var_read
        return r

    # Regions ---------------------------------------------------------------
    def trace_region(self, build, args=()):
        """Runs build() with a new region (block arguments `args`, shapes and
        dtypes) current; returns (region, what build returned, Variables
        assigned in it as {id: (var, value)})."""
        region = Region(self, self.region)
        region.args = [SymbolicTensor(s, d, region) for s, d in args]
        saved = self.region
        self.region = region
        self.var_layers.append({})
        try:
            result = build(*region.args)
        finally:
            self.region = saved
            assigned = self.var_layers.pop()
        return region, result, assigned

    # Variables ---------------------------------------------------------------
    def variable_value(self, var):
        for layer in reversed(self.var_layers):
            if id(var) in layer:
                return layer[id(var)][1]
        return self.implicit_input("var", var, var.shape, var.dtype)

    def read_variable(self, var, loc=None):
        return self.alias(self.variable_value(var), var_read=var, loc=loc)

    def assign_variable(self, var, value):
        self.var_layers[-1][id(var)] = (var, value)

    def assigned_variables(self):
        """(Variable, final value) of the Variables the function assigns."""
        return [(v, t) for v, t in self.var_layers[0].values()]

    # Printing ------------------------------------------------------------------
    def function_text(self, name, results, private=False):
        """The traced function as a func.func returning `results`."""
        p = Printer()
        params = self.params + [t for _, _, t in self.implicit]
        for i, t in enumerate(params):
            p.names[id(t)] = "%%arg%d" % i
        p.print_nodes(self.root.nodes, "  ")
        rtypes = ", ".join(t.type for t in results)
        head = "func.func %s@%s(%s) -> (%s) {" % (
            "private " if private else "", name,
            ", ".join("%s: %s" % (p.names[id(t)], t.type) for t in params), rtypes)
        ret = "  return %s : %s" % (", ".join(p.name(t) for t in results), rtypes) \
            if results else "  return"
        return "\n".join([head] + p.lines + [ret, "}", ""])

    def module_text(self, name, results):
        return "".join(self.functions) + self.function_text(name, results)


class Printer:
    """Gives SSA names and prints nodes as MLIR text lines."""

    def __init__(self):
        self.names, self.lines, self.count = {}, [], 0

    def fresh(self):
        self.count += 1
        return "%%v%d" % (self.count - 1)

    def name(self, t):
        try:
            return self.names[id(t)]
        except KeyError:
            raise TgError("internal error: a traced value is used before it is "
                          "defined (%r)" % (t,)) from None

    def define(self, results):
        """The left-hand side for these results; names them."""
        base = self.fresh()
        if len(results) == 1:
            self.names[id(results[0])] = base
            return base
        for i, r in enumerate(results):
            self.names[id(r)] = "%s#%d" % (base, i)
        return "%s:%d" % (base, len(results))

    def print_nodes(self, nodes, indent):
        for node in nodes:
            if node.printer is not None:
                node.printer(node, self, indent)
                continue
            operands = ", ".join(self.name(o) for o in node.operands)
            lhs = self.define(node.results)
            self.lines.append("%s%s = %s %s%s%s : %s %s" % (
                indent, lhs, node.op, node.prefix, operands, node.attrs, node.types,
                loc_text(node.loc)))

    def print_region(self, region, indent):
        for a in region.args:
            self.names.setdefault(id(a), self.fresh())
        self.print_nodes(region.nodes, indent)


def _print_alias(node, p, indent):
    p.names[id(node.results[0])] = p.name(node.operands[0])


def print_if(node, p, indent):
    """scf.if on a tensor<i1> predicate (operand 0)."""
    c = p.fresh()
    p.lines.append("%s%s = tensor.extract %s[] : tensor<i1> %s" % (
        indent, c, p.name(node.operands[0]), loc_text(node.loc)))
    types = ", ".join(r.type for r in node.results)
    lhs = p.define(node.results) if node.results else None
    head = "%s = scf.if %s -> (%s) {" % (lhs, c, types) if lhs else "scf.if %s {" % c
    p.lines.append(indent + head)
    for i, region in enumerate(node.regions):
        if i:
            p.lines.append(indent + "} else {")
        p.print_region(region, indent + "  ")
        if region.yields:
            p.lines.append("%s  scf.yield %s : %s" % (
                indent, ", ".join(p.name(y) for y in region.yields), types))
    p.lines.append("%s} %s" % (indent, loc_text(node.loc)))


def print_while(node, p, indent):
    """scf.while: operands are the initial values; region 0 computes the
    predicate (its yields: [predicate]), region 1 the next values."""
    before, after = node.regions
    types = ", ".join(o.type for o in node.operands)
    for a in before.args + after.args:
        p.names[id(a)] = p.fresh()
    lhs = p.define(node.results)
    p.lines.append("%s%s = scf.while (%s) : (%s) -> (%s) {" % (
        indent, lhs, ", ".join("%s = %s" % (p.name(a), p.name(o))
                               for a, o in zip(before.args, node.operands)),
        types, types))
    p.print_nodes(before.nodes, indent + "  ")
    c = p.fresh()
    p.lines.append("%s  %s = tensor.extract %s[] : tensor<i1> %s" % (
        indent, c, p.name(before.yields[0]), loc_text(node.loc)))
    p.lines.append("%s  scf.condition(%s) %s : %s" % (
        indent, c, ", ".join(p.name(a) for a in before.args), types))
    p.lines.append("%s} do {" % indent)
    p.lines.append("%s^bb0(%s):" % (indent, ", ".join(
        "%s: %s" % (p.name(a), a.type) for a in after.args)))
    p.print_nodes(after.nodes, indent + "  ")
    p.lines.append("%s  scf.yield %s : %s" % (
        indent, ", ".join(p.name(y) for y in after.yields), types))
    p.lines.append("%s} %s" % (indent, loc_text(node.loc)))
