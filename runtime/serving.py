"""Several call server processes behind one address.

``ServerGroup`` binds one listening socket per process, all on the same
address with ``SO_REUSEPORT``, and starts a Daphne process on each
(``daphne --fd``). The kernel spreads new connections evenly over the
sockets, so a telephony layer sees a single address and calls spread over
the processes and the machine's cores. (One socket shared by every process
spreads them unevenly: whichever process wakes first takes the
connection.) Calls keep no state outside their connection and the
database, so any process can take any call. The group keeps the sockets
open: a process that is started again takes over its socket, with the
connections waiting on it.

A process that dies is started again; one that keeps dying within seconds
of its start stops the group with an error rather than looping. Stopping
the group (SIGTERM or SIGINT to the parent) sends SIGTERM to every process
and waits for them.
"""

import logging
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field

logger = logging.getLogger("outcall.serving")

APPLICATION = "outcall.asgi:application"
# A process that exits this soon after its start counts as failing to start.
EARLY_EXIT_SECONDS = 5.0
EARLY_EXITS_ALLOWED = 3


class ServingError(RuntimeError):
    """The group cannot serve: the address is taken, or processes keep dying."""


@dataclass
class _Slot:
    listener: socket.socket | None = None
    process: subprocess.Popen | None = None
    started: float = 0.0
    early_exits: int = 0
    restarts: int = 0


@dataclass
class ServerGroup:
    host: str = "127.0.0.1"
    port: int = 8000
    processes: int = 2
    application: str = APPLICATION
    env: dict | None = None
    log_file: object = None  # where the processes' output goes (default: inherited)
    _sockets: list = field(default_factory=list, init=False, repr=False)
    _slots: list = field(default_factory=list, init=False, repr=False)
    _stopping: bool = field(default=False, init=False, repr=False)

    def __post_init__(self):
        if self.processes < 1:
            raise ServingError("the group needs at least one process")

    @property
    def address(self) -> tuple[str, int]:
        return (
            self._sockets[0].getsockname()[:2]
            if self._sockets
            else (self.host, self.port)
        )

    @property
    def pids(self) -> list[int]:
        return [
            s.process.pid for s in self._slots if s.process and s.process.poll() is None
        ]

    def start(self) -> None:
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        if self.port:
            self._check_free(family)
        port = self.port
        for _ in range(self.processes):
            sock = socket.socket(family, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            try:
                sock.bind((self.host, port))
            except OSError as exc:
                sock.close()
                self._close_sockets()
                raise ServingError(
                    f"cannot listen on {self.host}:{self.port}: {exc.strerror}"
                ) from None
            sock.listen(1024)
            sock.set_inheritable(True)
            port = sock.getsockname()[1]  # the port the first one got, if 0
            self._sockets.append(sock)
        self._slots = [_Slot() for _ in range(self.processes)]
        for index, slot in enumerate(self._slots):
            slot.listener = self._sockets[index]
            self._spawn(slot)

    def _check_free(self, family) -> None:
        """SO_REUSEPORT would let a second group share the address with a
        running one (same user), splitting calls between two deployments:
        bind once without it first, which any listener there refuses."""
        probe = socket.socket(family, socket.SOCK_STREAM)
        try:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((self.host, self.port))
        except (OSError, OverflowError) as exc:
            reason = getattr(exc, "strerror", None) or str(exc)
            raise ServingError(
                f"cannot listen on {self.host}:{self.port}: {reason}"
            ) from None
        finally:
            probe.close()

    def _close_sockets(self) -> None:
        for sock in self._sockets:
            sock.close()
        self._sockets = []

    def _spawn(self, slot: _Slot) -> None:
        fd = slot.listener.fileno()
        command = [sys.executable, "-m", "daphne", "--fd", str(fd), self.application]
        output = self.log_file if self.log_file is not None else None
        slot.process = subprocess.Popen(
            command, pass_fds=(fd,), env=self.env, stdout=output, stderr=output
        )
        slot.started = time.monotonic()
        logger.info("call server process %s started", slot.process.pid)

    def check(self) -> None:
        """Start again any process that has exited; raise ``ServingError``
        when one keeps exiting right after its start."""
        for slot in self._slots:
            code = slot.process.poll() if slot.process else None
            if code is None or self._stopping:
                continue
            lived = time.monotonic() - slot.started
            logger.warning(
                "call server process %s exited with %s after %.1f s; starting another",
                slot.process.pid,
                code,
                lived,
            )
            slot.early_exits = slot.early_exits + 1 if lived < EARLY_EXIT_SECONDS else 0
            if slot.early_exits >= EARLY_EXITS_ALLOWED:
                raise ServingError(
                    f"a call server process exited {slot.early_exits} times within "
                    f"{EARLY_EXIT_SECONDS:.0f} s of its start (last exit status {code}); "
                    "see its output above"
                )
            slot.restarts += 1
            self._spawn(slot)

    def serve_forever(self, *, poll_seconds: float = 0.5) -> None:
        """Supervise until SIGTERM or SIGINT, then stop every process."""
        stop = []

        def on_signal(signum, frame):
            stop.append(signum)

        previous = {
            s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGINT)
        }
        try:
            while not stop:
                self.check()
                time.sleep(poll_seconds)
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
            self.stop()

    def stop(self, *, grace_seconds: float = 10.0) -> None:
        self._stopping = True
        running = [
            s.process for s in self._slots if s.process and s.process.poll() is None
        ]
        for process in running:
            process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + grace_seconds
        for process in running:
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self._close_sockets()


def default_processes() -> int:
    """One process per core the machine lets this process use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)
