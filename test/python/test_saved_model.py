"""tg.saved_model, tg-compile and the persistent compile cache (spec section
7): exported training steps and control flow run from a C program linked
with libc and libm only, loaded models run without compiling, the cache
misses whenever one of its key inputs changes, and bad input gets one clear
error."""

import ctypes
import json
import os
import shutil
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import tg
from tg import _capi

HERE = os.path.dirname(os.path.abspath(__file__))
TOOLS = os.environ.get("TG_TOOLS_DIR") or os.path.join(
    os.path.dirname(os.path.abspath(_capi.lib._name)), "..", "bin")
TG_COMPILE = os.path.join(TOOLS, "tg-compile")
TG_RUN = os.path.join(TOOLS, "tg-run")
CC = os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc") or \
    shutil.which("clang-22") or shutil.which("clang")
C_TYPES = {"f32": "float", "f64": "double", "i32": "int32_t", "i64": "int64_t",
           "i1": "bool", "f16": "uint16_t", "bf16": "uint16_t"}
NUMPY = {"f32": np.float32, "f64": np.float64, "i32": np.int32, "i64": np.int64,
         "i1": np.bool_, "f16": np.float16}


def run_python(code, env=None):
    """Runs `code` in a fresh Python process; its stdout."""
    full = dict(os.environ, **(env or {}))
    r = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=full,
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    return r.stdout


def c_program(directory, symbol, signature, steps, feedback):
    """Builds a C program calling `symbol` from `directory`'s header and
    object: reads argK.bin, runs `steps` calls, copying result R into
    argument A after each call for (R, A) in `feedback`, and writes
    resultK_S.bin after call S. Returns the executable's path."""
    args, results = signature["args"], signature["results"]
    up = symbol.upper()
    lines = ["#include <stdio.h>", "#include <stdlib.h>", "#include <string.h>",
             '#include "%s.h"' % symbol, "",
             "static void *readf(const char *p, size_t n) {",
             "  void *b = malloc(n ? n : 1); FILE *f = fopen(p, \"rb\");",
             "  if (!f || fread(b, 1, n, f) != n) { perror(p); exit(2); }",
             "  fclose(f); return b; }",
             "int main(void) {", "  char name[64];"]
    for i, a in enumerate(args):
        t = C_TYPES[a["dtype"]]
        lines.append('  %s *a%d = readf("arg%d.bin", sizeof(%s) * %s_ARG%d_SIZE);'
                     % (t, i, i, t, up, i))
    for i, r in enumerate(results):
        t = C_TYPES[r["dtype"]]
        lines.append("  %s *r%d = malloc(sizeof(%s) * %s_RESULT%d_SIZE + 1);"
                     % (t, i, t, up, i))
    call = ", ".join(["a%d" % i for i in range(len(args))] +
                     ["r%d" % i for i in range(len(results))])
    lines.append("  for (int s = 0; s < %d; ++s) {" % steps)
    lines.append("    if (%s(%s) != 0) return 3;" % (symbol, call))
    for i, r in enumerate(results):
        t = C_TYPES[r["dtype"]]
        lines.append('    snprintf(name, sizeof name, "result%d_%%d.bin", s);' % i)
        lines.append('    { FILE *f = fopen(name, "wb"); fwrite(r%d, sizeof(%s), '
                     '%s_RESULT%d_SIZE, f); fclose(f); }' % (i, t, up, i))
    for r, a in feedback:
        lines.append("    memcpy(a%d, r%d, sizeof(*a%d) * %s_ARG%d_SIZE);" % (a, r, a, up, a))
    lines += ["  }", "  return 0;", "}"]
    src = os.path.join(directory, "harness.c")
    with open(src, "w") as f:
        f.write("\n".join(lines) + "\n")
    exe = os.path.join(directory, "harness")
    subprocess.run([CC, "-std=c11", "-Wall", "-Werror", "-O2", "-I", directory, src,
                    os.path.join(directory, symbol + ".o"), "-lm", "-o", exe],
                   check=True, timeout=120)
    return exe


def run_c(exe, directory, arrays, steps, signature):
    for i, a in enumerate(arrays):
        np.ascontiguousarray(a).tofile(os.path.join(directory, "arg%d.bin" % i))
    subprocess.run([exe], cwd=directory, check=True, timeout=120)
    out = []
    for s in range(steps):
        out.append([np.fromfile(os.path.join(directory, "result%d_%d.bin" % (i, s)),
                                NUMPY[r["dtype"]]).reshape(r["shape"])
                    for i, r in enumerate(signature["results"])])
    return out


def linked_libraries(exe):
    return subprocess.run(["ldd", exe], capture_output=True, text=True,
                          check=True).stdout


def make_mlp(seed=0):
    rng = np.random.default_rng(seed)
    w1 = tg.Variable((rng.standard_normal((8, 16)) * 0.3).astype(np.float32), name="w1")
    b1 = tg.Variable(np.zeros(16, np.float32), name="b1")
    w2 = tg.Variable((rng.standard_normal((16, 3)) * 0.3).astype(np.float32), name="w2")
    scale = np.float32(0.5)  # captured: compiled into the object

    @tg.function
    def train_step(x, y):
        with tg.GradientTape() as tape:
            h = tg.relu(tg.matmul(x, w1) + b1)
            logits = tg.matmul(h, w2) * scale
            loss = -tg.reduce_mean(tg.reduce_sum(y * tg.log_softmax(logits), axis=1))
        grads = tape.gradient(loss, [w1, b1, w2])
        for v, g in zip([w1, b1, w2], grads):
            v.assign_sub(0.1 * g)
        return loss
    x = rng.standard_normal((32, 8)).astype(np.float32)
    y = np.eye(3, dtype=np.float32)[rng.integers(0, 3, 32)]
    return train_step, (w1, b1, w2), x, y


@pytest.mark.parametrize("cpu", ["native", None])
def test_exported_training_step_runs_from_c(tmp_path, cpu):
    step, variables, x, y = make_mlp()
    init = [v.numpy().copy() for v in variables]
    d = str(tmp_path / "mlp")
    tg.saved_model.save(step, d, tg.TensorSpec([32, 8]), tg.TensorSpec([32, 3]), cpu=cpu)
    assert sorted(os.listdir(d)) == ["signature.json", "train_step.h", "train_step.mlirbc",
                                     "train_step.o", "variables.npz"]
    sig = json.load(open(os.path.join(d, "signature.json")))
    assert sig["cpu"] == ("x86-64-v3" if cpu is None else sig["cpu"])
    assert [a["name"] for a in sig["args"]] == ["x", "y", "w1", "b1", "w2"]
    assert [r["name"] for r in sig["results"]] == ["output", "w1 (new value)",
                                                   "b1 (new value)", "w2 (new value)"]
    # Three steps in Python (the JIT), then three from C, from the same start.
    ref = []
    for _ in range(3):
        loss = step(x, y)
        ref.append([loss.numpy()] + [v.numpy().copy() for v in variables])
    exe = c_program(d, "train_step", sig, 3, feedback=[(1, 2), (2, 3), (3, 4)])
    got = run_c(exe, d, [x, y] + init, 3, sig)
    for r, g in zip(ref, got):
        for a, b in zip(r, g):
            if cpu == "native":  # the JIT's code for this CPU: the same bits
                np.testing.assert_array_equal(a, b)
            else:
                np.testing.assert_allclose(a, b, rtol=2e-5, atol=1e-6)
    libs = linked_libraries(exe)
    for forbidden in ("MLIR", "LLVM", "libTg", "python", "libomp", "libstdc++"):
        assert forbidden not in libs, libs


def test_exported_while_loop_from_c_and_python(tmp_path):
    @tg.function
    def collatz_steps(n):
        steps = tg.constant(0)
        while n > 1:
            if n % 2 == 0:
                n = n // 2
            else:
                n = 3 * n + 1
            steps += 1
        return steps
    d = str(tmp_path / "collatz")
    tg.saved_model.save(collatz_steps, d, tg.TensorSpec([], tg.int32))
    sig = json.load(open(os.path.join(d, "signature.json")))
    exe = c_program(d, "collatz_steps", sig, 1, feedback=[])
    for n, expected in [(27, 111), (1, 0), (6, 8)]:
        (got,), = run_c(exe, d, [np.array(n, np.int32)], 1, sig)
        assert int(got) == expected == int(collatz_steps(tg.constant(n)))
    loaded = tg.saved_model.load(d)
    assert int(loaded(np.int32(27))) == 111


def test_tg_compile_mlir_file(tmp_path):
    src = os.path.join(HERE, "..", "..", "examples", "mlp_train_step.mlir")
    d = str(tmp_path)
    subprocess.run([TG_COMPILE, src, "--name=mlp_step", "-o", d + "/mlp_step.o",
                    "--header", d + "/mlp_step.h", "--cpu=native"], check=True)
    header = open(d + "/mlp_step.h").read()
    assert "int mlp_step(const float *arg0" in header
    assert "#define MLP_STEP_ARG1_SIZE 24" in header
    rng = np.random.default_rng(1)
    args = [rng.standard_normal(s).astype(np.float32)
            for s in [(4, 3), (3, 8), (8,), (8, 2), (2,), (4, 2)]]
    sig = {"args": [{"dtype": "f32"}] * 6,
           "results": [{"dtype": "f32", "shape": s}
                       for s in [(), (3, 8), (8,), (8, 2), (2,)]]}
    exe = c_program(d, "mlp_step", sig, 1, feedback=[])
    (got,) = run_c(exe, d, args, 1, sig)
    for i, a in enumerate(args):
        np.save(d + "/in%d.npy" % i, a)
    subprocess.run([TG_RUN, src, "--output-dir=" + d + "/jit"] +
                   ["--input=%s/in%d.npy" % (d, i) for i in range(6)], check=True)
    for i, g in enumerate(got):
        np.testing.assert_array_equal(np.load(d + "/jit/result%d.npy" % i), g)
    assert "MLIR" not in linked_libraries(exe)


def test_two_exported_graphs_link_into_one_program(tmp_path):
    d = str(tmp_path)
    src = d + "/g.mlir"
    with open(src, "w") as f:
        f.write("func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {\n"
                "  %y = tg.exp %x : tensor<4xf32>\n  return %y : tensor<4xf32>\n}\n")
    for name in ("first", "second"):
        subprocess.run([TG_COMPILE, src, "--name=" + name, "-o", "%s/%s.o" % (d, name),
                        "--header", "%s/%s.h" % (d, name)], check=True)
    with open(d + "/both.c", "w") as f:
        f.write('#include "first.h"\n#include "second.h"\n#include <stdio.h>\n'
                "int main(void) { float x[4] = {0, 1, 2, 3}, a[4], b[4];\n"
                "  if (first(x, a) || second(a, b)) return 1;\n"
                '  printf("%.6f\\n", b[1]); return 0; }\n')
    subprocess.run([CC, "-Wall", "-Werror", "-I", d, d + "/both.c", d + "/first.o",
                    d + "/second.o", "-lm", "-o", d + "/both"], check=True)
    out = subprocess.run([d + "/both"], capture_output=True, text=True, check=True).stdout
    assert abs(float(out) - np.exp(np.e)) < 1e-4


def test_load_in_fresh_process_compiles_nothing(tmp_path):
    step, variables, x, y = make_mlp(3)
    d = str(tmp_path / "mlp")
    tg.saved_model.save(step, d, x, y)
    np.save(str(tmp_path / "x.npy"), x)
    np.save(str(tmp_path / "y.npy"), y)
    expected = [float(step(x, y)) for _ in range(3)]
    out = run_python("""
        import numpy as np, tg
        m = tg.saved_model.load(%r)
        x, y = np.load(%r), np.load(%r)
        print([float(m(x, y)) for _ in range(3)])
        print(tg.cache_info().compilations, [v.name for v in m.variables])
        """ % (d, str(tmp_path / "x.npy"), str(tmp_path / "y.npy")))
    losses, info = out.strip().split("\n")
    np.testing.assert_allclose(eval(losses), expected, rtol=2e-5)
    assert info == "0 ['w1', 'b1', 'w2']"
    # The saved directory moved elsewhere still loads.
    moved = str(tmp_path / "moved")
    os.rename(d, moved)
    assert tg.saved_model.load(moved).variables[0].shape == (8, 16)


def test_saved_outputs_structure_and_tg_run(tmp_path):
    @tg.function
    def stats(x):
        return {"mean": tg.reduce_mean(x), "max": tg.reduce_max(x)}, 7
    d = str(tmp_path / "stats")
    tg.saved_model.save(stats, d, tg.TensorSpec([5]))
    m = tg.saved_model.load(d)
    v = np.arange(5, dtype=np.float32)
    out, seven = m(v)
    assert seven == 7 and float(out["mean"]) == 2.0 and float(out["max"]) == 4.0
    np.save(str(tmp_path / "v.npy"), v)
    r = subprocess.run([TG_RUN, d, "--input=" + str(tmp_path / "v.npy"), "--print"],
                       capture_output=True, text=True, check=True)
    assert r.stdout.split() == ["tensor<f32>", "4", "tensor<f32>", "2"]
    # The C API's tgCompileFile takes the directory too.
    _capi.lib.tgCompileFile.restype = _capi._P
    _capi.lib.tgCompileFile.argtypes = [ctypes.c_char_p, ctypes.c_void_p,
                                        ctypes.POINTER(_capi._P)]
    error = _capi._P()
    exe = _capi.lib.tgCompileFile(d.encode(), None, ctypes.byref(error))
    assert exe, _capi.error_message(error)
    assert _capi.lib.tgExecutableFunctionName(exe, 0) == b"stats"
    _capi.lib.tgExecutableDestroy(exe)


# The compile cache -----------------------------------------------------------

CACHE_PROGRAM = """
    import ctypes, sys, numpy as np
    from tg import _capi
    import tg
    src = open(sys.argv[1]).read()
    threads, cpu, optimize = int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    opts = _capi.TgCompileOptions(optimize=optimize, threads=threads, entry=b"main",
                                  cpu=cpu.encode() if cpu else None)
    err = _capi._P()
    exe = _capi.lib.tgCompileSource(src.encode(), len(src), b"k.mlir",
                                    ctypes.byref(opts), ctypes.byref(err))
    assert exe, _capi.error_message(err)
    i = tg.cache_info()
    print(i.hits, i.misses, i.compilations, i.store_failures, i.entries)
"""

CACHE_SOURCE = """func.func @main(%x: tensor<64x64xf32>) -> tensor<64x64xf32> {
  %c = tg.constant dense<VALUE> : tensor<64x64xf32>
  %y = tg.matmul %x, %c : (tensor<64x64xf32>, tensor<64x64xf32>) -> tensor<64x64xf32>
  return %y : tensor<64x64xf32>
}
"""


def cache_run(tmp_path, value="2.0", threads=1, cpu="", optimize=1, env=None):
    src = tmp_path / ("k%s.mlir" % value)
    src.write_text(CACHE_SOURCE.replace("VALUE", value))
    prog = tmp_path / "prog.py"
    prog.write_text(textwrap.dedent(CACHE_PROGRAM))
    full = dict(os.environ, TG_CACHE_DIR=str(tmp_path / "cache"))
    full.pop("TG_CACHE", None)
    full.update(env or {})
    r = subprocess.run([sys.executable, str(prog), str(src), str(threads), cpu,
                        str(optimize)], env=full, capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 0, r.stderr
    hits, misses, compilations, failures, entries = map(int, r.stdout.split())
    return dict(hits=hits, misses=misses, compilations=compilations,
                failures=failures, entries=entries)


def test_cache_warm_process_loads_instead_of_compiling(tmp_path):
    assert cache_run(tmp_path) == dict(hits=0, misses=1, compilations=1, failures=0,
                                       entries=1)
    assert cache_run(tmp_path) == dict(hits=1, misses=0, compilations=0, failures=0,
                                       entries=1)


@pytest.mark.parametrize("change", [
    dict(value="3.0"),                  # the module
    dict(threads=2),                    # a pipeline option
    dict(optimize=0),                   # another
    dict(cpu="x86-64-v3"),              # the target CPU (another vector ISA here)
    "library",                          # tg's build (another libTgCAPI.so)
])
def test_cache_key_input_changed_alone_misses(tmp_path, change):
    cache_run(tmp_path)
    assert cache_run(tmp_path)["hits"] == 1
    if change == "library":
        copy = tmp_path / "lib" / "libTgCAPI.so"
        copy.parent.mkdir()
        shutil.copy2(os.path.realpath(_capi.lib._name), copy)
        result = cache_run(tmp_path, env={"TG_LIBRARY": str(copy)})
    else:
        result = cache_run(tmp_path, **change)
    assert (result["hits"], result["misses"], result["entries"]) == (0, 1, 2)


def test_cache_cpu_alone_misses(tmp_path):
    # Two CPUs with the same vector ISA (AVX2): only the CPU's name and
    # features differ in the key.
    cache_run(tmp_path, cpu="x86-64-v3")
    assert cache_run(tmp_path, cpu="x86-64-v3")["hits"] == 1
    r = cache_run(tmp_path, cpu="haswell")
    assert (r["hits"], r["misses"], r["entries"]) == (0, 1, 2)


def test_cache_corrupt_entry_is_compiled_again(tmp_path):
    cache_run(tmp_path)
    (entry,) = [p for p in (tmp_path / "cache").iterdir() if p.suffix == ".tgc"]
    data = bytearray(entry.read_bytes())
    data[len(data) // 2] ^= 0xFF
    entry.write_bytes(bytes(data))
    assert cache_run(tmp_path) == dict(hits=0, misses=1, compilations=1, failures=0,
                                       entries=1)
    assert cache_run(tmp_path)["hits"] == 1  # stored again, whole
    entry.write_bytes(entry.read_bytes()[:100])  # truncated
    assert cache_run(tmp_path)["compilations"] == 1


def test_cache_disabled_and_capped(tmp_path):
    assert cache_run(tmp_path, env={"TG_CACHE": "0"}) == dict(
        hits=0, misses=0, compilations=1, failures=0, entries=0)
    assert not (tmp_path / "cache").exists()
    # A cap below one entry: nothing stored, the program runs.
    r = cache_run(tmp_path, env={"TG_CACHE_MAX_BYTES": "100"})
    assert (r["failures"], r["entries"]) == (1, 0)
    # Least recently used first: with room for about two entries, the
    # oldest goes when a third comes.
    cache_run(tmp_path, value="1.0")
    size = sum(p.stat().st_size for p in (tmp_path / "cache").iterdir())
    cap = {"TG_CACHE_MAX_BYTES": str(int(size * 2.5))}
    cache_run(tmp_path, value="2.0", env=cap)
    assert cache_run(tmp_path, value="1.0", env=cap)["hits"] == 1  # 1.0 now newest
    cache_run(tmp_path, value="3.0", env=cap)
    assert cache_run(tmp_path, value="1.0", env=cap)["hits"] == 1
    assert cache_run(tmp_path, value="2.0", env=cap)["hits"] == 0  # evicted


def test_cache_unwritable_directory_still_runs(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    r = cache_run(tmp_path, env={"TG_CACHE_DIR": str(blocker / "cache")})
    assert (r["compilations"], r["failures"], r["entries"]) == (1, 1, 0)


def test_cache_info_in_process():
    before = tg.cache_info()
    assert before.enabled and before.directory
    f = tg.function(lambda x: x * 3.0 + 0.25)
    f(np.ones(7, np.float32))
    after = tg.cache_info()
    assert after.hits + after.misses == before.hits + before.misses + 1


# Bad input -------------------------------------------------------------------

@pytest.fixture
def saved(tmp_path):
    step, _, x, y = make_mlp(5)
    d = str(tmp_path / "model")
    tg.saved_model.save(step, d, x, y)
    return d, x, y


def test_saved_model_missing_or_altered_file(saved):
    d, x, y = saved
    os.rename(d + "/train_step.o", d + "/o.bak")
    with pytest.raises(tg.TgError, match=r"train_step.o: error: missing from the saved"):
        tg.saved_model.load(d)
    os.rename(d + "/o.bak", d + "/train_step.o")
    with open(d + "/train_step.o", "r+b") as f:
        f.seek(200)
        b = f.read(1)
        f.seek(200)
        f.write(bytes([b[0] ^ 1]))
    with pytest.raises(tg.TgError, match=r"train_step.o: error: altered since"):
        tg.saved_model.load(d)
    r = subprocess.run([TG_RUN, d], capture_output=True, text=True)
    assert r.returncode == 1 and "altered since" in r.stderr and r.stderr.count("error:") == 1


def test_saved_model_bad_variables_and_signature(saved):
    d, x, y = saved
    with open(d + "/variables.npz", "ab") as f:
        f.write(b"x")
    with pytest.raises(tg.TgError, match=r"variables.npz: altered since"):
        tg.saved_model.load(d)
    with open(d + "/signature.json", "w") as f:
        f.write("{not json")
    with pytest.raises(tg.TgError, match=r"signature.json: error: not valid JSON"):
        tg.saved_model.load(d)
    os.remove(d + "/signature.json")
    with pytest.raises(tg.TgError, match=r"not a saved model"):
        tg.saved_model.load(d)
    with pytest.raises(tg.TgError, match=r"is not a directory"):
        tg.saved_model.load(d + "/train_step.o")


def test_saved_model_signature_mismatch(saved):
    d, x, y = saved
    m = tg.saved_model.load(d)
    with pytest.raises(tg.TgTypeError, match=r"was saved for \(32, 8\) float32"):
        m(x[:16], y)
    with pytest.raises(tg.TgTypeError, match=r"takes 2 tensor argument\(s\) \(x, y\), got 1"):
        m(x)
    with pytest.raises(tg.TgTypeError, match=r"test_saved_model.py:\d+: error"):
        m(x.astype(np.float64), y)


def test_save_errors_leave_nothing(tmp_path):
    @tg.function
    def main(x):
        return x + 1.0
    d = tmp_path / "m"
    with pytest.raises(tg.TgError, match=r"'main' cannot be the exported C symbol"):
        tg.saved_model.save(main, str(d), tg.TensorSpec([3]))
    assert not d.exists()
    with pytest.raises(tg.TgError, match=r"unknown CPU 'pentium-9'"):
        tg.saved_model.save(main, str(d), tg.TensorSpec([3]), name="f", cpu="pentium-9")
    assert not d.exists()
    with pytest.raises(tg.TgError, match=r"'2x' is not a valid C symbol"):
        tg.saved_model.save(main, str(d), tg.TensorSpec([3]), name="2x")
    with pytest.raises(tg.TgTypeError, match=r"give the arguments' TensorSpecs"):
        tg.saved_model.save(main, str(d), name="f")
    assert not d.exists()

    @tg.function
    def printer(x):
        tg.print(x)
        return x
    with pytest.raises(tg.TgError, match=r"tg.print"):
        tg.saved_model.save(printer, str(d), tg.TensorSpec([3]))
    assert not d.exists()


def test_cpu_this_machine_cannot_run(tmp_path):
    flags = open("/proc/cpuinfo").read().split()
    # A CPU with an instruction set this one lacks: AMX (Sapphire Rapids)
    # on most machines, else AVX-512.
    for cpu, flag, feature in [("sapphirerapids", "amx_tile", "amx-tile"),
                               ("x86-64-v4", "avx512f", "avx512f")]:
        if flag not in flags:
            break
    else:
        pytest.skip("this machine runs every CPU tried here")
    d = str(tmp_path / "m")
    tg.saved_model.save(lambda x: x * 2.0, d, tg.TensorSpec([3]), name="f", cpu=cpu)
    assert feature in json.load(open(os.path.join(d, "signature.json")))["features"]
    with pytest.raises(tg.TgError, match=r"was compiled for the CPU '%s'.*lacks .*%s"
                       % (cpu, feature)):
        tg.saved_model.load(d)
    r = subprocess.run([TG_RUN, d], capture_output=True, text=True)
    assert r.returncode == 1 and "lacks" in r.stderr
    # The JIT refuses to compile for it too.
    src = tmp_path / "g.mlir"
    src.write_text("func.func @main(%x: tensor<3xf32>) -> tensor<3xf32> {\n"
                   "  return %x : tensor<3xf32>\n}\n")
    r = subprocess.run([TG_RUN, str(src), "--cpu=" + cpu], capture_output=True, text=True)
    assert r.returncode == 1 and "this machine cannot run code for the CPU" in r.stderr


def test_variables_with_one_name_are_kept_apart(tmp_path):
    a = tg.Variable([1.0, 1.0], name="w")
    b = tg.Variable([10.0, 10.0], name="w")

    @tg.function
    def step(x):
        a.assign_add(x)
        b.assign_add(2.0 * x)
        return a + b
    d = str(tmp_path / "m")
    tg.saved_model.save(step, d, tg.TensorSpec([2]))
    m = tg.saved_model.load(d)
    out = m(np.ones(2, np.float32))
    assert m.variables[0].numpy().tolist() == [2.0, 2.0]
    assert m.variables[1].numpy().tolist() == [12.0, 12.0]
    assert out.numpy().tolist() == [14.0, 14.0]


def test_exported_name_that_is_a_c_library_function(tmp_path):
    d = str(tmp_path / "m")
    for name in ("malloc", "sin", "__f", "_Bool", "typeof"):
        with pytest.raises(tg.TgError, match=r"'%s' (is a function of the C library|"
                           r"is not a valid C symbol)" % name):
            tg.saved_model.save(lambda x: x + 1.0, d, tg.TensorSpec([2]), name=name)
    assert not os.path.exists(d)
    # A name the module uses inside (a called function) is free for the
    # export: the inner one is renamed.
    src = tmp_path / "g.mlir"
    src.write_text("func.func private @helper(%x: tensor<2xf32>) -> tensor<2xf32> {\n"
                   "  %y = tg.exp %x : tensor<2xf32>\n  return %y : tensor<2xf32>\n}\n"
                   "func.func @main(%x: tensor<2xf32>) -> tensor<2xf32> {\n"
                   "  %y = func.call @helper(%x) : (tensor<2xf32>) -> tensor<2xf32>\n"
                   "  return %y : tensor<2xf32>\n}\n")
    subprocess.run([TG_COMPILE, str(src), "--name=helper", "-o", d + ".o",
                    "--header", d + ".h", "--no-optimize"], check=True)


def test_multithreaded_export_matches_jit_and_allows_concurrent_callers(tmp_path):
    rng = np.random.default_rng(11)
    w = tg.Variable((rng.standard_normal((256, 256)) * 0.05).astype(np.float32), name="w")

    @tg.function
    def layer(x):
        with tg.GradientTape() as tape:
            y = tg.reduce_sum(tg.tanh(tg.matmul(x, w)) ** 2)
        w.assign_sub(0.01 * tape.gradient(y, w))
        return y
    x = rng.standard_normal((512, 256)).astype(np.float32)
    d = str(tmp_path / "layer")
    tg.saved_model.save(layer, d, x, cpu="native", threads=2)
    sig = json.load(open(os.path.join(d, "signature.json")))
    assert sig["threads"] == 2
    assert "on 2 threads" in open(os.path.join(d, "layer.h")).read()
    w0 = w.numpy().copy()
    old = tg.get_num_threads()
    tg.set_num_threads(2)
    try:
        ref = [float(tg.function(layer.python_function)(x)) for _ in range(2)]
    finally:
        tg.set_num_threads(old)
    # Two steps from C, from the same start.
    exe = c_program(d, "layer", sig, 2, feedback=[(1, 1)])
    got = run_c(exe, d, [x, w0], 2, sig)
    assert [float(g[0]) for g in got] == ref
    assert "libomp" not in linked_libraries(exe)
    # Four threads of the caller's own, each calling it 20 times at once,
    # each with a team of its own: every result the same.
    with open(os.path.join(d, "concurrent.c"), "w") as f:
        f.write(textwrap.dedent('''\
            #include "layer.h"
            #include <pthread.h>
            #include <stdio.h>
            #include <stdlib.h>
            static float x[LAYER_ARG0_SIZE], w[LAYER_ARG1_SIZE];
            static void *run(void *out) {
              float *loss = out, *nw = malloc(sizeof(float) * LAYER_RESULT1_SIZE);
              for (int i = 0; i < 20; ++i)
                if (layer(x, w, loss + i, nw)) return (void *)1;
              free(nw);
              return 0;
            }
            int main(void) {
              FILE *f = fopen("arg0.bin", "rb");
              if (!f || fread(x, sizeof x, 1, f) != 1) return 2;
              fclose(f);
              f = fopen("arg1.bin", "rb");
              if (!f || fread(w, sizeof w, 1, f) != 1) return 2;
              fclose(f);
              pthread_t t[4];
              float losses[4][20];
              for (int i = 0; i < 4; ++i) pthread_create(&t[i], 0, run, losses[i]);
              for (int i = 0; i < 4; ++i) { void *r; pthread_join(t[i], &r); if (r) return 3; }
              for (int i = 0; i < 4; ++i)
                for (int j = 0; j < 20; ++j)
                  if (losses[i][j] != losses[0][0]) return 4;
              printf("%.9g\\n", losses[0][0]);
              return 0;
            }
            '''))
    subprocess.run([CC, "-O2", "-Wall", "-Werror", "-I", d, os.path.join(d, "concurrent.c"),
                    os.path.join(d, "layer.o"), "-lm", "-lpthread", "-o",
                    os.path.join(d, "concurrent")], check=True)
    out = subprocess.run([os.path.join(d, "concurrent")], cwd=d, capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0 and np.float32(out.stdout) == np.float32(ref[0]), out
    # Loaded from Python too (the same object, linked by the JIT).
    loaded = tg.saved_model.load(d)
    assert float(loaded(x)) == ref[0]
    with pytest.raises(tg.TgTypeError, match=r"threads is 1 to 256"):
        tg.saved_model.save(layer, d, x, threads=0)


def test_adversarial_cases(tmp_path):
    # A Variable the function only assigns: an output of the C function,
    # not an argument; the loaded model updates it.
    last = tg.Variable(0.0, name="last")
    scale = tg.Variable(2.0, name="scale")

    @tg.function
    def step(x):
        y = tg.reduce_sum(x) * scale
        last.assign(y)
        return y
    d = str(tmp_path / "assign")
    tg.saved_model.save(step, d, tg.TensorSpec([3]))
    sig = json.load(open(os.path.join(d, "signature.json")))
    assert [a["name"] for a in sig["args"]] == ["x", "scale"]
    assert [r["name"] for r in sig["results"]] == ["output", "last (new value)"]
    m = tg.saved_model.load(d)
    assert float(m(np.ones(3, np.float32))) == 6.0
    assert float(m.variables[1].numpy()) == 6.0  # last
    # A function of no arguments needs no TensorSpecs.
    tg.saved_model.save(tg.function(lambda: tg.constant(4.0) * scale), str(tmp_path / "noargs"),
                        name="four")
    assert float(tg.saved_model.load(str(tmp_path / "noargs"))()) == 8.0
    # A lambda's name is not a C symbol: the message says to give one.
    with pytest.raises(tg.TgTypeError, match=r"give one with name="):
        tg.saved_model.save(lambda x: x, str(tmp_path / "lam"), tg.TensorSpec([1]))
    # A failed save removes the directories it created, not only the last.
    with pytest.raises(tg.TgError, match=r"'int' is not a valid C symbol"):
        tg.saved_model.save(step, str(tmp_path / "p1" / "p2" / "p3"),
                            tg.TensorSpec([3]), name="int")
    assert not os.path.exists(str(tmp_path / "p1"))
    # 32-bit CPUs are refused, not a fatal error of LLVM's.
    with pytest.raises(tg.TgError, match=r"'i686' has no 64-bit mode"):
        tg.saved_model.save(step, str(tmp_path / "x"), tg.TensorSpec([3]), cpu="i686")
    assert not os.path.exists(str(tmp_path / "x"))
    # Saving under another name replaces the earlier files.
    tg.saved_model.save(step, d, tg.TensorSpec([3]), name="step2")
    assert sorted(os.listdir(d)) == ["signature.json", "step2.h", "step2.mlirbc",
                                     "step2.o", "variables.npz"]


def test_edited_signature_shapes_are_refused(tmp_path):
    d = str(tmp_path / "m")
    tg.saved_model.save(lambda x: x * 2.0, d, tg.TensorSpec([4000]), name="twice")
    sig_path = os.path.join(d, "signature.json")
    sig = json.load(open(sig_path))
    sig["args"][0]["shape"] = [1]
    sig["results"][0]["shape"] = [1]
    sig["extra"]["python"]["inputs"][0]["shape"] = [1]
    json.dump(sig, open(sig_path, "w"))
    with pytest.raises(tg.TgError, match=r"differs from the description inside twice.o"):
        tg.saved_model.load(d)
    r = subprocess.run([TG_RUN, d], capture_output=True, text=True)
    assert r.returncode == 1 and "the file was edited" in r.stderr
    # The CPU's features edited away (to run where the object cannot).
    tg.saved_model.save(lambda x: x * 2.0, d, tg.TensorSpec([4000]), name="twice")
    sig = json.load(open(sig_path))
    sig["features"] = ""
    json.dump(sig, open(sig_path, "w"))
    with pytest.raises(tg.TgError, match=r"the file was edited"):
        tg.saved_model.load(d)
    # The Python description alone edited.
    tg.saved_model.save(lambda x: x * 2.0, d, tg.TensorSpec([4000]), name="twice")
    sig = json.load(open(sig_path))
    sig["extra"]["python"]["inputs"][0]["shape"] = [1]
    json.dump(sig, open(sig_path, "w"))
    with pytest.raises(tg.TgError, match=r"the file was edited"):
        tg.saved_model.load(d)


def test_header_is_safe_from_output_names(tmp_path):
    @tg.function
    def f(x):
        return {"ok */ int injected = 1; /* ": x + 1.0, "line\nbreak": x * 2.0,
                "w/*b": x * 3.0}
    d = str(tmp_path / "m")
    tg.saved_model.save(f, d, tg.TensorSpec([2]), name="net")
    tg.saved_model.save(f, str(tmp_path / "m2"), tg.TensorSpec([2]), name="Net")
    header = open(os.path.join(d, "net.h")).read()
    assert "injected = 1;" not in header.replace("*? int injected = 1; /", "")
    assert "#ifndef TG_EXPORTED_net_H" in header
    with open(str(tmp_path / "both.c"), "w") as c:
        c.write('#include "m/net.h"\n#include "m2/Net.h"\n'
                "int (*f)() = (int (*)())net, (*g)() = (int (*)())Net;\n")
    r = subprocess.run([CC, "-c", "-Wall", "-Werror", "-I", str(tmp_path),
                        str(tmp_path / "both.c"),
                        "-o", str(tmp_path / "both.o")], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


def test_cache_directory_others_can_write_is_not_used(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(str(shared), 0o777)
    r = cache_run(tmp_path, env={"TG_CACHE_DIR": str(shared)})
    assert (r["hits"], r["misses"], r["entries"]) == (0, 0, 0)
    # Files of others in a cache directory are not touched.
    own = tmp_path / "cache"
    own.mkdir(mode=0o700)
    (own / ".tmp-notes").write_text("mine")
    (own / "model.tgc").write_text("mine too")
    os.utime(str(own / ".tmp-notes"), (0, 0))
    for value in ("5.0", "6.0"):
        cache_run(tmp_path, value=value, env={"TG_CACHE_MAX_BYTES": "1K"})
    assert (own / ".tmp-notes").exists() and (own / "model.tgc").exists()
    assert cache_run(tmp_path, env={"TG_CACHE": "off"})["misses"] == 0


def test_f16_conversions_through_libgcc(tmp_path):
    # Without F16C (cpu x86-64), and f64 -> f16 everywhere, the code calls
    # libgcc's conversions: the JIT and the loader find them.
    f = tg.function(lambda x: tg.cast(x, tg.float16))
    x = np.array([1.5, 2.25, 65504.0], np.float64)
    np.testing.assert_array_equal(f(x).numpy(), x.astype(np.float16))
    d = str(tmp_path / "m")
    tg.saved_model.save(f, d, x, name="tohalf", cpu="x86-64")
    np.testing.assert_array_equal(tg.saved_model.load(d)(x).numpy(), x.astype(np.float16))


def test_cache_entry_under_another_key_is_not_run(tmp_path):
    cache_run(tmp_path, value="2.0")
    (two,) = [p for p in (tmp_path / "cache").iterdir() if p.suffix == ".tgc"]
    cache_run(tmp_path, value="3.0")
    (three,) = [p for p in (tmp_path / "cache").iterdir()
                if p.suffix == ".tgc" and p != two]
    three.write_bytes(two.read_bytes())  # 3.0's file now holds 2.0's code
    r = cache_run(tmp_path, value="3.0")
    assert (r["hits"], r["compilations"]) == (0, 1)


def test_variable_passed_as_argument_is_saved_as_state(tmp_path):
    v = tg.Variable([1.0, 2.0], name="v")

    @tg.function
    def bump(var, d):
        var.assign_add(d)
        return var.read_value() * 2.0
    d = str(tmp_path / "m")
    tg.saved_model.save(bump, d, v, tg.TensorSpec([2]))
    m = tg.saved_model.load(d)
    assert [x.name for x in m.variables] == ["v"]
    assert m(np.ones(2, np.float32)).numpy().tolist() == [4.0, 6.0]
    assert m.variables[0].numpy().tolist() == [2.0, 3.0]
    assert v.numpy().tolist() == [1.0, 2.0]  # the loaded model has its own


def test_concurrent_saves_into_one_directory(tmp_path):
    d = str(tmp_path / "m")
    script = textwrap.dedent("""
        import sys, numpy as np, tg
        name, d = sys.argv[1], sys.argv[2]
        for i in range(4):
            tg.saved_model.save(tg.function(lambda x: x * 2.0), d, tg.TensorSpec([3]),
                                name=name)
            m = tg.saved_model.load(d)
            assert m(np.ones(3, np.float32)).numpy().tolist() == [2.0] * 3
        """)
    procs = [subprocess.Popen([sys.executable, "-c", script, name, d],
                              stderr=subprocess.PIPE, text=True) for name in ("f", "g")]
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
    files = sorted(os.listdir(d))
    name = json.load(open(os.path.join(d, "signature.json")))["symbol"]
    assert files == sorted(["signature.json", name + ".o", name + ".h", name + ".mlirbc"])
