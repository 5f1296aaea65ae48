"""Draws one call of a tg profile as an SVG timeline of its kernels.

    python3 -m tg.timeline TRACE.json -o timeline.svg [--call N]

TRACE.json is what `tg-run --profile=` or `tg.profiler.trace(path)` wrote
(a Chrome trace, which Perfetto and chrome://tracing also open). The
picture: the call, its kernels in time order (one colour per kernel), and a
legend of the kernels by time with their source lines.
"""
import json
import os
import sys
import tempfile


def _escape(text):
    return (str(text).replace("&", "&amp;").replace("<", "&lt;")
            .replace(">", "&gt;").replace('"', "&quot;"))


def timeline_svg(trace, call=None, width=960):
    """One call of a trace (a dict as written by `tg.profiler.trace` or
    `tg-run --profile`; `call` indexes its calls, None: the last that ran
    kernels) drawn as an SVG
    timeline: the call, its kernels in time order (colour by kernel), and a
    legend of the kernels by time with their source lines."""
    events = trace["traceEvents"]
    calls = [e for e in events if e.get("cat") == "call"]
    if not calls:
        raise ValueError("the trace holds no call")
    def holds_kernels(c):
        return any(e.get("cat") == "kernel" and e["tid"] == c["tid"] and
                   c["ts"] <= e["ts"] <= c["ts"] + c["dur"] for e in events)
    if call is None:
        call = max([i for i, c in enumerate(calls) if holds_kernels(c)] or [-1])
    if not -len(calls) <= call < len(calls):
        raise ValueError("--call %d: the trace holds %d calls" % (call, len(calls)))
    c = calls[call]
    start, end = c["ts"], c["ts"] + c["dur"]
    inside = sorted((e for e in events if e.get("cat") == "kernel" and e["tid"] == c["tid"]
                     and start <= e["ts"] and e["ts"] + e["dur"] <= end + 1e-3
                     and "function" in e.get("args", {})),
                    key=lambda e: e["ts"])
    palette = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948",
               "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"]
    colours, totals = {}, {}
    for e in inside:
        label = e["args"]["kernel"]
        colours.setdefault(label, palette[len(colours) % len(palette)])
        totals.setdefault(label, [0.0, e])[0] += e["dur"]
    left, scale = 10, (width - 20) / max(c["dur"], 1e-9)
    out = []
    y = 10
    out.append('<text x="%d" y="%d" font-size="13" font-weight="bold">%s: one call, %.3f ms'
               '</text>' % (left, y + 12, _escape(c["name"]), c["dur"] / 1e3))
    y += 20
    out.append('<rect x="%d" y="%d" width="%.1f" height="18" fill="#dddddd"/>'
               % (left, y, c["dur"] * scale))
    out.append('<text x="%d" y="%d" font-size="11">call %s</text>'
               % (left + 4, y + 13, _escape(c["name"])))
    y += 24
    for e in inside:
        x, w = left + (e["ts"] - start) * scale, max(e["dur"] * scale, 0.5)
        label = e["args"]["kernel"]
        out.append('<rect x="%.1f" y="%d" width="%.1f" height="22" fill="%s">'
                   '<title>%s %s: %.1f us, %s</title></rect>'
                   % (x, y, w, colours[label], _escape(label), _escape(e["name"]),
                      e["dur"], _escape(e["args"]["source_lines"])))
        if w > 34:
            out.append('<text x="%.1f" y="%d" font-size="10" fill="white">%s</text>'
                       % (x + 2, y + 15, _escape(label.split("/")[-1])))
    y += 44
    columns = (left + 16, left + 110, left + 470, left + 530, left + 545)

    def row(y, cells, bold=False):
        anchors = ("start", "start", "end", "end", "start")
        weight = ' font-weight="bold"' if bold else ""
        return "".join('<text x="%d" y="%d" font-size="11" text-anchor="%s"%s>%s</text>'
                       % (x, y, a, weight, _escape(t))
                       for x, a, t in zip(columns, anchors, cells))
    out.append(row(y, ("kernel", "tg ops", "time (us)", "%", "source lines"), bold=True))
    for label, (dur, e) in sorted(totals.items(), key=lambda kv: -kv[1][0]):
        y += 16
        out.append('<rect x="%d" y="%d" width="10" height="10" fill="%s"/>'
                   % (left, y - 9, colours[label]))
        out.append(row(y, (label, e["name"][:48], "%.1f" % dur,
                           "%.1f" % (100 * dur / max(c["dur"], 1e-9)),
                           e["args"]["source_lines"])))
    outside = c["dur"] - sum(d for d, _ in totals.values())
    y += 16
    out.append(row(y, ("", "(outside kernels)", "%.1f" % outside,
                       "%.1f" % (100 * outside / max(c["dur"], 1e-9)), "")))
    height = y + 14
    return ('<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
            'font-family="Helvetica, sans-serif">\n<rect width="100%%" height="100%%" '
            'fill="white"/>\n%s\n</svg>\n' % (width, height, "\n".join(out)))


def main(argv=None):
    import argparse
    parser = argparse.ArgumentParser(
        prog="python3 -m tg.timeline",
        description="Draw one call of a tg profile (tg-run --profile, "
                    "tg.profiler.trace) as an SVG timeline of its kernels.")
    parser.add_argument("trace", help="the Chrome trace JSON file")
    parser.add_argument("-o", "--output", required=True, help="the SVG file to write")
    parser.add_argument("--call", type=int, default=None,
                        help="which call (0 the first, -1 the last; default: the "
                             "last that ran kernels)")
    args = parser.parse_args(argv)
    try:
        with open(args.trace) as f:
            trace = json.load(f)
        svg = timeline_svg(trace, args.call)
    except (OSError, ValueError, KeyError, IndexError, TypeError) as e:
        print("%s: error: not a tg profile: %s" % (args.trace, e), file=sys.stderr)
        return 1
    # Whole or not at all: a temporary file next to it, then a rename.
    directory = os.path.dirname(os.path.abspath(args.output))
    try:
        fd, temporary = tempfile.mkstemp(dir=directory, suffix=".svg.tmp")
    except OSError as e:
        print("%s: error: cannot write: %s" % (args.output, e), file=sys.stderr)
        return 1
    try:
        with os.fdopen(fd, "w") as f:
            f.write(svg)
        os.replace(temporary, args.output)
    except OSError as e:
        os.remove(temporary)
        print("%s: error: cannot write: %s" % (args.output, e), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
