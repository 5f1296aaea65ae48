"""tg.device: eager tensors, ops, tg.function calls, Variables and
GradientTapes on the GPU, tested on the emulated GPU (TG_GPU_EMULATE=1: the
GPU pipeline's kernels run on this CPU, on device buffers, through the same
C API calls as on a GPU). Values are compared with numpy and with the same
program on the CPU; every misuse gets a TgError naming the user's line.
Shapes are small: emulated GPU code compiles and runs slower than CPU code.
"""
import copy
import os
import pickle
import threading

import numpy as np
import pytest

import tg
from tg import _capi, _device

GPU_NAME = "/job:localhost/replica:0/task:0/device:GPU:0"
CPU_NAME = "/job:localhost/replica:0/task:0/device:CPU:0"


@pytest.fixture(autouse=True)
def emulated_gpu(monkeypatch):
    # TG_TEST_REAL_GPU=1 (scripts/gpu-check.sh on a machine with a GPU): the
    # same tests on the real GPU.
    if os.environ.get("TG_TEST_REAL_GPU") == "1":
        monkeypatch.delenv("TG_GPU_EMULATE", raising=False)
    else:
        monkeypatch.setenv("TG_GPU_EMULATE", "1")


def copies():
    return dict(_capi.device_copies)


def real_gpu_works():
    return _device._probe(_capi.TARGET_GPU) is None


# Device names and scopes -----------------------------------------------------

@pytest.mark.parametrize("spec, name", [
    ("gpu", GPU_NAME), ("GPU", GPU_NAME), ("GPU:0", GPU_NAME), ("/GPU:0", GPU_NAME),
    ("/gpu:0", GPU_NAME), ("/device:GPU:0", GPU_NAME), ("device:gpu:0", GPU_NAME),
    ("/job:localhost/replica:0/task:0/device:GPU:0", GPU_NAME),
    ("cpu", CPU_NAME), ("CPU:0", CPU_NAME), ("/CPU:0", CPU_NAME),
    ("/device:CPU:0", CPU_NAME), ("/job:localhost/replica:0/task:0/device:CPU:0", CPU_NAME),
])
def test_tf_spellings(spec, name):
    with tg.device(spec):
        assert tg.constant([1.0, 2.0]).device == name
        assert (tg.constant([1.0]) + 1.0).device == name
    assert tg.constant(1.0).device == CPU_NAME


def test_scopes_nest_and_are_per_thread():
    seen = {}

    def other_thread():
        seen["device"] = tg.constant(1.0).device

    with tg.device("/GPU:0"):
        with tg.device("/CPU:0"):
            assert tg.constant(1.0).device == CPU_NAME
            with tg.device("gpu"):
                assert tg.constant(1.0).device == GPU_NAME
            assert tg.constant(1.0).device == CPU_NAME
        # A spec that names no device keeps the enclosing one (TF).
        with tg.device("/job:localhost/replica:0"):
            assert tg.constant(1.0).device == GPU_NAME
        t = threading.Thread(target=other_thread)
        t.start()
        t.join()
        assert tg.constant(1.0).device == GPU_NAME
    assert seen["device"] == CPU_NAME
    assert tg.constant(1.0).device == CPU_NAME


@pytest.mark.parametrize("spec, message", [
    ("GPU:1", "one GPU per process"),
    ("/device:GPU:1", "one GPU per process"),
    ("/job:localhost/replica:0/task:0/device:GPU:3", "one GPU per process"),
    ("CPU:1", "one CPU device"),
    ("tpu:0", "tg knows the devices CPU:0 and GPU:0"),
    ("/device:XLA_GPU:0", "unknown device type 'XLA_GPU'"),
    ("/job:worker/device:GPU:0", "there is no job 'worker'"),
    ("/task:1/device:GPU:0", "there is no task 1"),
    ("/GPU:0/CPU:0", "names two devices"),
    ("gpu:first", "is not a number"),
])
def test_bad_specs(spec, message):
    with pytest.raises(tg.TgError) as e:
        tg.device(spec)
    assert "tg.device(%r)" % spec in str(e.value) and message in str(e.value)
    assert "test_device.py:" in str(e.value)


def test_spec_of_wrong_type():
    with pytest.raises(tg.TgTypeError, match="expects a device name"):
        tg.device(0)
    with pytest.raises(tg.TgError, match="one GPU per process"):
        tg.function(lambda x: x, device="GPU:1")


def test_list_devices():
    cpu = tg.config.list_physical_devices("CPU")
    assert [(d.name, d.device_type) for d in cpu] == [("/physical_device:CPU:0", "CPU")]
    gpus = tg.config.list_physical_devices("gpu")
    assert [(d.name, d.device_type) for d in gpus] == [("/physical_device:GPU:0", "GPU")]
    assert len(tg.config.list_physical_devices()) == 2
    assert tg.config.list_physical_devices("TPU") == []
    assert [d.name for d in tg.config.list_logical_devices()] == ["/device:CPU:0",
                                                                  "/device:GPU:0"]


def test_gpu_without_emulation(monkeypatch):
    """Without TG_GPU_EMULATE, "GPU" means a real GPU: on a machine without
    one the first op, constant, Variable or call there says why."""
    monkeypatch.delenv("TG_GPU_EMULATE", raising=False)
    x = tg.constant([1.0, 2.0])
    f = tg.function(lambda a: a * 2.0)
    attempts = [lambda: tg.constant([1.0]), lambda: x + 1.0, lambda: f(x),
                lambda: tg.Variable(1.0), lambda: tg.zeros([2])]
    if real_gpu_works():
        assert [d.device_type for d in tg.config.list_physical_devices()] == ["CPU", "GPU"]
        with tg.device("GPU:0"):
            for attempt in attempts:
                attempt()
        np.testing.assert_allclose(tg.function(lambda a: a * 2.0, device="gpu")(x), [2, 4])
        return
    assert [d.device_type for d in tg.config.list_physical_devices()] == ["CPU"]
    with tg.device("GPU:0"):
        for attempt in attempts:
            with pytest.raises(tg.TgError) as e:
                attempt()
            assert "test_device.py:" in str(e.value)
            assert "the GPU is unavailable" in str(e.value)
            assert "TG_GPU_EMULATE=1" in str(e.value)
    with pytest.raises(tg.TgError, match="the GPU is unavailable"):
        tg.function(lambda a: a + 1.0, device="/GPU:0")(x)


# Eager tensors and ops ---------------------------------------------------------

def test_constants_and_ops_live_on_the_device():
    a = np.array([[1.0, -2.0], [3.0, 4.0]], np.float32)
    with tg.device("GPU:0"):
        x = tg.constant(a)
        y = tg.convert_to_tensor([[0.5, 0.5], [1.0, 2.0]])
        before = copies()
        z = tg.matmul(x, y) + tg.exp(x) * 2.0
        s = tg.reduce_sum(z, axis=1)
        assert copies()["to_host"] == before["to_host"]
    for t in (x, y, z, s):
        assert t.device == GPU_NAME and isinstance(t, tg.EagerTensor)
    assert z._host is None and s._host is None  # nothing read them yet
    expected = a @ np.array([[0.5, 0.5], [1.0, 2.0]], np.float32) + np.exp(a) * 2
    np.testing.assert_allclose(z.numpy(), expected, rtol=1e-6)
    assert z._host is not None  # the host copy, made once and kept
    np.testing.assert_allclose(np.asarray(s), expected.sum(1), rtol=1e-6)
    assert z.shape == (2, 2) and z.dtype == np.float32 and len(z) == 2
    assert float(s[0]) == pytest.approx(expected.sum(1)[0], rel=1e-6)
    assert int(tg.constant(7)) == 7 and bool(tg.constant(True))
    assert "tg.Tensor(" in str(z) and "numpy=" in repr(z)
    np.testing.assert_allclose([r.numpy() for r in z], expected, rtol=1e-6)
    # numpy cannot write into the host copy: it would drift from the buffer.
    assert not np.asarray(z).flags.writeable
    for c in (copy.copy(z), copy.deepcopy(z), pickle.loads(pickle.dumps(z))):
        assert c.device == GPU_NAME
        np.testing.assert_array_equal(c.numpy(), z.numpy())


def test_dtypes_on_the_device():
    with tg.device("gpu"):
        for dtype in (tg.float64, tg.float16, tg.int32, tg.int64):
            x = tg.constant([1, 2, 3], dtype=dtype)
            y = x * tg.constant(2, dtype=dtype) - x
            assert y.device == GPU_NAME and y.dtype == dtype
            np.testing.assert_array_equal(y.numpy(), [1, 2, 3])
        b = tg.constant([1.0, 2.0, 3.0]) > 1.5
        assert b.dtype == np.bool_ and b.device == GPU_NAME
        np.testing.assert_array_equal(b.numpy(), [False, True, True])


def test_ops_outside_a_gpu_scope_run_on_the_cpu():
    with tg.device("gpu"):
        x = tg.constant([1.0, 2.0, 3.0])
    y = x * 3.0  # a CPU op on the host copy
    assert y.device == CPU_NAME
    np.testing.assert_allclose(y, [3.0, 6.0, 9.0])
    with tg.device("cpu"):
        assert tg.identity(x).device == CPU_NAME
    with tg.device("gpu"):
        h = tg.constant([1.0, 1.0, 1.0])
        assert (tg.constant(np.ones(3, np.float32)) + y).device == GPU_NAME
        moved = tg.identity(y)
        assert moved.device == GPU_NAME
        np.testing.assert_allclose(moved + h, [4.0, 7.0, 10.0])


def test_random_draws_match_the_cpu():
    tg.random.set_seed(11)
    cpu = tg.random.normal([5]).numpy()
    tg.random.set_seed(11)
    with tg.device("gpu"):
        gpu = tg.random.normal([5])
    assert gpu.device == GPU_NAME
    np.testing.assert_allclose(gpu.numpy(), cpu, rtol=1e-6)


# tg.function ---------------------------------------------------------------------

def test_function_results_stay_on_the_device():
    f = tg.function(lambda x, w: tg.tanh(tg.matmul(x, w)) + 0.5)
    w_np = np.array([[0.5, -1.0], [0.25, 2.0]], np.float32)
    x_np = np.array([[1.0, 2.0], [-1.0, 0.5]], np.float32)
    with tg.device("/GPU:0"):
        x, w = tg.constant(x_np), tg.constant(w_np)
        before = copies()
        y = f(f(f(x, w), w), w)
        assert copies() == before  # device tensors in and out: no copy at all
    assert y.device == GPU_NAME and y._host is None
    expected = x_np
    for _ in range(3):
        expected = np.tanh(expected @ w_np) + 0.5
    np.testing.assert_allclose(y.numpy(), expected, rtol=1e-5)
    # numpy arguments of a GPU call are copied in; results still stay.
    with tg.device("gpu"):
        r = f(x_np, w_np)
    assert r.device == GPU_NAME
    np.testing.assert_allclose(r, np.tanh(x_np @ w_np) + 0.5, rtol=1e-5)


def test_trace_cache_is_keyed_by_device():
    f = tg.function(lambda x: tg.reduce_sum(x * x, axis=0))
    x = np.arange(6, dtype=np.float32).reshape(3, 2)
    cpu = f(x)
    with tg.device("GPU:0"):
        gpu = f(x)
        x_on_gpu = tg.constant(x)
        gpu2 = f(x_on_gpu)
    assert f.trace_count == 2  # once per device, not per call
    assert cpu.device == CPU_NAME and gpu.device == GPU_NAME and gpu2.device == GPU_NAME
    np.testing.assert_allclose(cpu, (x * x).sum(0))
    np.testing.assert_allclose(gpu, (x * x).sum(0))
    np.testing.assert_allclose(gpu2, (x * x).sum(0))
    # A GPU tensor outside a GPU scope: the CPU trace, on its host copy.
    assert f(x_on_gpu).device == CPU_NAME and f.trace_count == 2
    # device= fixes the device whatever the scope.
    g = tg.function(lambda x: x + 1.0, device="/device:GPU:0")
    h = tg.function(lambda x: x + 1.0, device="cpu")
    assert g(x).device == GPU_NAME
    with tg.device("gpu"):
        assert h(x).device == CPU_NAME
    np.testing.assert_allclose(g(x), x + 1)


def test_function_structures_control_flow_and_print(capsys):
    @tg.function
    def f(x, scale, extra=None):
        if tg.reduce_sum(x) > 0:  # AutoGraph: the host code reads the condition
            y = x * scale
        else:
            y = -x
        i = tg.constant(0)
        while i < 3:
            y = y + 1.0
            i += 1
        tg.print("y:", y)
        return {"y": y, "pair": (tg.reduce_max(y), None), "n": 3}

    x = np.array([1.0, -0.5, 2.0], np.float32)
    with tg.device("gpu"):
        out = f(tg.constant(x), 2.0)
        neg = f(tg.constant(-x), 2.0)
    assert out["y"].device == GPU_NAME and out["pair"][1] is None and out["n"] == 3
    np.testing.assert_allclose(out["y"], x * 2 + 3)
    np.testing.assert_allclose(out["pair"][0], (x * 2 + 3).max())
    np.testing.assert_allclose(neg["y"], x + 3)
    assert "y: [5. 2. 7.]" in capsys.readouterr().out


def test_captured_tensors():
    table = tg.constant(np.arange(20, dtype=np.float32))  # captured, not inlined
    with tg.device("gpu"):
        on_gpu = tg.constant(np.ones(20, np.float32))
        f = tg.function(lambda x: x * table + on_gpu)
        first = f(tg.constant(np.full(20, 2.0, np.float32)))
        before = copies()
        second = f(first)
        assert copies()["from_host"] == before["from_host"]  # captures copied once
    np.testing.assert_allclose(second, (np.arange(20) * 2 + 1) * np.arange(20) + 1)
    assert f(np.ones(20, np.float32)).device == CPU_NAME


# Variables ---------------------------------------------------------------------

def test_variables_stay_on_their_device():
    with tg.device("gpu"):
        v = tg.Variable([1.0, 2.0, 3.0])
    w = tg.Variable([1.0, 1.0, 1.0])
    assert v.device == GPU_NAME and w.device == CPU_NAME
    v.assign_add([1.0, 1.0, 1.0])  # a CPU op; the value goes back to the GPU
    assert v.device == GPU_NAME
    np.testing.assert_allclose(v.numpy(), [2.0, 3.0, 4.0])
    with tg.device("gpu"):
        w.assign(tg.constant([5.0, 6.0, 7.0]))
        v.assign(v * 2.0)
    assert w.device == CPU_NAME and v.device == GPU_NAME
    np.testing.assert_allclose(w.numpy(), [5.0, 6.0, 7.0])
    np.testing.assert_allclose(v.numpy(), [4.0, 6.0, 8.0])

    @tg.function
    def step(g):
        v.assign_sub(0.5 * g)
        w.assign_add(g)
        return tg.reduce_sum(v) + tg.reduce_sum(w)

    with tg.device("gpu"):
        g = tg.constant([2.0, 2.0, 2.0])
        total = step(g)
    np.testing.assert_allclose(total, (4 + 6 + 8 - 3) + (5 + 6 + 7 + 6))
    np.testing.assert_allclose(v.numpy(), [3.0, 5.0, 7.0])
    np.testing.assert_allclose(w.numpy(), [7.0, 8.0, 9.0])
    assert v.device == GPU_NAME and w.device == CPU_NAME
    total = step(np.ones(3, np.float32))  # the same function on the CPU
    np.testing.assert_allclose(v.numpy(), [2.5, 4.5, 6.5])
    np.testing.assert_allclose(w.numpy(), [8.0, 9.0, 10.0])
    assert v.device == GPU_NAME and total.device == CPU_NAME


# GradientTape --------------------------------------------------------------------

def test_eager_gradient_tape_on_the_gpu():
    x_np = np.array([0.3, -1.2, 2.0], np.float32)
    x64 = x_np.astype(np.float64)
    with tg.device("gpu"):
        x = tg.constant(x_np)
        v = tg.Variable([1.5, -0.5, 0.25])
        with tg.GradientTape(persistent=True) as tape:
            tape.watch(x)
            y = tg.reduce_sum(tg.sin(x) * x * x) + tg.reduce_sum(v * v * x)
        gx, gv = tape.gradient(y, [x, v])
        assert gx.device == GPU_NAME and gv.device == GPU_NAME
        # Second derivative through nested tapes.
        with tg.GradientTape() as outer:
            outer.watch(x)
            with tg.GradientTape() as inner:
                inner.watch(x)
                z = tg.reduce_sum(x * x * x)
            dz = inner.gradient(z, x)
        d2z = outer.gradient(dz, x)
    v64 = np.array([1.5, -0.5, 0.25])
    np.testing.assert_allclose(
        gx, np.cos(x64) * x64 ** 2 + 2 * x64 * np.sin(x64) + v64 ** 2, rtol=1e-5)
    np.testing.assert_allclose(gv, 2 * v64 * x64, rtol=1e-5)
    np.testing.assert_allclose(d2z, 6 * x64, rtol=1e-5)
    # Recorded on the GPU, differentiated outside the scope (on the CPU).
    gx_cpu = tape.gradient(y, x)
    assert gx_cpu.device == CPU_NAME
    np.testing.assert_allclose(gx_cpu, gx.numpy(), rtol=1e-6)


def test_gradient_through_a_copy_between_devices():
    host = tg.constant([1.0, 2.0])
    with tg.GradientTape() as tape:
        tape.watch(host)
        with tg.device("gpu"):
            on_gpu = tg.identity(host)  # a copy, recorded like an op
            y = tg.reduce_sum(on_gpu * on_gpu * on_gpu)
    np.testing.assert_allclose(tape.gradient(y, host), [3.0, 12.0])


def test_traced_tape_and_grad_on_the_gpu():
    @tg.function
    def grads(x):
        with tg.GradientTape() as t:
            t.watch(x)
            y = tg.reduce_sum(tg.exp(x) * x)
        return t.gradient(y, x)

    x64 = np.array([0.5, -1.0, 1.5])
    with tg.device("gpu"):
        g = grads(tg.constant(x64.astype(np.float32)))
        d = tg.grad(lambda a: tg.reduce_sum(tg.tanh(a)))(tg.constant([0.2, -0.7]))
    assert g.device == GPU_NAME and d.device == GPU_NAME
    np.testing.assert_allclose(g, np.exp(x64) * (1 + x64), rtol=1e-5)
    np.testing.assert_allclose(d, 1 - np.tanh([0.2, -0.7]) ** 2, rtol=1e-5)
    # Finite differences in f64 of the same function on the GPU.
    f64 = tg.function(lambda a: tg.reduce_sum(tg.exp(a) * a))
    eps, numeric = 1e-6, []
    with tg.device("gpu"):
        for i in range(3):
            e = np.zeros(3)
            e[i] = eps
            numeric.append((float(f64(x64 + e)) - float(f64(x64 - e))) / (2 * eps))
    np.testing.assert_allclose(g, numeric, rtol=1e-4)


def _mlp_training(device_name):
    """Three SGD steps of a two-layer MLP with softmax cross-entropy."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((8, 4)).astype(np.float32)
    labels = rng.integers(0, 3, 8)
    w1_init = (rng.standard_normal((4, 6)) * 0.5).astype(np.float32)
    w2_init = (rng.standard_normal((6, 3)) * 0.5).astype(np.float32)
    with tg.device(device_name):
        w1, b1 = tg.Variable(w1_init), tg.Variable(tg.zeros([6]))
        w2, b2 = tg.Variable(w2_init), tg.Variable(tg.zeros([3]))
        params = [w1, b1, w2, b2]

        @tg.function
        def train_step(x, y):
            with tg.GradientTape() as tape:
                h = tg.nn.relu(tg.matmul(x, w1) + b1)
                logits = tg.matmul(h, w2) + b2
                loss = tg.reduce_mean(-tg.reduce_sum(y * tg.nn.log_softmax(logits), axis=1))
            for p, g in zip(params, tape.gradient(loss, params)):
                p.assign_sub(0.1 * g)
            return loss

        xs, ys = tg.constant(x), tg.one_hot(tg.constant(labels), 3)
        losses = [train_step(xs, ys)]
        before = copies()
        losses += [train_step(xs, ys) for _ in range(2)]
        after = copies()
    return [float(loss) for loss in losses], [p.numpy() for p in params], \
        losses[-1].device, (before, after), [p.device for p in params]


def test_mlp_training_step_on_the_gpu_matches_the_cpu():
    cpu_losses, cpu_params, cpu_device, _, _ = _mlp_training("cpu")
    gpu_losses, gpu_params, gpu_device, (before, after), devices = _mlp_training("gpu")
    assert cpu_device == CPU_NAME and gpu_device == GPU_NAME
    assert devices == [GPU_NAME] * 4
    assert before == after  # the training loop never went through host memory
    assert cpu_losses[2] < cpu_losses[0]
    np.testing.assert_allclose(gpu_losses, cpu_losses, rtol=1e-5)
    for g, c in zip(gpu_params, cpu_params):
        np.testing.assert_allclose(g, c, rtol=1e-5, atol=1e-6)


# Misuse --------------------------------------------------------------------------

def test_misuse_on_the_device():
    f = tg.function(lambda x: x * 2.0,
                    input_signature=[tg.TensorSpec([3], tg.float32)])
    with tg.device("gpu"):
        with pytest.raises(tg.TgTypeError, match="input_signature says"):
            f(tg.constant([1.0, 2.0]))
        with pytest.raises(tg.TgTypeError, match="input_signature says"):
            f(tg.constant([1, 2, 3]))
        np.testing.assert_allclose(f(tg.constant([1.0, 2.0, 3.0])), [2.0, 4.0, 6.0])
        with pytest.raises(tg.TgTypeError, match="different dtypes"):
            tg.constant([1.0]) + tg.constant([1])
        with pytest.raises(tg.TgTypeError, match="different dtypes"):
            tg.function(lambda a, b: a + b)(tg.constant([1.0]), tg.constant([1]))
        with pytest.raises(tg.TgError, match="do not broadcast|cannot broadcast|broadcast"):
            tg.function(lambda a, b: a + b)(tg.constant([1.0, 2.0]),
                                            tg.constant([1.0, 2.0, 3.0]))
        with pytest.raises(tg.TgTypeError, match="which tg does not support"):
            tg.function(lambda a: a)(np.ones(2, np.complex64))
        v = tg.Variable([1.0, 2.0])
        with pytest.raises(tg.TgError, match="does not match"):
            v.assign([1.0, 2.0, 3.0])
        with pytest.raises(tg.TgTypeError, match="expected a float32 tensor"):
            v.assign(tg.constant([1, 2]))


def test_export_is_cpu_only(tmp_path):
    f = tg.function(lambda x: x + 1.0, device="gpu")
    with pytest.raises(tg.TgError, match="export compiles for the CPU only"):
        tg.saved_model.save(f, str(tmp_path / "m"), tg.TensorSpec([2]))
    g = tg.function(lambda x: x + 1.0)
    with tg.device("gpu"):
        with pytest.raises(tg.TgError, match="export compiles for the CPU only"):
            tg.saved_model.save(g, str(tmp_path / "m"), tg.TensorSpec([2]))
    assert not (tmp_path / "m").exists()


# TF32 -------------------------------------------------------------------------

def test_tensor_float_32_setting():
    """tg.config.experimental.enable_tensor_float_32_execution: f32 matmuls
    compiled for the GPU afterwards run on TF32 tensor cores (operands that
    TF32 cannot hold, 1 + 2^-20, lose their low bits); off (the default),
    they are exact to f32. Traces and eager kernels compile again for the
    other setting; the CPU is never affected."""
    a = np.full((20, 16), 1 + 2.0 ** -20, np.float32)
    b = np.eye(16, 12, dtype=np.float32)
    exact, rounded = a @ b, np.ones((20, 12), np.float32)
    f = tg.function(lambda x, y: tg.matmul(x, y))
    assert not tg.config.experimental.tensor_float_32_execution_enabled()
    try:
        for enabled, expected in ((False, exact), (True, rounded), (False, exact)):
            tg.config.experimental.enable_tensor_float_32_execution(enabled)
            with tg.device("GPU:0"):
                np.testing.assert_array_equal(f(a, b).numpy(), expected)
                np.testing.assert_array_equal(tg.matmul(tg.constant(a), b).numpy(), expected)
            np.testing.assert_array_equal(f(a, b).numpy(), exact)
    finally:
        tg.config.experimental.enable_tensor_float_32_execution(False)
