"""tg.profiler.trace and f.graph: a training step's kernels, timed, mapped
to this file's lines; graph drawings of a known function; the errors."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

import tg

HERE = os.path.dirname(os.path.abspath(__file__))
CHECK_TRACE = os.path.join(HERE, "..", "Integration", "check_trace.py")
rng = np.random.default_rng(7)


def line_of(text):
    """The line of this file holding `text` (once)."""
    with open(__file__) as f:
        lines = [i + 1 for i, l in enumerate(f) if text in l and "line_of" not in l]
    assert len(lines) == 1, (text, lines)
    return lines[0]


def make_step():
    w1 = tg.Variable((rng.standard_normal((16, 32)) * 0.3).astype(np.float32))
    w2 = tg.Variable((rng.standard_normal((32, 10)) * 0.3).astype(np.float32))

    @tg.function
    def step(x, y):
        with tg.GradientTape() as tape:
            h = tg.relu(tg.matmul(x, w1))  # first layer
            logits = tg.matmul(h, w2)  # second layer
            loss = -tg.reduce_mean(tg.reduce_sum(y * tg.log_softmax(logits), axis=1))
        g1, g2 = tape.gradient(loss, [w1, w2])
        w1.assign_sub(0.1 * g1)
        w2.assign_sub(0.1 * g2)
        return loss
    return step, w1, w2


def batch():
    x = rng.standard_normal((64, 16)).astype(np.float32)
    y = np.eye(10, dtype=np.float32)[rng.integers(0, 10, 64)]
    return x, y


def kernels(events):
    return [e for e in events if e.get("cat") == "kernel"]


def test_a_training_step_profiled_from_python(tmp_path):
    step, w1, w2 = make_step()
    ref_step, r1, r2 = make_step()
    r1.assign(w1.numpy())
    r2.assign(w2.numpy())
    x, y = batch()
    path = tmp_path / "step.json"
    with tg.profiler.trace(str(path)) as prof:
        losses = [float(step(x, y)) for _ in range(3)]
    # The same numbers as unprofiled calls, and the Variables updated.
    ref = [float(ref_step(x, y)) for _ in range(3)]
    assert losses == ref
    np.testing.assert_array_equal(w1.numpy(), r1.numpy())
    # A valid Chrome trace: 3 calls of the step, each with the same kernels,
    # every kernel inside its call; the summary's rows add up to 100%.
    summary = tmp_path / "summary.txt"
    summary.write_text(prof.summary())
    first, second = line_of("# first layer"), line_of("# second layer")
    check = subprocess.run(
        [sys.executable, CHECK_TRACE, str(path), "--calls", "3", "--summary", str(summary),
         "--kernel", "matmul+relu=%d" % first],
        capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    trace = json.loads(path.read_text())
    calls = [e for e in trace["traceEvents"] if e.get("cat") == "call"]
    assert {c["name"] for c in calls} == {"@step"}
    ks = kernels(trace["traceEvents"])
    assert len(ks) % 3 == 0 and ks
    # Every kernel names tg ops on this file's lines of the step; the
    # forward matmuls are there, on their lines.
    lines = set()
    for k in ks:
        assert k["args"]["function"] == "step"
        assert k["args"]["kernel"].startswith("step/k")
        for op in k["args"]["ops"]:
            name, where = op.split(" ", 1)
            assert name.startswith("tg.")
            assert where.rsplit(":", 1)[0] == __file__, op
            lines.add(int(where.rsplit(":", 1)[1]))
    assert {first, second} <= lines
    assert lines <= set(range(first - 2, first + 8))
    matmul = [k for k in ks if "matmul" in k["name"] and str(first) in k["args"]["source_lines"]]
    assert matmul
    # FLOPs of the forward matmul (64x16 @ 16x32) are in the estimates.
    assert any(k["args"]["flops"] >= 2 * 64 * 16 * 32 for k in matmul)
    assert prof.events() == trace["traceEvents"]
    assert "step/k" in prof.summary() and "total" in prof.summary()


def test_outside_a_trace_nothing_is_recorded_or_timed():
    step, _, _ = make_step()
    x, y = batch()
    step(x, y)
    with tg.profiler.trace() as prof:
        step(x, y)
    assert len(kernels(prof.events())) > 0
    concrete = next(iter(step._cache.values()))
    # The plain executable is the one called outside; it has no timing.
    assert concrete._profiled is not None and concrete.run is not concrete._profiled[0]
    with tg.profiler.trace() as idle:
        pass
    assert kernels(idle.events()) == []
    assert [e for e in idle.events() if e.get("cat") == "call"] == []


def test_a_kernel_in_a_loop_is_timed_at_every_iteration():
    @tg.function
    def f(x):
        i = tg.constant(0)
        while i < 4:
            x = tg.tanh(x) * 2.0  # loop body
            i += 1
        return x
    x = rng.standard_normal(1000).astype(np.float32)
    expected = f(x).numpy()
    with tg.profiler.trace() as prof:
        got = f(x).numpy()
    np.testing.assert_array_equal(got, expected)
    body = [k for k in kernels(prof.events())
            if str(line_of("# loop body")) in k["args"]["source_lines"]]
    assert len(body) == 4


def test_eager_ops_are_calls_of_their_own():
    with tg.profiler.trace() as prof:
        tg.constant(np.ones(4, np.float32)) + 1.0
    calls = [e for e in prof.events() if e.get("cat") == "call"]
    assert calls and all("(eager)" in c["name"] for c in calls)


def test_profiler_errors(tmp_path):
    with pytest.raises(tg.TgError, match="cannot write the profile to .*does not exist"):
        with tg.profiler.trace(str(tmp_path / "missing" / "t.json")):
            raise AssertionError("the block must not run")
    with pytest.raises(tg.TgError, match="it is a directory"):
        with tg.profiler.trace(str(tmp_path)):
            pass
    assert not (tmp_path / "missing").exists()
    with tg.profiler.trace() as prof:
        with pytest.raises(tg.TgError, match="already recording"):
            with tg.profiler.trace():
                pass
        with pytest.raises(tg.TgError, match="when its 'with"):
            prof.summary()
    # The error names the user's line.
    with pytest.raises(tg.TgError, match=r"test_profiler\.py:\d+: error"):
        with tg.profiler.trace(str(tmp_path)):
            pass


def dense(x, w, b):
    h = tg.matmul(x, w)  # graph: matmul
    return tg.reduce_sum(tg.relu(h + b), axis=1)  # graph: relu


def test_graph_drawings_of_a_known_function():
    f = tg.function(dense)
    args = (np.ones((8, 4), np.float32), np.ones((4, 16), np.float32),
            np.ones(16, np.float32))
    m, r = line_of("# graph: matmul"), line_of("# graph: relu")
    for stage in ("tg", "optimized", "fused"):
        dot = f.graph(*args, stage=stage)
        assert dot.startswith("digraph tg {")
        assert 'label="matmul\\ntest_profiler.py:%d\\n8x16xf32"' % m in dot
        assert 'label="relu\\ntest_profiler.py:%d\\n8x16xf32"' % r in dot
        assert ("cluster_k" in dot) == (stage == "fused")
    dot = f.graph(*args)
    # At the fused stage: the matmul in one kernel; the bias add, the relu
    # and the reduction (their only consumer) in another; edges follow the
    # values.
    clusters = [c for c in dot.split("subgraph ")[1:] if c.startswith("cluster_k")]
    labels = [c.split('label="', 1)[1].split('"', 1)[0] for c in clusters]
    assert labels == ["kernel dense/k0 matmul", "kernel dense/k1 add+relu+reduce_sum"], labels
    nodes = {}
    for line in dot.splitlines():
        line = line.strip()
        if line.startswith("n") and "label=" in line and " -> " not in line:
            nodes[line.split(" ", 1)[0]] = line.split('label="', 1)[1].split("\\n", 1)[0]
    edges = {(nodes.get(a), nodes.get(b.split(" ")[0]))
             for a, b in (l.strip().split(" -> ") for l in dot.splitlines() if " -> " in l)}
    assert ("matmul", "add") in edges and ("add", "relu") in edges
    assert ("relu", "reduce_sum") in edges and ("reduce_sum", "func.return") in edges
    svg = f.graph(*args, format="svg")
    assert "<svg" in svg and "matmul" in svg


def test_graph_errors():
    f = tg.function(dense)
    args = (np.ones((8, 4), np.float32), np.ones((4, 16), np.float32),
            np.ones(16, np.float32))
    with pytest.raises(tg.TgError, match=r"test_profiler\.py:\d+: error: unknown graph stage 'linalg'"):
        f.graph(*args, stage="linalg")
    with pytest.raises(tg.TgError, match="unknown graph format 'png'"):
        f.graph(*args, format="png")
    with pytest.raises(tg.TgError):
        f.graph(np.ones((8, 5), np.float32), *args[1:])  # a shape error, located


def test_timeline_picture(tmp_path):
    step, _, _ = make_step()
    x, y = batch()
    step(x, y)
    path = tmp_path / "t.json"
    with tg.profiler.trace(path):
        step(x, y)
    svg = tmp_path / "t.svg"
    env = dict(os.environ)
    run = subprocess.run([sys.executable, "-m", "tg.timeline", str(path), "-o", str(svg)],
                         capture_output=True, text=True, env=env)
    assert run.returncode == 0, run.stderr
    text = svg.read_text()
    assert text.startswith("<svg") and "@step: one call" in text
    assert "step/k0" in text and "test_profiler.py:%d" % line_of("# first layer") in text
    bad = subprocess.run([sys.executable, "-m", "tg.timeline", str(tmp_path / "nope.json"),
                          "-o", str(tmp_path / "x.svg")], capture_output=True, text=True)
    assert bad.returncode == 1 and "not a tg profile" in bad.stderr
    assert not (tmp_path / "x.svg").exists()


def test_the_walkthrough_example_runs(tmp_path):
    """docs/profiling.md's example writes its trace, table and drawing."""
    example = os.path.join(HERE, "..", "..", "examples", "profile_training_step.py")
    run = subprocess.run([sys.executable, example, str(tmp_path)], capture_output=True,
                         text=True)
    assert run.returncode == 0, run.stderr
    assert "total" in (tmp_path / "summary.txt").read_text()
    json.loads((tmp_path / "step.json").read_text())
    drawn = list(tmp_path.glob("step-fused.*"))
    assert len(drawn) == 1 and "matmul" in drawn[0].read_text()


def test_threads_inside_a_trace_share_one_profiled_compile():
    import threading
    a = rng.standard_normal((64, 64)).astype(np.float32)

    @tg.function
    def f(x):
        return tg.tanh(tg.matmul(x, x))
    expected = f(a).numpy()
    results = []
    with tg.profiler.trace() as prof:
        threads = [threading.Thread(target=lambda: results.extend(
            f(a).numpy() for _ in range(5))) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert len(results) == 20 and all((r == expected).all() for r in results)
    rows = [l for l in prof.summary().splitlines() if l.startswith("f/k")]
    assert len(rows) == 1 and rows[0].split()[2] == "20", prof.summary()


def test_profiled_code_keeps_the_thread_count_it_was_traced_with():
    x = rng.standard_normal((512, 256)).astype(np.float32)
    w = rng.standard_normal((256, 128)).astype(np.float32)

    @tg.function
    def f(x, w):
        return tg.reduce_sum(tg.matmul(x, w))
    before = tg.get_num_threads()
    try:
        tg.set_num_threads(1)
        expected = f(x, w).numpy()
        tg.set_num_threads(2)
        with tg.profiler.trace():
            got = f(x, w).numpy()
    finally:
        tg.set_num_threads(before)
    assert got == expected


def test_an_exception_in_the_block_is_the_one_raised(tmp_path):
    step, _, _ = make_step()
    x, y = batch()
    path = tmp_path / "t.json"
    with pytest.raises(KeyError, match="mine"):
        with tg.profiler.trace(path):
            step(x, y)
            raise KeyError("mine")
    # The trace of what ran is still written.
    assert json.loads(path.read_text())["traceEvents"]


def test_trace_arguments_and_reuse(tmp_path, monkeypatch):
    with pytest.raises(tg.TgTypeError, match="takes a file path"):
        tg.profiler.trace(3)
    with pytest.raises(tg.TgTypeError, match="not bytes"):
        tg.profiler.trace(b"x.json")
    t = tg.profiler.trace()
    with t:
        pass
    with pytest.raises(tg.TgError, match="already used"):
        with t:
            pass
    # A relative path is the directory of the `with`, not of the block's end.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sub").mkdir()
    with tg.profiler.trace("rel.json"):
        os.chdir("sub")
        tg.constant(np.ones(3, np.float32)) * 2.0
    assert (tmp_path / "rel.json").exists() and not (tmp_path / "sub" / "rel.json").exists()
