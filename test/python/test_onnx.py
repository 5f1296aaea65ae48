"""tg.onnx: the ONNX importer (hand-built models checked against numpy, the
CLI, bad input, and two torchvision models against PyTorch).

The torchvision models take ~25 s (export, import, compile); set
TG_ONNX_SKIP_MODELS=1 to skip them. The full conformance run against ONNX's
test data is test/onnx/conformance.py.
"""
import os
import subprocess
import sys

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
from onnx import TensorProto, helper  # noqa: E402

import tg  # noqa: E402
import tg.onnx  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def make_model(nodes, inputs, outputs, initializers=(), opset=13, name="g"):
    graph = helper.make_graph(nodes, name, inputs, outputs, initializer=list(initializers))
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 8
    return model


def vi(name, dtype, shape):
    return helper.make_tensor_value_info(name, dtype, shape)


def init(name, array):
    return onnx.numpy_helper.from_array(np.asarray(array), name)


F, I64 = TensorProto.FLOAT, TensorProto.INT64


def test_small_graph_matches_numpy():
    w = np.random.RandomState(0).randn(4, 3).astype(np.float32)
    b = np.arange(3, dtype=np.float32)
    m = make_model(
        [helper.make_node("MatMul", ["x", "w"], ["h"], name="mm"),
         helper.make_node("Add", ["h", "b"], ["h2"]),
         helper.make_node("Relu", ["h2"], ["y"]),
         helper.make_node("ArgMax", ["y"], ["i"], axis=1, keepdims=0)],
        [vi("x", F, [2, 4])], [vi("y", F, [2, 3]), vi("i", I64, [2])],
        [init("w", w), init("b", b)])
    model = tg.onnx.load(m)
    assert model.input_names == ["x"]          # initializers are not inputs
    assert model.output_names == ["y", "i"]
    x = np.random.RandomState(1).randn(2, 4).astype(np.float32)
    y, i = model(x)
    ref = np.maximum(x @ w + b, 0)
    np.testing.assert_allclose(y, ref, rtol=1e-5, atol=1e-6)
    assert i.dtype == np.int64                 # ONNX's output dtype kept
    np.testing.assert_array_equal(i, ref.argmax(1))
    text = model.mlir
    assert "func.func @main" in text and "tg.matmul" in text
    # also from bytes and from a path
    assert np.allclose(tg.onnx.load(m.SerializeToString())(x)[0], ref, atol=1e-6)


def test_reshape_shape_from_graph_input_is_specialized():
    m = make_model([helper.make_node("Reshape", ["x", "s"], ["y"])],
                   [vi("x", F, [2, 6]), vi("s", I64, [2])], [vi("y", F, ["a", "b"])])
    model = tg.onnx.load(m)
    x = np.arange(12, dtype=np.float32).reshape(2, 6)
    (y,) = model(x, np.array([3, 4]))
    np.testing.assert_array_equal(y, x.reshape(3, 4))
    (y,) = model(x, np.array([4, -1]))
    np.testing.assert_array_equal(y, x.reshape(4, 3))
    n = model._fn.trace_count
    model(x + 1, np.array([3, 4]))              # same value: cached, no retrace
    assert model._fn.trace_count == n
    assert "tg.reshape" in model.lower(x, np.array([6, 2]))
    with pytest.raises(tg.TgError, match="'s' fix shapes"):
        model.mlir                                # .mlir cannot know s's value


def test_integer_div_truncates_and_mod():
    m = make_model([helper.make_node("Div", ["a", "b"], ["q"]),
                    helper.make_node("Mod", ["a", "b"], ["r"]),
                    helper.make_node("Mod", ["a", "b"], ["f"], fmod=1)],
                   [vi("a", I64, [4]), vi("b", I64, [4])],
                   [vi("q", I64, [4]), vi("r", I64, [4]), vi("f", I64, [4])])
    a, b = np.array([-7, 7, -7, 7]), np.array([2, -2, -2, 2])
    q, r, f = tg.onnx.load(m)(a, b)
    np.testing.assert_array_equal(q, [-3, -3, 3, 3])         # toward zero
    np.testing.assert_array_equal(r, np.mod(a, b))           # sign of divisor
    np.testing.assert_array_equal(f, np.fmod(a, b))          # sign of dividend


@pytest.mark.parametrize("opset", [11, 13])
def test_opset_differences(opset):
    x = np.random.RandomState(2).randn(2, 1, 3, 4).astype(np.float32)
    if opset < 13:
        nodes = [helper.make_node("Squeeze", ["x"], ["s"], axes=[1]),
                 helper.make_node("Softmax", ["s"], ["y"], axis=1),
                 helper.make_node("Split", ["s"], ["p", "q"], axis=2, split=[1, 3])]
        inits = []
    else:
        nodes = [helper.make_node("Squeeze", ["x", "ax"], ["s"]),
                 helper.make_node("Softmax", ["s"], ["y"], axis=1),
                 helper.make_node("Split", ["s", "sp"], ["p", "q"], axis=2)]
        inits = [init("ax", np.array([1])), init("sp", np.array([1, 3]))]
    m = make_model(nodes, [vi("x", F, [2, 1, 3, 4])],
                   [vi("y", F, [2, 3, 4]), vi("p", F, [2, 3, 1]), vi("q", F, [2, 3, 3])],
                   inits, opset=opset)
    y, p, q = tg.onnx.load(m)(x)
    s = x[:, 0]
    if opset < 13:   # Softmax before 13: over all axes from `axis` on (flattened)
        e = np.exp(s.reshape(2, 12) - s.reshape(2, 12).max(1, keepdims=True))
        ref = (e / e.sum(1, keepdims=True)).reshape(2, 3, 4)
    else:            # from 13: along the one axis
        e = np.exp(s - s.max(1, keepdims=True))
        ref = e / e.sum(1, keepdims=True)
    np.testing.assert_allclose(y, ref, rtol=1e-5, atol=1e-7)
    np.testing.assert_array_equal(p, s[:, :, :1])
    np.testing.assert_array_equal(q, s[:, :, 1:])


def test_clip_attributes_and_inputs():
    x = np.linspace(-3, 3, 7).astype(np.float32)
    m6 = make_model([helper.make_node("Clip", ["x"], ["y"], min=-1.0, max=2.0)],
                    [vi("x", F, [7])], [vi("y", F, [7])], opset=6)
    m11 = make_model([helper.make_node("Clip", ["x", "lo", "hi"], ["y"])],
                     [vi("x", F, [7])], [vi("y", F, [7])],
                     [init("lo", np.float32(-1)), init("hi", np.float32(2))], opset=11)
    for m in (m6, m11):
        np.testing.assert_array_equal(tg.onnx.load(m)(x)[0], np.clip(x, -1, 2))


def test_scalars_stay_scalars():
    # 0-d inputs, constants and Gather indices keep rank 0 (numpy's
    # ascontiguousarray would make them 1-d).
    m = make_model(
        [helper.make_node("Relu", ["x"], ["r"]),
         helper.make_node("Gather", ["d", "k"], ["g"], axis=1),
         helper.make_node("Add", ["g", "s"], ["y"])],
        [vi("x", F, []), vi("d", F, [3, 4])], [vi("r", F, []), vi("y", F, [3])],
        [init("k", np.array(2, np.int64)), init("s", np.array(0.5, np.float32))])
    d = np.arange(12, dtype=np.float32).reshape(3, 4)
    r, y = tg.onnx.load(m)(np.array(-2.0, np.float32), d)
    assert r.shape == () and r == 0.0
    np.testing.assert_array_equal(y, d[:, 2] + 0.5)


def test_torch_exports_with_dynamic_batch_and_scalar_index():
    torch = pytest.importorskip("torch")
    import io

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = torch.nn.Conv2d(1, 4, 3)
            self.fc = torch.nn.Linear(4 * 3 * 3, 5)

        def forward(self, x, v):
            y = torch.nn.functional.max_pool2d(self.conv(x), 2)
            return torch.softmax(self.fc(y.view(y.size(0), -1)), 1), x[:, 0, 0, :] * 2 + v

    torch.manual_seed(0)
    net = Net().eval()
    buf = io.BytesIO()
    torch.onnx.export(net, (torch.randn(2, 1, 8, 8), torch.randn(8)), buf, opset_version=13,
                      input_names=["x", "v"], output_names=["p", "q"],
                      dynamic_axes={"x": {0: "N"}, "p": {0: "N"}, "q": {0: "N"}})
    model = tg.onnx.load(buf.getvalue())
    for n in (2, 5):
        x, v = torch.randn(n, 1, 8, 8), torch.randn(8)
        p, q = model(x.numpy(), v.numpy())
        want_p, want_q = net(x, v)
        np.testing.assert_allclose(p, want_p.detach().numpy(), rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(q, want_q.numpy(), rtol=1e-6)
        assert q.shape == (n, 8)


def test_pooling_matches_torch():
    torch = pytest.importorskip("torch")
    x = np.random.RandomState(3).randn(1, 2, 7, 9).astype(np.float32)
    m = make_model(
        [helper.make_node("AveragePool", ["x"], ["a"], kernel_shape=[3, 3], strides=[2, 2],
                          pads=[1, 1, 1, 1], ceil_mode=1, count_include_pad=1),
         helper.make_node("MaxPool", ["x"], ["m"], kernel_shape=[3, 2], strides=[2, 2],
                          pads=[1, 0, 1, 0], ceil_mode=1, dilations=[1, 2])],
        [vi("x", F, [1, 2, 7, 9])], [vi("a", F, ["n", "c", "h", "w"]), vi("m", F, ["n", "c", "h2", "w2"])], opset=12)
    a, mx = tg.onnx.load(m)(x)
    t = torch.from_numpy(x)
    ra = torch.nn.functional.avg_pool2d(t, 3, 2, 1, ceil_mode=True, count_include_pad=True)
    rm = torch.nn.functional.max_pool2d(t, (3, 2), 2, (1, 0), dilation=(1, 2),
                                        ceil_mode=True)
    np.testing.assert_allclose(a, ra.numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(mx, rm.numpy())


# ---------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------

def _tiny():
    return make_model([helper.make_node("Relu", ["x"], ["y"])], [vi("x", F, [3])],
                      [vi("y", F, [3])])


def test_corrupt_and_truncated_files(tmp_path):
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"\xff\xfe this is not a protobuf \x00\x01" * 10)
    with pytest.raises(tg.TgError, match="not a valid ONNX model"):
        tg.onnx.load(str(bad))
    data = _tiny().SerializeToString()
    cut = tmp_path / "cut.onnx"
    cut.write_bytes(data[:len(data) // 2])
    with pytest.raises(tg.TgError, match="not a valid ONNX model|fails onnx.checker"):
        tg.onnx.load(str(cut))
    with pytest.raises(tg.TgError, match="cannot read"):
        tg.onnx.load(str(tmp_path / "missing.onnx"))


def test_checker_failure():
    m = make_model([helper.make_node("Relu", ["x"], ["y"])], [vi("x", F, [3])],
                   [vi("y", F, [3])])
    m.graph.node[0].input[0] = "nowhere"
    with pytest.raises(tg.TgError, match="onnx.checker"):
        tg.onnx.load(m)


def test_unknown_op_names_op_and_node():
    m = make_model([helper.make_node("Relu", ["x"], ["a"]),
                    helper.make_node("NonMaxSuppression", ["a", "a"], ["y"], name="nms1")],
                   [vi("x", F, [3])], [vi("y", I64, ["k", 3])], opset=13)
    with pytest.raises(tg.TgError) as e:
        tg.onnx.load(m)
    msg = str(e.value)
    assert "'NonMaxSuppression'" in msg and "'nms1'" in msg and "#1" in msg
    assert "not supported by tg" in msg


def test_unsupported_dtype():
    m = make_model([helper.make_node("Identity", ["x"], ["y"])],
                   [vi("x", TensorProto.UINT8, [3])], [vi("y", TensorProto.UINT8, [3])])
    with pytest.raises(tg.TgError, match="uint8.*not support"):
        tg.onnx.load(m)
    m = make_model([helper.make_node("Cast", ["x"], ["y"], to=TensorProto.INT8)],
                   [vi("x", F, [3])], [vi("y", TensorProto.INT8, [3])])
    with pytest.raises(tg.TgError, match="int8"):
        tg.onnx.load(m)


def test_wrong_arguments():
    model = tg.onnx.load(_tiny())
    with pytest.raises(tg.TgError, match="takes 1 inputs"):
        model()
    with pytest.raises(tg.TgError, match="must be float32"):
        model(np.zeros(3, np.int32))


# ---------------------------------------------------------------------------
# CLI
# ---------------------------------------------------------------------------

def _cli(*args):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.path.join(ROOT, "python") + os.pathsep + env.get("PYTHONPATH", "")
    return subprocess.run([sys.executable, "-m", "tg.onnx"] + list(args),
                          capture_output=True, text=True, env=env, timeout=120)


def test_cli_writes_module(tmp_path):
    path = tmp_path / "m.onnx"
    onnx.save(_tiny(), str(path))
    out = tmp_path / "m.mlir"
    r = _cli(str(path), "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert "tg.relu" in out.read_text()


def test_cli_dynamic_dimension(tmp_path):
    m = make_model([helper.make_node("Relu", ["x"], ["y"])], [vi("x", F, ["N", 3])],
                   [vi("y", F, ["N", 3])])
    path = tmp_path / "dyn.onnx"
    onnx.save(m, str(path))
    r = _cli(str(path), "-o", str(tmp_path / "dyn.mlir"))
    assert r.returncode == 1
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in r.stderr
    assert "'x'" in lines[0] and "axis 0" in lines[0] and "--input-shape" in lines[0]
    r = _cli(str(path), "-o", str(tmp_path / "dyn.mlir"), "--input-shape", "x=5x3")
    assert r.returncode == 0, r.stderr
    assert "tensor<5x3xf32>" in (tmp_path / "dyn.mlir").read_text()


def test_cli_bad_file(tmp_path):
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"garbage" * 5)
    r = _cli(str(bad))
    assert r.returncode == 1 and len(r.stderr.strip().splitlines()) == 1
    assert "Traceback" not in r.stderr


# ---------------------------------------------------------------------------
# torchvision models against PyTorch
# ---------------------------------------------------------------------------

@pytest.mark.skipif(os.environ.get("TG_ONNX_SKIP_MODELS") == "1",
                    reason="TG_ONNX_SKIP_MODELS=1")
@pytest.mark.parametrize("name", ["resnet18", "mobilenet_v2"])
def test_torchvision_model(name, tmp_path):
    torch = pytest.importorskip("torch")
    torchvision = pytest.importorskip("torchvision")
    torch.manual_seed(0)
    net = getattr(torchvision.models, name)()
    # Random BatchNorm statistics too, so every layer matters (torchvision's
    # initialization makes mobilenet_v2's output ~1e-9).
    with torch.no_grad():
        for mod in net.modules():
            if isinstance(mod, torch.nn.BatchNorm2d):
                mod.weight.uniform_(0.5, 1.5)
                mod.bias.uniform_(-0.2, 0.2)
                mod.running_mean.uniform_(-0.2, 0.2)
                mod.running_var.uniform_(0.5, 1.5)
    net.eval()
    x = torch.randn(1, 3, 224, 224)
    path = str(tmp_path / (name + ".onnx"))
    torch.onnx.export(net, x, path, opset_version=13)
    model = tg.onnx.load(path)
    (y,) = model(x.numpy())
    with torch.no_grad():
        ref = net(x).numpy()
    assert y.shape == ref.shape == (1, 1000) and y.dtype == np.float32
    # float32 through ~20-50 layers, summed in another order (and BN folded):
    # errors of a few 1e-6 relative to the output's scale; 1e-4 leaves margin
    # while any wrong layer (layout, padding, stride) is off by O(1).
    err = np.abs(y - ref).max() / np.abs(ref).max()
    assert err < 1e-4, err


def test_bfloat16_constants_of_handlers_are_rounded():
    # AveragePool's divisors and EyeLike's ones were bfloat16 from raw bytes
    # (inf and zeros).
    bf = TensorProto.BFLOAT16
    pool = helper.make_node("AveragePool", ["x"], ["y"], kernel_shape=[3], pads=[1, 1],
                            count_include_pad=0)
    m = make_model([pool], [vi("x", bf, [1, 1, 4])], [vi("y", bf, [1, 1, 4])], opset=17)
    x = np.array([[[3.0, 6.0, 9.0, 12.0]]], np.float32)
    (y,) = tg.onnx.load(m.SerializeToString())(tg._dtypes.to_bfloat16(x))
    np.testing.assert_array_equal(tg._dtypes.from_bfloat16(np.asarray(y)),
                                  [[[4.5, 6.0, 9.0, 10.5]]])
    eye = helper.make_node("EyeLike", ["x"], ["y"], dtype=bf)
    m = make_model([eye], [vi("x", TensorProto.FLOAT, [2, 2])], [vi("y", bf, [2, 2])],
                   opset=17)
    (y,) = tg.onnx.load(m.SerializeToString())(np.zeros((2, 2), np.float32))
    np.testing.assert_array_equal(tg._dtypes.from_bfloat16(np.asarray(y)), np.eye(2))
