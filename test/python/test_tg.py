"""Tests of the tg Python package: traced ops against numpy, the signature
cache, gradients through tg.grad, a training loop, and errors that name the
user's line."""
import inspect

import numpy as np
import pytest

import tg

rng = np.random.default_rng(0)
A = rng.standard_normal((4, 3)).astype(np.float32)
V = rng.standard_normal(3).astype(np.float32)
P = rng.uniform(0.5, 2.0, (4, 3)).astype(np.float32)


def close(got, want, tol=1e-5):
    got, want = np.asarray(got), np.asarray(want)
    assert got.shape == want.shape and got.dtype == want.dtype, (got, want)
    np.testing.assert_allclose(got, want, rtol=tol, atol=tol)


@pytest.mark.parametrize("op,ref", [
    (lambda a, b: a + b, lambda a, b: a + b),
    (lambda a, b: a - b, lambda a, b: a - b),
    (lambda a, b: a * b, lambda a, b: a * b),
    (lambda a, b: a / b, lambda a, b: a / b),
    (lambda a, b: tg.maximum(a, b), np.maximum),
    (lambda a, b: tg.minimum(a, b), np.minimum),
])
def test_binary_broadcasting(op, ref):
    close(tg.function(op)(A, V), ref(A, V))
    close(tg.function(op)(V, A), ref(V, A))


def test_python_scalars_and_pow():
    close(tg.function(lambda p: 2 * p ** 3 - 1)(P), 2 * P ** 3 - 1, 1e-4)
    close(tg.function(lambda p: -p)(P), -P)


@pytest.mark.parametrize("name,ref", [
    ("exp", np.exp), ("log", np.log), ("sqrt", np.sqrt), ("tanh", np.tanh),
    ("sin", np.sin), ("cos", np.cos), ("abs", np.abs),
    ("rsqrt", lambda x: 1 / np.sqrt(x)), ("sigmoid", lambda x: 1 / (1 + np.exp(-x))),
    ("relu", lambda x: np.maximum(x, 0)),
])
def test_unary(name, ref):
    x = P if name in ("log", "sqrt", "rsqrt") else A
    close(tg.function(getattr(tg, name))(x), ref(x))


def test_matmul_and_layout():
    B = rng.standard_normal((3, 5)).astype(np.float32)
    close(tg.function(lambda a, b: a @ b)(A, B), A @ B)
    C = rng.standard_normal((2, 1, 4, 3)).astype(np.float32)
    D = rng.standard_normal((5, 3, 2)).astype(np.float32)
    close(tg.function(tg.matmul)(C, D), np.matmul(C, D))
    close(tg.function(lambda a: a.T)(A), A.T)
    close(tg.function(lambda a: tg.reshape(a, (2, 6)))(A), A.reshape(2, 6))
    close(tg.function(lambda v: tg.broadcast_to(v, (2, 4, 3)))(V), np.broadcast_to(V, (2, 4, 3)))
    close(tg.function(lambda a: tg.concat([a, a[:2]], axis=0))(A), np.concatenate([A, A[:2]]))
    close(tg.function(lambda a: a[1:4:2, ::2])(A), A[1:4:2, ::2])


def test_reductions_and_softmax():
    close(tg.function(lambda a: tg.reduce_sum(a, axis=1))(A), A.sum(1))
    close(tg.function(lambda a: tg.reduce_mean(a, axis=0, keepdims=True))(A), A.mean(0, keepdims=True))
    close(tg.function(lambda a: tg.reduce_max(a))(A), np.float32(A.max()))
    close(tg.function(lambda a: tg.reduce_min(a, axis=(0, 1), keepdims=True))(A), A.min(keepdims=True))
    e = np.exp(A - A.max(1, keepdims=True))
    close(tg.function(lambda a: tg.softmax(a, axis=1))(A), e / e.sum(1, keepdims=True))
    close(tg.function(lambda a: tg.log_softmax(a, axis=1))(A), np.log(e / e.sum(1, keepdims=True)))


def test_compare_where_cast():
    close(tg.function(lambda a, v: a > v)(A, V), A > V)
    close(tg.function(lambda a: tg.where(a > 0, a, 0.0))(A), np.where(A > 0, A, 0).astype(np.float32))
    close(tg.function(lambda a: tg.cast(a, np.int32))(A * 10), (A * 10).astype(np.int32))
    close(tg.function(lambda a: tg.cast(a, np.float64))(A), A.astype(np.float64))


def test_cache_and_retrace():
    @tg.function
    def f(x, scale):
        return x * scale
    close(f(A, 2.0), A * 2)
    close(f(A + 1, 2.0), (A + 1) * 2)
    assert f.trace_count == 1          # same signature: no retrace
    close(f(A, 3.0), A * 3)
    assert f.trace_count == 2          # a new Python value retraces
    close(f(V, 3.0), V * 3)
    assert f.trace_count == 3          # a new shape retraces
    assert "tg.mul" in f.lower(A, 2.0)


def test_compute_area():
    @tg.function
    def compute_area(r):
        return 3.1415 * r * r
    assert abs(float(compute_area(np.float32(3.0))) - 28.2735) < 1e-4


def test_grad_of_cube():
    assert float(tg.grad(lambda x: x * x * x)(np.float32(3.0))) == 27.0


def test_grad_matches_numpy_and_argnums():
    W = rng.standard_normal((3, 2)).astype(np.float32)

    def loss(x, w):
        return tg.reduce_sum(tg.tanh(x @ w))
    v, (gx, gw) = tg.value_and_grad(loss, argnums=(0, 1))(A, W)
    t = np.tanh(A @ W)
    close(v, np.float32(t.sum()), 1e-4)
    close(gx, (1 - t ** 2) @ W.T, 1e-4)
    close(gw, A.T @ (1 - t ** 2), 1e-4)
    assert "tg.grad @tape" in tg.grad(loss, argnums=1).lower(A, W)


def test_training_loop_loss_goes_down():
    X = rng.standard_normal((32, 4)).astype(np.float32)
    labels = (X[:, 0] + X[:, 1] > 0).astype(np.int64)
    Y = np.eye(2, dtype=np.float32)[labels]
    w1 = (rng.standard_normal((4, 16)) * 0.5).astype(np.float32)
    w2 = (rng.standard_normal((16, 2)) * 0.5).astype(np.float32)

    def loss(w1, w2, x, y):
        h = tg.relu(x @ w1)
        return -tg.reduce_mean(tg.reduce_sum(y * tg.log_softmax(h @ w2, axis=1), axis=1))
    step = tg.value_and_grad(loss, argnums=(0, 1))
    losses = []
    for _ in range(30):
        value, (g1, g2) = step(w1, w2, X, Y)
        losses.append(float(value))
        w1 -= 0.5 * g1
        w2 -= 0.5 * g2
    assert losses[-1] < 0.5 * losses[0], losses


def test_bool_of_traced_tensor_names_the_line():
    # With AutoGraph off, `if` on a traced tensor is an error at that line.
    @tg.function(autograph=False)
    def f(x):
        if x > 0:
            return x
        return -x
    with pytest.raises(tg.TgError) as e:
        f(np.float32(1.0))
    line = inspect.getsourcelines(f.python_function)[1] + 2
    assert "test_tg.py:%d: error: a traced tensor has no value while tracing" % line \
        in str(e.value)
    assert "tg.cond" in str(e.value) and "AutoGraph" in str(e.value)


def test_shape_and_dtype_errors_name_the_line():
    def bad_shapes(a, b):
        return a + b  # the line to report
    with pytest.raises(tg.TgError) as e:
        tg.function(bad_shapes)(A, np.ones(4, np.float32))
    line = inspect.getsourcelines(bad_shapes)[1] + 1
    assert "test_tg.py:%d: error: tg.add: shapes (4, 3) and (4,) are not broadcast-compatible" % line in str(e.value)

    def bad_dtypes(a, b):
        return a * b
    with pytest.raises(tg.TgError) as e:
        tg.function(bad_dtypes)(A, A.astype(np.float64))
    assert "operands have different dtypes, float32 and float64" in str(e.value)


def test_compiler_diagnostics_point_at_python():
    # A gradient of an integer function: the error carries the location of
    # the Python line that asked for it.
    def f(x):
        return tg.reduce_sum(x)
    with pytest.raises(tg.TgError) as e:
        tg.grad(f)(np.arange(3, dtype=np.int32))
    line = inspect.currentframe().f_lineno - 1
    assert "test_tg.py:%d:" % line in str(e.value) and "float" in str(e.value)


def test_cond_gradient_takes_the_branch_that_ran():
    def f(x):
        return tg.cond(tg.reduce_sum(x) > 0, lambda: tg.reduce_sum(x * x),
                       lambda: tg.reduce_sum(x * x * x))
    # sum([-2, 2]) == 0: the else branch runs, d/dx sum(x^3) = 3x^2.
    close(tg.grad(f)(np.array([-2.0, 2.0], np.float32)), np.array([12.0, 12.0], np.float32))
    close(tg.grad(f)(np.array([1.0, 2.0], np.float32)), np.array([2.0, 4.0], np.float32))
    assert "scf.if" in tg.function(f).lower(np.array([1.0, 2.0], np.float32))


def test_while_loop_with_data_dependent_trip_count():
    def newton_sqrt(a):
        return tg.while_loop(lambda y: tg.abs(y * y - a) > 1e-6,
                             lambda y: 0.5 * (y + a / y), a)
    close(tg.function(newton_sqrt)(np.float32(9.0)), np.float32(3.0))
    close(tg.grad(newton_sqrt)(np.float32(9.0)), np.float32(1 / 6), 1e-5)

    def doubling(x):
        a, b = tg.while_loop(lambda a, b: tg.reduce_sum(a) < 100.0,
                             lambda a, b: (a * 2.0, b + 1.0), (x, x))
        return a + b
    close(tg.function(doubling)(np.array([1.0, 3.0], np.float32)), np.array([38.0, 104.0], np.float32))


def test_eager_ops_run_compiled_kernels():
    e = tg.exp(np.array([0.0, 1.0], np.float32))
    assert isinstance(e, tg.EagerTensor)
    close(e.numpy(), np.exp(np.array([0.0, 1.0], np.float32)))
    x = tg.constant(A)
    close((x * 2.0 + x).numpy(), A * 3)
    close(tg.reduce_sum(x, axis=1).numpy(), A.sum(1))
    close(tg.concat([x, x], axis=0).numpy(), np.concatenate([A, A]))
    # Graph mode and eager mode agree.
    close(tg.function(lambda a: tg.softmax(a * 2.0, axis=1))(A), tg.softmax(x * 2.0, axis=1).numpy())


def test_gradient_tape_eager():
    x = tg.constant(np.float32(3.0))
    with tg.GradientTape() as tape:
        tape.watch(x)
        y = x * x * x
    assert float(tape.gradient(y, x)) == 27.0
    with pytest.raises(tg.TgError):
        tape.gradient(y, x)  # not persistent: one gradient only

    w = tg.Variable(np.array([1.0, 2.0], np.float32))   # watched automatically
    u = tg.constant(np.array([3.0, 4.0], np.float32))    # not watched
    with tg.GradientTape(persistent=True) as tape:
        z = tg.reduce_sum(w * w * u)
    gw, gu = tape.gradient(z, [w, u])
    close(gw.numpy(), np.array([6.0, 16.0], np.float32))
    assert gu is None
    close(tape.gradient(z, w).numpy(), np.array([6.0, 16.0], np.float32))


def test_gradient_tape_inside_function():
    @tg.function
    def f(x):
        with tg.GradientTape() as tape:
            tape.watch(x)
            y = tg.reduce_sum(x * x * 2.0)
        return tape.gradient(y, x)
    close(f(np.array([1.0, -2.0], np.float32)), np.array([4.0, -8.0], np.float32))
    assert "tg.grad @tape0" in f.lower(np.array([1.0, -2.0], np.float32))


def test_conv2d_and_its_gradient():
    x = rng.standard_normal((1, 6, 5, 2)).astype(np.float32)
    w = rng.standard_normal((3, 2, 2, 4)).astype(np.float32)
    got = tg.function(lambda x, w: tg.conv2d(x, w, strides=(2, 1), padding=(1, 1, 0, 1)))(x, w)
    xp = np.pad(x, ((0, 0), (1, 1), (0, 1), (0, 0)))
    want = np.zeros(got.shape, np.float32)
    for i in range(got.shape[1]):
        for j in range(got.shape[2]):
            want[:, i, j, :] = np.einsum("nhwc,hwcf->nf", xp[:, 2 * i:2 * i + 3, j:j + 2, :], w)
    close(got, want, 1e-4)
    # d/dw sum(conv(x, w)) = sum of the input windows.
    g = tg.grad(lambda x, w: tg.reduce_sum(tg.conv2d(x, w)), argnums=1)(x, w)
    ref = np.zeros_like(w)
    for i in range(3):
        for j in range(2):
            ref[i, j] = np.repeat(x[:, i:i + 4, j:j + 4, :].sum(axis=(0, 1, 2))[:, None], 4, axis=1)
    close(g, ref, 1e-4)


def test_gradient_tape_through_cond_in_graph_mode():
    @tg.function
    def f(x):
        with tg.GradientTape() as tape:
            tape.watch(x)
            y = tg.cond(tg.reduce_sum(x) > 0, lambda: tg.reduce_sum(x * x),
                        lambda: tg.reduce_sum(x))
        return tape.gradient(y, x)
    close(f(np.array([1.0, 2.0], np.float32)), np.array([2.0, 4.0], np.float32))
    close(f(np.array([-1.0, -2.0], np.float32)), np.array([1.0, 1.0], np.float32))


def test_set_num_threads():
    with pytest.raises(tg.TgError, match="expected 0 or more threads"):
        tg.set_num_threads(-1)
    old = tg.get_num_threads()
    try:
        tg.set_num_threads(2)
        f = tg.function(lambda a, b: tg.matmul(a, b))
        a = np.random.default_rng(0).standard_normal((67, 45)).astype(np.float32)
        b = np.random.default_rng(1).standard_normal((45, 33)).astype(np.float32)
        np.testing.assert_allclose(f(a, b), a.astype(np.float64) @ b, rtol=1e-4, atol=1e-4)
    finally:
        tg.set_num_threads(old)


@pytest.fixture(params=["fast", "ctypes"])
def call_path(request, monkeypatch):
    """Runs a test through the compiled call path (tg._tgfast) and through
    the ctypes fallback; graphs built inside the test use that path."""
    if request.param == "ctypes":
        monkeypatch.setattr(tg._capi, "fast", None)
    return request.param


def test_fast_call_path_is_built():
    # scripts/setup.sh installs the Python and numpy headers, so the build
    # always makes the extension; the ctypes path is only a fallback.
    assert tg._capi.fast is not None
    f = tg.function(lambda a: a + 1.0)
    f(A)
    (concrete,) = f._cache.values()
    assert concrete.run is concrete.exe.fast


def test_large_results_held_by_the_caller_are_not_reused(call_path):
    # Results of 1 MiB or more are recycled once the caller drops them; one
    # the caller still holds must never be overwritten by the next call.
    f = tg.function(lambda a: a * 2.0)
    x = np.arange(1 << 19, dtype=np.float32)
    r1 = f(x)
    r2 = f(x + 1)
    np.testing.assert_array_equal(r1, x * 2)
    np.testing.assert_array_equal(r2, (x + 1) * 2)
    view = np.asarray(r2)[10:]
    del r2
    r3 = f(x + 2)
    np.testing.assert_array_equal(view, ((x + 1) * 2)[10:])
    np.testing.assert_array_equal(r3, (x + 2) * 2)
    address = np.asarray(r3).ctypes.data
    del r1, r3, view
    r4 = f(x + 3)
    np.testing.assert_array_equal(r4, (x + 3) * 2)
    # The dropped result's buffer was recycled (no fresh pages to fault in).
    assert np.asarray(r4).ctypes.data == address


def test_call_paths_agree_on_results_and_errors(call_path):
    f = tg.function(lambda a, b, n: (a @ b, tg.reduce_sum(a), n > 2, n + 1))
    n = np.arange(6, dtype=np.int64).reshape(2, 3)
    mm, total, gt, inc = f(A, A.T.copy(), n)
    close(mm, A @ A.T, 1e-5)
    close(total, np.float32(A.sum()), 1e-5)
    assert total.shape == () and gt.dtype == np.bool_ and inc.dtype == np.int64
    np.testing.assert_array_equal(gt, n > 2)
    np.testing.assert_array_equal(inc, n + 1)
    # A transposed view (not C-contiguous) and a list are converted first,
    # and a list compiles its own signature (lists of Python floats are f32).
    close(f(A, A.T, n)[0], A @ A.T, 1e-5)
    close(f(A.tolist(), A.T.copy(), n)[0], A @ A.T, 1e-5)
    assert f.trace_count == 2
    # Shapes the graph was not compiled for: a new signature, not a crash.
    B = np.ones((2, 4), np.float32)
    close(f(B, B.T.copy(), n)[0], B @ B.T)
    assert f.trace_count == 3
    # An executable run on the wrong shape reports it like the C API does.
    exe = tg._capi.Executable(f.lower(A, A.T.copy(), n))
    with pytest.raises(tg.TgError, match=r"argument #0 of @main expects "
                       r"tensor<4x3xf32>, got tensor<2x4xf32>"):
        exe(B, A.T.copy(), n)
    with pytest.raises(tg.TgError, match=r"argument #2 of @main expects "
                       r"tensor<2x3xi64>, got tensor<2x3xi32>"):
        exe(A, A.T.copy(), n.astype(np.int32))


def test_large_reductions_against_float64():
    # Reductions are reassociated (vectorized, one partial sum per lane);
    # compare with numpy's sums computed in f64.
    x = rng.standard_normal((512, 1000)).astype(np.float32)
    rows, total, big = tg.function(
        lambda a: (tg.reduce_sum(a, 1), tg.reduce_mean(a), tg.reduce_max(a, 0)))(x)
    x64 = x.astype(np.float64)
    np.testing.assert_allclose(rows, x64.sum(1), rtol=0, atol=2e-4)
    np.testing.assert_allclose(total, x64.mean(), rtol=0, atol=1e-6)
    np.testing.assert_array_equal(big, x.max(0))


def test_batched_matmul_with_broadcast_and_gradient():
    # Batched matmuls run as loops of 2-D micro-kernel matmuls; odd sizes
    # exercise the masked edges, a size-1 batch dimension the broadcast.
    a = rng.standard_normal((3, 37, 50)).astype(np.float32)
    b = rng.standard_normal((2, 1, 50, 45)).astype(np.float32)
    got = tg.function(lambda x, y: x @ y)(a, b)
    want = a.astype(np.float64) @ b.astype(np.float64)
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-4 * np.abs(want).max())
    loss, (ga, gb) = tg.value_and_grad(
        lambda x, y: tg.reduce_sum((x @ y) * (x @ y)), argnums=(0, 1))(a, b)
    p = want
    np.testing.assert_allclose(ga, (2 * p @ np.swapaxes(b, -1, -2)).sum(0),
                               rtol=1e-4, atol=1e-2)
    np.testing.assert_allclose(gb, (np.swapaxes(a, -1, -2) @ (2 * p)).sum(1, keepdims=True),
                               rtol=1e-4, atol=1e-2)


@pytest.mark.parametrize("threads", [1, 2])
def test_fused_softmax_rows_against_numpy(threads):
    # Softmax and log-softmax run as one pass over row tiles
    # (-tg-fuse-row-reductions); row maxima are vectorized reductions that
    # still propagate NaN like numpy.
    tg.set_num_threads(threads)
    try:
        x = rng.standard_normal((300, 1000)).astype(np.float32) * 5
        x[7, 13] = np.nan
        sm, lsm, mx = tg.function(lambda a: (tg.softmax(a, 1), tg.log_softmax(a, 1),
                                             tg.reduce_max(a, 1)))(x)
    finally:
        tg.set_num_threads(0)
    x64 = x.astype(np.float64)
    shifted = x64 - x64.max(1, keepdims=True)
    want = np.exp(shifted) / np.exp(shifted).sum(1, keepdims=True)
    np.testing.assert_allclose(sm, want, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(lsm, shifted - np.log(np.exp(shifted).sum(1, keepdims=True)),
                               rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(mx, x.max(1))
    assert np.isnan(sm[7]).all() and np.isnan(mx[7])


def test_argument_dtypes_and_byte_order(call_path):
    f = tg.function(lambda a: a * 2.0)
    # Big-endian input is converted to native order, not rejected.
    big = np.arange(4, dtype=">f4")
    np.testing.assert_array_equal(f(big), np.arange(4, dtype=np.float32) * 2)
    exe = tg._capi.Executable(f.lower(np.ones(4, np.float32)))
    np.testing.assert_array_equal(exe(big)[0], np.arange(4, dtype=np.float32) * 2)
    # Dtypes tg has no type for: one error naming the caller's line.
    line = inspect.currentframe().f_lineno + 5
    for bad in [np.arange(4, dtype=np.uint8), np.ones(3, np.complex64),
                np.array([1, "a"], dtype=object)]:
        with pytest.raises(tg.TgError, match=r"test_tg.py:%d: error: argument 'a' has "
                           r"dtype \w+, which tg does not support" % line):
            f(bad)
    with pytest.raises(tg.TgError, match=r"argument #0 has dtype uint8, which has no tg type"):
        exe(np.arange(4, dtype=np.uint8))


@pytest.mark.parametrize("threads", [1, 2])
def test_conv2d_in_row_tiles_against_numpy(threads):
    # Large enough for several tiles of output rows per image (64 wide rows
    # of 3*3*32 patches: 8 rows a tile), two images, stride 2 rows, padding.
    x = rng.standard_normal((2, 129, 64, 32)).astype(np.float32)
    w = rng.standard_normal((3, 3, 32, 16)).astype(np.float32)
    tg.set_num_threads(threads)
    try:
        got = tg.function(lambda x, w: tg.conv2d(x, w, strides=(2, 1),
                                                 padding=(1, 0, 1, 1)))(x, w)
    finally:
        tg.set_num_threads(0)
    xp = np.pad(x, ((0, 0), (1, 0), (1, 1), (0, 0))).astype(np.float64)
    want = np.zeros(got.shape)
    for i in range(3):
        for j in range(3):
            window = xp[:, i:i + 2 * got.shape[1]:2, j:j + got.shape[2], :]
            want += np.einsum("nhwc,cf->nhwf", window, w[i, j])
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-4 * np.abs(want).max())


@pytest.mark.parametrize("threads", [1, 2])
def test_dense_layer_gradients_with_fused_bias_sums(threads):
    # The bias gradient (a column sum of relu's gradient) is accumulated in
    # the micro-kernel that computes it: 300 rows span 3 row blocks of the
    # kernel, 70 columns a partial panel.
    x = rng.standard_normal((300, 90)).astype(np.float32)
    w0 = (rng.standard_normal((90, 70)) / 10).astype(np.float32)
    b0 = rng.standard_normal(70).astype(np.float32) * 0.1
    w1 = (rng.standard_normal((70, 5)) / 10).astype(np.float32)

    def loss(x, w0, b0, w1):
        h = tg.relu(tg.matmul(x, w0) + b0)
        return tg.reduce_sum(tg.tanh(tg.matmul(h, w1)))
    tg.set_num_threads(threads)
    try:
        _, (gw0, gb0) = tg.value_and_grad(loss, argnums=(1, 2))(x, w0, b0, w1)
    finally:
        tg.set_num_threads(0)
    x64, w064, w164 = (v.astype(np.float64) for v in (x, w0, w1))
    z = x64 @ w064 + b0
    h = np.maximum(z, 0)
    dz = ((1 - np.tanh(h @ w164) ** 2) @ w164.T) * (z > 0)
    np.testing.assert_allclose(gb0, dz.sum(0), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(gw0, x64.T @ dz, rtol=1e-4, atol=1e-3)


def conv_reference(x, w, strides, padding, dilations):
    """out, and d sum(out * r) / dx and / dw, by the definition (float64)."""
    sh, sw = strides
    dh, dw = dilations
    pt, pb, pl, pr = padding
    xp = np.pad(x.astype(np.float64), ((0, 0), (pt, pb), (pl, pr), (0, 0)))
    kh, kw = w.shape[:2]
    oh = (xp.shape[1] - dh * (kh - 1) - 1) // sh + 1
    ow = (xp.shape[2] - dw * (kw - 1) - 1) // sw + 1
    out = np.zeros((x.shape[0], oh, ow, w.shape[3]))
    for i in range(kh):
        for j in range(kw):
            win = xp[:, i * dh:i * dh + sh * (oh - 1) + 1:sh, j * dw:j * dw + sw * (ow - 1) + 1:sw, :]
            out += np.einsum("nyxc,cf->nyxf", win, w[i, j].astype(np.float64))
    return out


@pytest.mark.parametrize("k,strides,padding,dilations", [
    ((3, 3), (2, 2), (1, 1, 1, 1), (1, 1)),   # the CNN's strided conv
    ((3, 3), (2, 2), (0, 1, 1, 0), (1, 1)),   # asymmetric padding
    ((1, 1), (2, 2), (0, 0, 0, 0), (1, 1)),   # a phase with no taps
    ((2, 3), (3, 2), (1, 2, 0, 2), (1, 1)),   # strides above the kernel
    ((5, 5), (3, 3), (2, 2, 2, 2), (1, 1)),
    ((3, 2), (2, 1), (1, 2, 0, 1), (1, 2)),   # dilation: the spread path
    ((3, 3), (1, 1), (1, 1, 1, 1), (2, 1)),
    ((1, 1), (1, 1), (0, 0, 0, 0), (1, 1)),
])
def test_conv2d_gradients_against_the_definition(k, strides, padding, dilations):
    # Both adjoints are convolutions (strided ones one stride phase at a
    # time); compared with the definition's gradients in float64.
    x = rng.standard_normal((2, 11, 9, 3)).astype(np.float32)
    w = rng.standard_normal(k + (3, 4)).astype(np.float32)
    out = conv_reference(x, w, strides, padding, dilations)
    r = rng.standard_normal(out.shape).astype(np.float32)
    loss = lambda x, w: tg.reduce_sum(  # noqa: E731
        tg.conv2d(x, w, strides=strides, padding=padding, dilations=dilations) * r)
    gx, gw = tg.grad(loss, argnums=(0, 1))(x, w)
    # The definition is linear in x and in w: unit vectors give the exact
    # gradients.
    x64, w64 = x.astype(np.float64), w.astype(np.float64)
    want_gx = np.zeros_like(x64)
    for idx in np.ndindex(*x.shape):
        e = np.zeros_like(x64)
        e[idx] = 1.0
        want_gx[idx] = (conv_reference(e, w64, strides, padding, dilations) * r).sum()
    want_gw = np.zeros_like(w64)
    for idx in np.ndindex(*w.shape):
        e = np.zeros_like(w64)
        e[idx] = 1.0
        want_gw[idx] = (conv_reference(x64, e, strides, padding, dilations) * r).sum()
    np.testing.assert_allclose(gx, want_gx, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(gw, want_gw, rtol=1e-4, atol=1e-4 * np.abs(want_gw).max())
