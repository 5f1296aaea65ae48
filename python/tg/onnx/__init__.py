"""tg.onnx: ONNX models as compiled tg functions.

    import tg.onnx
    model = tg.onnx.load("model.onnx")      # path, bytes or onnx.ModelProto
    (y,) = model(x)                          # numpy arrays in, a list out
    print(model.mlir)                        # the tg module

`python3 -m tg.onnx MODEL.onnx -o MODEL.mlir [--input-shape NAME=1x3x224x224]`
writes the module. See docs/onnx.md.
"""
from ._importer import OnnxModel, load  # noqa: F401


def supported_ops():
    """The ONNX op types (default domain) tg.onnx imports."""
    from ._handlers import HANDLERS
    return sorted(HANDLERS)


def unsupported_ops():
    """{op type: why it is not imported} for ops seen in ONNX's test data."""
    from ._handlers import MISSING
    return dict(MISSING)


__all__ = ["load", "OnnxModel", "supported_ops", "unsupported_ops"]
