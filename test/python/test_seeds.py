"""Every code example of the TensorFlow tutorials tg grew from
(the seeds of the project brief: "Utilisation du mode graphique", "Modes d'exécution",
"Esecuzione del Grafo"), as written, with `tf` renamed `tg`; each gives
TensorFlow's answer. Examples that are invalid TensorFlow 2 raise the error
TF raises, naming the line."""
import inspect
import timeit

import numpy as np
import pytest

import tg

MATMUL = "tg.Tensor(\n[[19. 22.]\n [43. 50.]], shape=(2, 2), dtype=float32)"


def printed(capsys):
    return capsys.readouterr().out.strip()


def test_graph_mode_function(capsys):
    # "Utilisation du mode graphique" §1, "Modes d'exécution" (graph mode)
    @tg.function
    def graph_mode_function(x, y):
        return tg.matmul(x, y)

    x = tg.constant([[1.0, 2.0], [3.0, 4.0]])
    y = tg.constant([[5.0, 6.0], [7.0, 8.0]])
    result = graph_mode_function(x, y)
    print(result)
    assert printed(capsys).replace("\n", "") == MATMUL.replace("\n", "")
    np.testing.assert_array_equal(result.numpy(), [[19, 22], [43, 50]])


def test_distributed_function(capsys):
    # "Utilisation du mode graphique" §3: one replica per process.
    @tg.function
    def distributed_function(x, y):
        return tg.matmul(x, y)

    strategy = tg.distribute.MirroredStrategy()
    with strategy.scope():
        x = tg.constant([[1.0, 2.0], [3.0, 4.0]])
        y = tg.constant([[5.0, 6.0], [7.0, 8.0]])
        result = distributed_function(x, y)
        print(result)
    assert printed(capsys).replace("\n", "") == MATMUL.replace("\n", "")
    assert strategy.num_replicas_in_sync == 1


def test_keras_model_save_is_not_tg():
    # "Utilisation du mode graphique" §2 saves a Keras model: tg has no
    # Keras (like TF without Keras installed, the attribute does not exist).
    with pytest.raises(AttributeError):
        tg.keras.models.load_model("my_model.h5")


def test_eager_matmul(capsys):
    # "Modes d'exécution": eager mode for debugging
    x = tg.constant([[1.0, 2.0], [3.0, 4.0]])
    y = tg.constant([[5.0, 6.0], [7.0, 8.0]])
    result = tg.matmul(x, y)
    print(result)
    assert printed(capsys).replace("\n", "") == MATMUL.replace("\n", "")


def test_eager_random_prototype(capsys):
    # "Modes d'exécution": rapid prototyping
    x = tg.random.normal([2, 2])
    y = tg.random.normal([2, 2])
    result = tg.matmul(x, y)
    print(result)
    assert "shape=(2, 2), dtype=float32" in printed(capsys)
    # Unseeded draws: an entry may cancel to near zero, where a relative
    # tolerance alone fails on the last bits (fused or separate multiply-add
    # round differently). The bound scales with |x| @ |y|, as a dot
    # product's rounding error does.
    scale = float((np.abs(x.numpy()) @ np.abs(y.numpy())).max())
    np.testing.assert_allclose(result.numpy(), x.numpy() @ y.numpy(), rtol=1e-6,
                               atol=1e-6 * scale)
    assert not np.array_equal(x.numpy(), y.numpy())


def test_eager_loop_over_slices_is_invalid_as_in_tf():
    # "Modes d'exécution": the loop multiplies two 1x2 slices, which TF
    # rejects (InvalidArgumentError: Matrix size-incompatible); tg too,
    # naming the line.
    x = tg.constant([[1.0, 2.0], [3.0, 4.0]])
    y = tg.constant([[5.0, 6.0], [7.0, 8.0]])
    result = tg.zeros_like(x)
    line = inspect.currentframe().f_lineno + 4
    with pytest.raises(tg.TgError, match=r"test_seeds.py:%d: error: tg.matmul: cannot "
                       r"multiply shapes \(1, 2\) and \(1, 2\)" % line):
        for i in range(x.shape[0]):
            result = result + tg.matmul(x[i:i+1], y[i:i+1])
        print(result)


def test_session_is_tf1_and_absent_as_in_tf2():
    # "Modes d'exécution" (graph-based execution) uses TF 1's Session,
    # which TF 2 does not have: AttributeError, as in TF 2.
    a = tg.constant(5)
    b = tg.constant(3)
    c = tg.add(a, b)
    with pytest.raises(AttributeError):
        with tg.Session() as sess:
            sess.run(c)


def test_run_functions_eagerly(capsys):
    # "Modes d'exécution" (eager execution)
    tg.config.experimental_run_functions_eagerly(True)
    try:
        a = tg.constant(5)
        b = tg.constant(3)
        c = tg.add(a, b)
        print(c.numpy())  # Output: 8
    finally:
        tg.config.experimental_run_functions_eagerly(False)
    assert printed(capsys) == "8"


def test_compute_area(capsys):
    # "Esecuzione del Grafo": function decorator
    @tg.function
    def compute_area(radius):
        return 3.1415 * radius ** 2
    # Call the function
    area = compute_area(tg.constant(3.0))
    print(f"The area is: {area.numpy()}")
    # TF's .numpy() of a 0-d tensor is a numpy scalar, formatted as numpy does.
    assert printed(capsys) == f"The area is: {np.float32(3.1415) * np.float32(9.0)}"


def test_compute_gradient(capsys):
    # "Esecuzione del Grafo": example with GradientTape
    @tg.function
    def compute_gradient(x):
        with tg.GradientTape() as tape:
            y = x * x * x
        return tape.gradient(y, x)
    x = tg.Variable(3.0)
    grad = compute_gradient(x)
    print(f"The gradient at x = {x.numpy()} is {grad.numpy()}")
    assert printed(capsys) == "The gradient at x = 3.0 is 27.0"


def test_compute_gradient_conditional(capsys):
    # "Esecuzione del Grafo": example with conditional logic (AutoGraph)
    @tg.function
    def compute_gradient_conditional(x):
        with tg.GradientTape() as tape:
            if tg.reduce_sum(x) > 0:
                y = x * x
            else:
                y = x * x * x
        return tape.gradient(y, x)
    x = tg.Variable([-2.0, 2.0])
    grad = compute_gradient_conditional(x)
    print(f"The gradient at x = {x.numpy()} is {grad.numpy()}")
    assert printed(capsys) == "The gradient at x = [-2.  2.] is [12. 12.]"
    # The other branch, and one trace for both values.
    x.assign([1.0, 2.0])
    np.testing.assert_array_equal(compute_gradient_conditional(x).numpy(), [2.0, 4.0])
    assert compute_gradient_conditional.trace_count == 1


def test_matrix_multiply_exercise():
    # "Esecuzione del Grafo": the exercise (the mean of a matrix product,
    # with and without @tg.function, on random uniform matrices).
    @tg.function
    def matrix_multiply_optimized(matrix1, matrix2):
        return tg.reduce_mean(tg.matmul(matrix1, matrix2))

    def matrix_multiply(matrix1, matrix2):
        return tg.reduce_mean(tg.matmul(matrix1, matrix2))

    matrix1 = tg.random.uniform((200, 200))
    matrix2 = tg.random.uniform((200, 200))
    optimized = timeit.timeit(lambda: matrix_multiply_optimized(matrix1, matrix2),
                              number=5)
    eager = timeit.timeit(lambda: matrix_multiply(matrix1, matrix2), number=5)
    assert optimized > 0 and eager > 0
    reference = np.mean(matrix1.numpy().astype(np.float64) @ matrix2.numpy())
    np.testing.assert_allclose(matrix_multiply_optimized(matrix1, matrix2).numpy(),
                               reference, rtol=1e-5)
    np.testing.assert_allclose(matrix_multiply(matrix1, matrix2).numpy(), reference,
                               rtol=1e-5)


def test_random_seeds_follow_tf_rules():
    tg.random.set_seed(1234)
    a1, b1 = tg.random.normal([3]), tg.random.uniform([3], seed=7)
    tg.random.set_seed(1234)
    a2, b2 = tg.random.normal([3]), tg.random.uniform([3], seed=7)
    np.testing.assert_array_equal(a1.numpy(), a2.numpy())
    np.testing.assert_array_equal(b1.numpy(), b2.numpy())
    assert not np.array_equal(tg.random.normal([3]).numpy(), a1.numpy())
    u = tg.random.uniform([1000], minval=2.0, maxval=3.0)
    assert u.dtype == tg.float32 and 2.0 <= u.numpy().min() and u.numpy().max() < 3.0
    i = tg.random.uniform([100], maxval=5, dtype=tg.int32)
    assert i.dtype == tg.int32 and set(i.numpy()) <= set(range(5))
    tg.random.set_seed(None)

    @tg.function
    def draws():
        return tg.random.normal([2])
    # Compiled draws are new at every call (test_random.py has the rest).
    assert not np.array_equal(draws().numpy(), draws().numpy())
