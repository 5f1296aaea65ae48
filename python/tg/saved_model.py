"""tg.saved_model: a tg.function compiled ahead of time, to run without
Python (a C program links the object) or without compiling (a later Python
process loads it).

    tg.saved_model.save(train_step, "out/", tg.TensorSpec([64, 784]), ...)
    # out/train_step.h, out/train_step.o, out/train_step.mlirbc,
    # out/signature.json (and out/variables.npz when it has Variables)
    step = tg.saved_model.load("out/")
    loss = step(x, y)        # runs the object: no tracing, no compilation

The C function (see the header) takes the function's tensor arguments, then
the value of each Variable it reads, and writes its tensor outputs, then
the new value of each Variable it assigns: state stays with the caller, so
the object keeps none. Python values and constants the function captured
are part of the compiled code.
"""
import fcntl
import hashlib
import json
import numbers
import os
import shutil
import tempfile
import time

import numpy as np

from . import _capi, _device, _dtypes
from ._errors import TgError, TgTypeError, error
from ._function import ConcreteFunction, Function, _rebuild
from ._ops import dense_literal
from ._tensor import EagerTensor, Tensor, TensorSpec, mlir_type
from ._variables import Variable

__all__ = ["save", "load", "LoadedFunction"]

_VARIABLES = "variables.npz"


def _example(x):
    """An example value of a TensorSpec (only its shape and dtype count)."""
    if isinstance(x, TensorSpec):  # (static: TensorSpec refuses None sizes)
        return np.zeros(x.shape, x.dtype)
    return x


def _structure_json(structure):
    """The output structure as JSON (None: a leaf)."""
    if structure is None:
        return None
    head = structure[0]
    if head in ("list", "tuple"):
        return {head: [_structure_json(s) for s in structure[1:]]}
    if head == "dict":
        if not all(isinstance(k, str) for k, _ in structure[1:]):
            raise error("tg.saved_model.save: the function returns a dict with keys "
                        "that are not strings", TgTypeError)
        return {"dict": [[k, _structure_json(s)] for k, s in structure[1:]]}
    raise error("tg.saved_model.save: the function returns a %s; saved functions "
                "return tensors in tuples, lists and dicts" % head.__name__, TgTypeError)


def _structure_from_json(j):
    if j is None:
        return None
    (head, items), = j.items()
    if head == "dict":
        return ("dict",) + tuple((k, _structure_from_json(s)) for k, s in items)
    return (head,) + tuple(_structure_from_json(s) for s in items)


def _trace(f, args):
    """The ConcreteFunction of `f` for `args` (traced, not compiled), and
    the leaves of the call."""
    if not isinstance(f, Function):
        if not callable(f):
            raise error("tg.saved_model.save: expected a tg.function (or a Python "
                        "function), got %r" % (f,), TgTypeError)
        f = Function(f)
    if not args:
        takes_none = f._signature is not None and not f._signature.parameters
        if f.input_signature is None and not takes_none:
            raise error("tg.saved_model.save(%s, path): give the arguments' TensorSpecs "
                        "(or example values) after the path, or an input_signature"
                        % f.__name__, TgTypeError)
        args = tuple(f.input_signature or ())
    args, kwargs, leaves, structure, keys = f._call_leaves(
        tuple(_example(a) for a in args), {})
    # Variable arguments traced as themselves (one state with a captured
    # one they may be), as the call that saves them would see them.
    keys = tuple(f._variable_keys(leaves, keys, by_identity=True))
    concrete = ConcreteFunction(f._python_body(), leaves, keys, structure, f.__name__)
    names = []
    for i in range(len(leaves)):
        n = f._argument_name(args, kwargs, i)  # "argument 'x'"
        names.append(n[len("argument '"):-1] if n.startswith("argument '") else n)
    # Several leaves of one argument (a list of tensors): x[0], x[1], ...
    counts = {n: names.count(n) for n in names}
    seen = {}
    for i, n in enumerate(names):
        if counts[n] > 1:
            seen[n] = seen.get(n, -1) + 1
            names[i] = "%s[%d]" % (n, seen[n])
    return f, concrete, leaves, names


def _output_names(structure, count):
    """A name for each output leaf: "output" for a single one, else its
    path ("output_0", a dict's key, "output_1.loss", ...)."""
    if structure is None:
        return ["output"]
    names = []

    def walk(s, path):
        if s is None:
            names.append(path)
            return
        head = s[0]
        if head == "dict":
            for k, sub in s[1:]:
                walk(sub, "%s.%s" % (path, k) if path else str(k))
        else:
            for i, sub in enumerate(s[1:]):
                walk(sub, "%s.%d" % (path, i) if path else "output_%d" % i)
    walk(structure, "")
    return names if len(names) == count else ["output_%d" % i for i in range(count)]


def _export_module(concrete, leaves, variables):
    """The traced module with an entry @saved_entry: the tensor arguments,
    then the Variables, in; the outputs, then the Variables' new values,
    out; captured constants inlined."""
    if concrete.prints:
        raise error("tg.saved_model.save: the function calls tg.print, which exported "
                    "code cannot do (it prints from Python after each call)")
    var_index = {id(v): i for i, v in enumerate(variables)}
    n_params = len(concrete.param_leaves)
    params = ["%%p%d" % i for i in range(n_params)]
    var_args = ["%%v%d" % i for i in range(len(variables))]
    types = concrete.arg_types
    body, call_args = [], list(params)
    for k, (kind, obj) in enumerate(concrete.implicit):
        if kind == "capture":
            name = "%%c%d" % k
            body.append("  %s = tg.constant dense<%s> : %s" % (
                name, dense_literal(np.ascontiguousarray(obj._value)),
                types[n_params + k]))
            call_args.append(name)
        else:
            var = obj if kind == "var" else leaves[obj]
            call_args.append(var_args[var_index[id(var)]])
    outs = [i for kind, i in concrete.outputs if kind == "r"]
    writes = [i for _, i in concrete.var_writes]
    rtypes = concrete.result_types
    ret = outs + writes
    arg_decl = ["%s: %s" % (p, types[i]) for i, p in enumerate(params)] + \
        ["%s: %s" % (a, mlir_type(v.shape, v.dtype)) for a, v in zip(var_args, variables)]
    head = "func.func @saved_entry(%s) -> (%s) {" % (
        ", ".join(arg_decl), ", ".join(rtypes[i] for i in ret))
    call = "  %%r:%d = func.call @main(%s) : (%s) -> (%s)" % (
        len(rtypes), ", ".join(call_args), ", ".join(types), ", ".join(rtypes)) \
        if rtypes else "  func.call @main(%s) : (%s) -> ()" % (
            ", ".join(call_args), ", ".join(types))
    if len(rtypes) == 1:
        call = call.replace("%r:1 =", "%r =")
        names = ["%r"] * len(ret)
    else:
        names = ["%%r#%d" % i for i in ret]
    tail = "  return %s : %s" % (", ".join(names), ", ".join(rtypes[i] for i in ret)) \
        if ret else "  return"
    text = concrete.text.replace("func.func @main(", "func.func private @main(", 1)
    return text + "\n".join([head] + body + [call, tail, "}", ""])


def _variables_of(concrete, leaves):
    """The Variables the function reads (in the order of its implicit
    inputs), and all it reads or assigns (those, then the ones it only
    assigns); each once."""
    reads, seen = [], set()
    for kind, obj in concrete.implicit:
        if kind == "capture":
            continue
        var = obj if kind == "var" else leaves[obj]
        if id(var) not in seen:
            seen.add(id(var))
            reads.append(var)
    everything = list(reads)
    for ref, _ in concrete.var_writes:
        var = ref[1] if ref[0] == "var" else leaves[ref[1]]
        if id(var) not in seen:
            seen.add(id(var))
            everything.append(var)
    return reads, everything


def _strip(e):
    """A C API error's message without its leading 'error: '."""
    message = str(e)
    return message[len("error: "):] if message.startswith("error: ") else message


def _sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def save(f, path, *args, name=None, cpu=None, threads=1):
    """Compiles the tg.function `f` for the signature of `args` (TensorSpecs
    or example values; default: its input_signature) ahead of time and
    writes the directory `path`: NAME.h, NAME.o, NAME.mlirbc and
    signature.json, plus variables.npz (the Variables' current values) when
    it reads Variables. NAME is `name`, else the function's name. `cpu` is
    the target CPU as clang's -march spells it (default "x86-64-v3", AVX2
    and FMA; "native" for this machine's). `threads` > 1 runs the parallel
    loops of each call on that many threads (the caller's and threads - 1
    the call starts and joins; link with -lpthread). Returns the path.
    Writes all of the files or none."""
    if not isinstance(threads, numbers.Integral) or isinstance(threads, bool) or \
            not 1 <= threads <= 256:
        raise error("tg.saved_model.save: threads is 1 to 256 (each call starts its own), "
                    "got %r" % (threads,), TgTypeError)
    if cpu is not None and not isinstance(cpu, str):
        raise error("tg.saved_model.save: cpu is a CPU's name (\"x86-64-v3\", "
                    "\"native\", ...), got %r" % (cpu,), TgTypeError)
    device = getattr(f, "_device", None) if isinstance(f, Function) else None
    if (device or _device.current()) == _device.GPU:
        raise error("tg.saved_model.save: %s runs on the GPU (%s), but export compiles "
                    "for the CPU only; save a tg.function without device='GPU:0', "
                    "outside tg.device('GPU:0') scopes" % (
                        getattr(f, "__name__", "the function"),
                        "its device=" if device else "a tg.device scope"))
    path = os.fspath(path)
    f, concrete, leaves, arg_names = _trace(f, args)
    symbol = name if name is not None else f.__name__
    if not isinstance(symbol, str):
        raise error("tg.saved_model.save: name must be a string, got %r" % (symbol,),
                    TgTypeError)
    if name is None and not symbol.isidentifier():
        raise error("tg.saved_model.save: the function's name %r is not a C symbol; "
                    "give one with name=" % symbol, TgTypeError)
    read_vars, variables = _variables_of(concrete, leaves)
    module = _export_module(concrete, leaves, read_vars)
    static_outputs = [v for kind, v in concrete.outputs if kind == "static"]
    structure = _structure_json(concrete.out_structure)
    for v in static_outputs:
        if not (v is None or isinstance(v, (bool, int, float, str))):
            raise error("tg.saved_model.save: the function returns %r, which is not a "
                        "tensor or a plain Python value" % (v,), TgTypeError)
    input_names = [arg_names[i] for i, _ in concrete.param_leaves]
    var_names = [v.name for v in read_vars]
    var_position = {id(v): i for i, v in enumerate(variables)}
    all_names = _output_names(concrete.out_structure, len(concrete.outputs))
    out_names = [all_names[k] for k, (kind, _) in enumerate(concrete.outputs)
                 if kind == "r"]
    write_names = ["%s (new value)" % v.name for v in
                   [ref[1] if ref[0] == "var" else leaves[ref[1]]
                    for ref, _ in concrete.var_writes]]
    extra = {
        "python": {
            "function": f.__name__,
            "inputs": [{"name": n, "shape": list(leaves[i].shape),
                        "dtype": str(np.dtype(d))}
                       for n, (i, d) in zip(input_names, concrete.param_leaves)],
            "variables": [{"name": v.name, "shape": list(v.shape),
                           "dtype": str(v.dtype), "trainable": v.trainable,
                           "read": i < len(read_vars)}
                          for i, v in enumerate(variables)],
            "outputs": [["r", None] if kind == "r" else ["static", v]
                        for kind, v in concrete.outputs],
            "output_structure": structure,
            # By identity: two Variables may have one name.
            "variable_writes": [var_position[id(
                ref[1] if ref[0] == "var" else leaves[ref[1]])]
                for ref, _ in concrete.var_writes],
        }
    }
    # The outermost directory this save creates: removed again if it fails.
    created, parent = None, os.path.abspath(path)
    while not os.path.isdir(parent):
        created, parent = parent, os.path.dirname(parent)
    try:
        os.makedirs(path, exist_ok=True)
    except OSError as e:
        raise error("tg.saved_model.save: cannot create %s: %s" % (path, e.strerror)) \
            from None
    # One save into a directory at a time (another process may be saving
    # there too): its earlier files are removed and its new ones written
    # under the lock; loads take it shared (tgLoadSavedModel).
    lock = os.open(path, os.O_RDONLY)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _save_locked(path, created, symbol, module, f, cpu, threads, variables,
                            extra, input_names, var_names, out_names, write_names)
    finally:
        os.close(lock)


def _save_locked(path, created, symbol, module, f, cpu, threads, variables, extra,
                 input_names, var_names, out_names, write_names):
    """The writing part of save(), under the directory's lock."""
    # What an earlier save into this directory wrote under another name.
    stale = []
    try:
        with open(os.path.join(path, "signature.json")) as old:
            previous = json.load(old).get("symbol")
        if isinstance(previous, str) and previous != symbol:
            stale = [os.path.join(path, previous + ext) for ext in (".o", ".h", ".mlirbc")]
    except (OSError, ValueError, AttributeError):
        pass
    # Variables written aside by a save that was killed (an hour ago or more).
    for leftover in os.listdir(path):
        p = os.path.join(path, leftover)
        if leftover.startswith(".variables-") and leftover.endswith(".npz") and \
                time.time() - os.path.getmtime(p) > 3600:
            os.remove(p)
    tmp_vars = None
    try:
        if variables:
            fd, tmp_vars = tempfile.mkstemp(prefix=".variables-", suffix=".npz", dir=path)
            with os.fdopen(fd, "wb") as out:
                np.savez(out, *[v._value for v in variables])
            extra["python"]["variables_sha256"] = _sha256(tmp_vars)
        base = os.path.join(path, symbol)
        try:
            _capi.export(module, "%s (traced)" % f.__name__, "saved_entry", symbol, cpu,
                         threads,
                         {"object": base + ".o", "header": base + ".h",
                          "bytecode": base + ".mlirbc",
                          "signature": os.path.join(path, "signature.json")},
                         input_names + var_names, out_names + write_names,
                         json.dumps(extra))
        except TgError as e:
            raise error("tg.saved_model.save: %s" % _strip(e)) from None
        if tmp_vars:
            os.replace(tmp_vars, os.path.join(path, _VARIABLES))
            tmp_vars = None
        elif os.path.exists(os.path.join(path, _VARIABLES)):
            os.remove(os.path.join(path, _VARIABLES))
        for p in stale:
            if os.path.exists(p):
                os.remove(p)
    except BaseException:
        if tmp_vars:
            os.remove(tmp_vars)
        if created:
            shutil.rmtree(created, ignore_errors=True)
        raise
    return path


class LoadedFunction:
    """A saved model, loaded: call it with the function's tensor arguments
    (positionally, in order). Its Variables are in `.variables` (restored
    from the saved values, updated by each call as in the function)."""

    def __init__(self, path):
        path = os.fspath(path)
        try:
            self._exe = _capi.Executable(None, saved=path)
        except TgError as e:
            raise error("tg.saved_model.load: %s" % _strip(e)) from None
        # As the loader verified it with the object (the file may have been
        # saved over since).
        self.signature = json.loads(self._exe.saved_signature)
        py = self.signature.get("extra", {}).get("python")
        self.path = path
        self.name = self.signature["symbol"]
        if py is None:
            # Exported from a .mlir file: tensors in, tensors out.
            numpy_of = {mlir: dt for dt, (_, mlir) in _capi.DTYPES.items()}
            self._inputs = [(a["name"] or "arg%d" % i, tuple(a["shape"]),
                             numpy_of[a["dtype"]])
                            for i, a in enumerate(self.signature["args"])]
            self.variables, self._read = [], []
            self._outputs = [("r", None)] * len(self.signature["results"])
            self._structure = ("tuple",) + (None,) * len(self._outputs)
            self._writes = []
            return
        self._inputs = [(i["name"], tuple(i["shape"]), np.dtype(i["dtype"]))
                        for i in py["inputs"]]
        values = []
        if py["variables"]:
            vpath = os.path.join(path, _VARIABLES)
            if not os.path.exists(vpath):
                raise error("%s: missing from the saved model" % vpath)
            if _sha256(vpath) != py.get("variables_sha256"):
                raise error("%s: altered since the model was saved (its checksum differs "
                            "from signature.json's)" % vpath)
            with np.load(vpath) as data:
                values = [data["arr_%d" % i] for i in range(len(py["variables"]))]
        # The object runs on the CPU: its Variables live there (also when
        # it is loaded under a tg.device('GPU:0') scope).
        with _device.device(_device.CPU):
            self.variables = [Variable(v, trainable=d["trainable"], name=d["name"])
                              for v, d in zip(values, py["variables"])]
        self._read = [d["read"] for d in py["variables"]]
        self._outputs = [tuple(o) for o in py["outputs"]]
        self._structure = _structure_from_json(py["output_structure"])
        self._writes = py["variable_writes"]

    def __call__(self, *args):
        if len(args) != len(self._inputs):
            raise error("%s takes %d tensor argument(s) (%s), got %d" % (
                self.name, len(self._inputs),
                ", ".join(n for n, _, _ in self._inputs), len(args)), TgTypeError)
        arrays = []
        for a, (n, shape, dtype) in zip(args, self._inputs):
            if isinstance(a, Variable):
                a = a._value
            elif isinstance(a, EagerTensor):
                a = a._value
            elif isinstance(a, Tensor):
                raise error("%s: a traced tensor cannot be passed to a loaded model" % n)
            else:
                a = _dtypes.to_array(a, dtype, exact=True) \
                    if not isinstance(a, np.ndarray) else a
            if a.shape != shape or a.dtype != dtype:
                raise error("%s: argument %s is %s %s, but the model was saved for %s %s"
                            % (self.name, n, a.shape, a.dtype, shape, dtype), TgTypeError)
            arrays.append(a)
        n_out = sum(1 for kind, _ in self._outputs if kind == "r")
        locks = [v._lock for v in sorted(self.variables, key=id)]
        for lock in locks:
            lock.acquire()
        try:
            results = self._exe(*arrays, *[v._value for v, r in
                                            zip(self.variables, self._read) if r])
            for k, vi in enumerate(self._writes):
                self.variables[vi]._set_value(results[n_out + k])
        finally:
            for lock in reversed(locks):
                lock.release()
        it = iter(results[:n_out])
        out = [EagerTensor(next(it)) if kind == "r" else v for kind, v in self._outputs]
        if self._structure is None:
            return out[0]
        return _rebuild(self._structure, iter(out))

    def __repr__(self):
        return "<tg.saved_model %s from %s>" % (self.name, self.path)


def load(path):
    """The saved model in `path` as a callable that runs its object file at
    once: nothing is traced or compiled. Raises TgError for a missing or
    altered file, or an object this CPU cannot run."""
    if not isinstance(path, (str, bytes, os.PathLike)):
        raise error("tg.saved_model.load: the path must be a string or os.PathLike, got %r"
                    % (path,), TgTypeError)
    path = os.fspath(path)
    if not os.path.isdir(path):
        raise error("tg.saved_model.load: %s is not a directory (a saved model is one)"
                    % path)
    return LoadedFunction(path)

