"""python3 -m tg.onnx MODEL.onnx -o MODEL.mlir [--input-shape NAME=1x3x224x224 ...]

Writes the tg module of an ONNX model (for tg-opt / tg-run). Every input
dimension needs a value: the model's, or one given with --input-shape.
Errors are one line on stderr and exit status 1.
"""
import argparse
import sys


def _shape(text):
    name, sep, dims = text.rpartition("=")
    if not sep or not name:
        raise argparse.ArgumentTypeError("expected NAME=DxDxD, got %r" % text)
    try:
        shape = tuple(int(d) for d in dims.lower().split("x")) if dims else ()
    except ValueError:
        raise argparse.ArgumentTypeError("expected NAME=DxDxD with integer sizes, got %r"
                                         % text) from None
    if any(d < 0 for d in shape):
        raise argparse.ArgumentTypeError("negative size in %r" % text)
    return name, shape


def main(argv=None):
    p = argparse.ArgumentParser(prog="python3 -m tg.onnx",
                                description="Convert an ONNX model to a tg MLIR module.")
    p.add_argument("model", help="the .onnx file")
    p.add_argument("-o", "--output", default="-", help="the .mlir file (default: stdout)")
    p.add_argument("--input-shape", action="append", type=_shape, default=[],
                   metavar="NAME=DIMS",
                   help="the shape of input NAME, e.g. input=1x3x224x224 (repeatable)")
    args = p.parse_args(argv)
    try:
        from . import load
        from .._errors import TgError
    except Exception as e:  # noqa: BLE001
        print("tg.onnx: error: %s" % e, file=sys.stderr)
        return 1
    try:
        model = load(args.model, input_shapes=dict(args.input_shape))
        unknown = set(dict(args.input_shape)) - set(model.input_names)
        if unknown:
            raise TgError("--input-shape names no graph input: %s (inputs: %s)" % (
                ", ".join(sorted(unknown)), ", ".join(model.input_names)))
        text = model.mlir
    except TgError as e:
        msg = " ".join(str(e).split("\n")[0].split())
        # drop the Python location tg prefixes to errors: this is the CLI
        if ": error: " in msg:
            msg = msg.split(": error: ", 1)[1]
        print("tg.onnx: error: %s" % msg, file=sys.stderr)
        return 1
    if args.output == "-":
        sys.stdout.write(text)
    else:
        try:
            with open(args.output, "w") as f:
                f.write(text)
        except OSError as e:
            print("tg.onnx: error: cannot write %s: %s" % (args.output, e.strerror),
                  file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
