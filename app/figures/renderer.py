"""vl-convert in a child process of its own, started when a chart is really drawn.

vl-convert runs Vega in an embedded JavaScript engine that holds 100 to 300 MB once it
has drawn a report, and a process never gives that back. Charts are drawn once per data
version (app/figures/svg.py), so the engine is needed in bursts: after a data change,
for a report being frozen, for the PDF and the .docx. It therefore lives in a child
process (``python -m app.figures.renderer``) that the server starts on the first
drawing and that exits when it has had nothing to do for ``IDLE_SECONDS``, or when the
server goes (its end of the pipe closes). The server itself never loads vl-convert.

One request at a time, one JSON line each way: ``{"op": ..., "args": {...}}`` in,
``{"result": ...}`` or ``{"error": ...}`` out. vl-convert draws one chart at a time
whichever thread asks, so a single child loses nothing to a pool.
"""

import base64
import contextlib
import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

#: How long the child stays after its last drawing: long enough that the charts of one
#: report or one warm-up share it, short enough that its memory does not stay with a
#: server that has drawn everything it needs.
IDLE_SECONDS = 20.0

_lock = threading.Lock()
_child: subprocess.Popen[bytes] | None = None
_idle: threading.Timer | None = None


def svg(spec: dict[str, Any]) -> str:
    """A Vega-Lite spec drawn as SVG."""
    return _call("svg", spec=spec)


def png(svg_text: str, scale: float = 2) -> bytes:
    """An SVG as a PNG, ``scale`` times its size."""
    return base64.b64decode(_call("png", svg=svg_text, scale=scale))


def javascript_bundle() -> str:
    """vega, vega-lite and vega-embed as one script (app/routes/vendor.py)."""
    return _call("bundle")


def running() -> bool:
    """Whether a child is alive now (for the tests)."""
    return _child is not None and _child.poll() is None


def stop() -> None:
    """End the child; the next drawing starts a new one."""
    with _lock:
        _end_child()


def _call(op: str, **args: Any) -> Any:
    line = json.dumps({"op": op, "args": args}).encode() + b"\n"
    with _lock:
        try:
            # a child that died since its last drawing is replaced once
            answer = _exchange(line) or _exchange(line)
        finally:
            _schedule_idle()
    if not answer:
        raise RuntimeError(f"the chart renderer stopped while drawing ({op})")
    reply = json.loads(answer)
    if "error" in reply:
        raise RuntimeError(f"the chart renderer could not draw ({op}): {reply['error']}")
    return reply["result"]


def _exchange(line: bytes) -> bytes:
    """One request to the child (started if there is none); its answer, or b"" when it
    died on the way (then it is gone)."""
    global _child
    if _child is None or _child.poll() is not None:
        _child = _start()
    assert _child.stdin is not None and _child.stdout is not None
    try:
        _child.stdin.write(line)
        _child.stdin.flush()
        answer = _child.stdout.readline()
    except OSError:
        answer = b""
    if not answer:
        _end_child()
    return answer


def _schedule_idle() -> None:
    """End the child IDLE_SECONDS from now unless another drawing comes first. The
    timer ends the child only while it is still the latest: one that fired while a
    drawing held the lock finds itself replaced and leaves the child be."""
    global _idle
    _cancel_idle()
    if _child is None:
        return
    timer = threading.Timer(IDLE_SECONDS, lambda: _end_if_idle(timer))
    timer.daemon = True
    _idle = timer
    timer.start()


def _end_if_idle(timer: threading.Timer) -> None:
    with _lock:
        if _idle is timer:
            _end_child()


def _end_child() -> None:
    global _child
    _cancel_idle()
    if _child is not None:
        _close(_child)
        _child = None


def _cancel_idle() -> None:
    global _idle
    if _idle is not None:
        _idle.cancel()
        _idle = None


def _start() -> subprocess.Popen[bytes]:
    root = str(Path(__file__).resolve().parents[2])  # the folder that holds app/
    path = os.environ.get("PYTHONPATH")
    env = {**os.environ, "PYTHONPATH": root + (os.pathsep + path if path else "")}
    return subprocess.Popen(
        [sys.executable, "-m", "app.figures.renderer"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env=env,
        close_fds=True,
    )


def _close(child: subprocess.Popen[bytes]) -> None:
    if child.stdin is not None:
        with contextlib.suppress(OSError):
            child.stdin.close()  # the child's loop ends at end of input
    try:
        child.wait(timeout=5)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()
    if child.stdout is not None:
        child.stdout.close()


def serve(requests: IO[bytes], answers: IO[bytes]) -> None:
    """The child's side: answer each request line until the input ends."""
    import vl_convert

    ops: dict[str, Callable[..., str]] = {
        "svg": lambda spec: vl_convert.vegalite_to_svg(spec),
        "png": lambda svg, scale: base64.b64encode(
            vl_convert.svg_to_png(svg, scale=scale)
        ).decode(),
        "bundle": lambda: vl_convert.javascript_bundle(),  # type: ignore[call-arg]
    }
    for line in requests:
        request = json.loads(line)
        try:
            reply = {"result": ops[request["op"]](**request["args"])}
        except Exception as error:  # the server says what failed
            reply = {"error": f"{type(error).__name__}: {error}"}
        answers.write(json.dumps(reply).encode() + b"\n")
        answers.flush()


if __name__ == "__main__":
    # Answers go out on a copy of stdout, and stdout itself points at stderr: anything
    # the JavaScript engine or a library prints cannot break the one-line protocol.
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    serve(sys.stdin.buffer, answers)
