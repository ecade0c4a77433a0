"""``duiding serve`` as a real process on loopback, for the benchmark and the fault tests.

A test that kills the server (SIGKILL, as the OOM killer or a power cut would) or
runs several uvicorn workers needs the server in its own process, started the way an
operator starts it. The process gets its own process group so that stopping it also
stops the workers it forked.
"""

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

HOST = "127.0.0.1"
DUIDING = str(Path(sys.executable).parent / "duiding")
#: A server is settled when its processes used less CPU than this share of one core...
IDLE_SHARE = 0.05
#: ...for this many seconds in a row; waiting at most SETTLE_SECONDS for it.
IDLE_SECONDS = 2
SETTLE_SECONDS = 180


def add_user(env: dict, email: str, password: str, role: str) -> None:
    """Create an account through the CLI, as an admin would (the password on stdin)."""
    subprocess.run(
        [DUIDING, "users", "add", email, "--role", role, "--password-stdin"],
        input=password + "\n",
        text=True,
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )


START_SECONDS = 60
STOP_SECONDS = 15


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class ServerProcess:
    """One ``duiding serve`` process; ``start`` again after ``kill`` to restart it."""

    def __init__(
        self,
        env: dict,
        log: Path,
        workers: int = 1,
        options: tuple[str, ...] = (),
        start_seconds: float = START_SECONDS,
        command: list[str] | None = None,
        ready: str = "/healthz",
    ) -> None:
        self.env = env
        # A peer (Datasette, a bare Starlette app) runs through the same start and stop:
        # its own command line, with {port} in it, and the path that answers when ready.
        self.command = command
        self.ready = ready
        self.started_seconds: float | None = None  # from the spawn to the first 200
        # Each worker imports the app on its own: on a loaded machine four take minutes.
        self.start_seconds = start_seconds
        self.options = list(options)  # more ``duiding serve`` options
        self.log = log
        self.workers = workers
        self.port = free_port()
        self.base = f"http://{HOST}:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> str:
        """Start serving on this object's port; return the base URL once /healthz answers."""
        self.log.parent.mkdir(parents=True, exist_ok=True)
        if self.command is None:
            command = [DUIDING, "serve", "--host", HOST, "--port", str(self.port)]
            command += ["--workers", str(self.workers), *self.options]
        else:
            command = [part.format(port=self.port) for part in self.command]
        with self.log.open("ab") as output:
            spawned = time.perf_counter()
            self.process = subprocess.Popen(
                command,
                env=self.env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + self.start_seconds
        while True:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.base}{self.ready}", timeout=2).status_code == 200:
                    self.started_seconds = time.perf_counter() - spawned
                    return self.base
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the server did not start: {self.log.read_text()[-800:]}")
            time.sleep(0.05)  # also the resolution of started_seconds

    def kill(self) -> None:
        """SIGKILL the server and its workers: no shutdown, no flushing, no goodbye."""
        self._signal(signal.SIGKILL)

    def stop(self) -> None:
        """Shut down gracefully; kill what has not stopped after STOP_SECONDS."""
        if self._signal(signal.SIGTERM):
            try:
                self.process.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                self.kill()

    def _signal(self, number: int) -> bool:
        if self.process is None or self.process.poll() is not None:
            return False
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, number)
        if number == signal.SIGKILL:
            self.process.wait(timeout=STOP_SECONDS)
        return True

    def cpu_seconds(self) -> float:
        """CPU time used so far by the server's processes (its session: workers and the
        chart renderer's child included), read from /proc."""
        ticks = 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError, ValueError, IndexError):
                # after the command's closing parenthesis: state is field 3, session 6
                fields = stat.read_text().rsplit(")", 1)[1].split()
                if int(fields[3]) == self.process.pid:
                    ticks += int(fields[11]) + int(fields[12])  # utime, stime
        return ticks / os.sysconf("SC_CLK_TCK")

    def settle(self) -> float:
        """Wait until the server is idle (its warm-up, app/warmup.py, done: after a start
        with an empty chart store it renders the latest reports' charts for up to a
        minute); return how many seconds that took. Warm pages measured before it
        would measure the warm-up beside them (the first pages after a start are
        measured apart, bench_cold_start)."""
        started = time.monotonic()
        used, idle = self.cpu_seconds(), 0
        while idle < IDLE_SECONDS and time.monotonic() - started < SETTLE_SECONDS:
            time.sleep(1)
            now = self.cpu_seconds()
            idle = idle + 1 if now - used < IDLE_SHARE else 0
            used = now
        return round(time.monotonic() - started, 1)

    def peak_rss_mb(self) -> float | None:
        """High-water resident memory (VmHWM) of the server process, in MB."""
        try:
            status = Path(f"/proc/{self.process.pid}/status").read_text()
        except (OSError, AttributeError):
            return None
        match = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
        return round(int(match.group(1)) / 1024, 1) if match else None

    def __enter__(self) -> "ServerProcess":
        self.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.stop()
