"""tg.profiler: where the time of compiled graphs goes, kernel by kernel.

    with tg.profiler.trace("step.json") as prof:
        train_step(x, y)
    print(prof.summary())

Inside the block, every `tg.function` call runs a version of its graph
compiled with timing calls around each fused kernel (compiled once per
trace signature, on first use inside a block; outside, the plain version
runs, so profiling costs nothing unless it is on). Every compiled call
(eager ops included) and every kernel becomes one event of a Chrome trace /
Perfetto JSON file (open it in https://ui.perfetto.dev or chrome://tracing):
the kernel's tg ops with their source lines, FLOP and byte estimates, and
the share of the machine's peak. `tg-run --profile=FILE.json` writes the
same file for a `.mlir` program. See docs/profiling.md.
"""
import json
import os
import tempfile
import threading
import warnings

from . import _capi
from ._errors import TgTypeError, error

_lock = threading.Lock()
_active = None


def active():
    """Whether a trace is recording (functions then run profiled code)."""
    return _active is not None


def _c_error(err):
    """The message of a C API error, without its "error: " prefix (error()
    adds the user's location and its own)."""
    message = _capi.error_message(err)
    return message[len("error: "):] if message.startswith("error: ") else message


def _not_ended():
    return error("the profile is complete only when its 'with "
                 "tg.profiler.trace(...)' block has ended")


class Profile:
    """What one `trace` block recorded (available once the block ends)."""

    def __init__(self, path):
        self.path = path
        self._summary = None
        self._file = None       # the trace's JSON file, read on demand
        self._temporary = False
        self._events = None

    def summary(self):
        """The kernels as a table: calls, time, % of the total (the rows add
        up to 100 with the time outside kernels), GFLOP/s, % of peak, GB/s,
        source lines."""
        if self._summary is None:
            raise _not_ended()
        return self._summary

    def events(self):
        """The trace's events (the JSON file's `traceEvents`), read from the
        file when first asked for."""
        if self._file is None:
            raise _not_ended()
        if self._events is None:
            with open(self._file) as f:
                self._events = json.load(f)["traceEvents"]
        return self._events

    def __del__(self):
        if self._temporary and self._file is not None:
            try:
                os.remove(self._file)
            except OSError:
                pass


class trace:
    """`with tg.profiler.trace(path) as prof:` records every compiled call
    and kernel in the block; writes a Chrome trace JSON file to `path` at
    the end (whole, or not at all). `path` None: nothing is written, the
    summary and events are still there. An unwritable path is an error
    before the block runs. One trace at a time per process (TF's profiler
    has the same rule); a trace object is used once."""

    def __init__(self, path=None):
        if path is not None and not isinstance(path, (str, os.PathLike)):
            raise error("tg.profiler.trace takes a file path (str or os.PathLike) "
                        "or None, not %s" % type(path).__name__, TgTypeError)
        path = None if path is None else os.fspath(path)
        if isinstance(path, bytes):
            raise error("tg.profiler.trace takes a str path, not bytes", TgTypeError)
        # Absolute now: the block may change the working directory.
        self.path = None if path is None else os.path.abspath(path)
        if self.path is not None:
            err = _capi._P()
            if _capi.lib.tgProfilerCheckPath(self.path.encode(), _capi.ctypes.byref(err)):
                raise error(_c_error(err))
        self.profile = Profile(self.path)
        self._used = False

    def __enter__(self):
        global _active
        with _lock:
            if self._used:
                raise error("this tg.profiler.trace was already used; make a new "
                            "one for each block")
            if _active is not None:
                raise error("a tg.profiler.trace is already recording; traces do "
                            "not nest")
            self._used = True
            _active = self.profile
        _capi.lib.tgProfilerStart()
        return self.profile

    def __exit__(self, kind, value, tb):
        global _active
        _capi.lib.tgProfilerStop()
        with _lock:
            _active = None
        profile = self.profile
        profile._summary = _capi.take_string(_capi.lib.tgProfilerSummary())
        if self.path is not None:
            target = self.path
        else:
            fd, target = tempfile.mkstemp(suffix=".json")
            os.close(fd)
        err = _capi._P()
        if _capi.lib.tgProfilerWriteTrace(target.encode(), _capi.ctypes.byref(err)):
            message = _c_error(err)
            if self.path is None:
                os.remove(target)
            if kind is not None:
                # The block's own exception is the one to see.
                warnings.warn("tg.profiler.trace: " + message, RuntimeWarning,
                              stacklevel=2)
                return False
            raise error(message)
        profile._file = target
        profile._temporary = self.path is None
        return False
