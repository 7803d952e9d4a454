"""Work that C code may make endless, run where it can be stopped: a child process, killed when
the page's time is up.

A signal (the stage time limit) reaches Python code only between bytecodes: the HTML parser's C
code (lexbor, lxml) runs to its end first, and its tree construction costs a page's tags times its
nesting depth (100,000 nested elements: minutes). Such work runs in one long-lived child process
per stage; the parent waits on a pipe (which a signal interrupts, and which leaves the GIL to the
health endpoints meanwhile), kills the child when the time is up or anything interrupts the wait,
and starts a fresh one for the next page. A child that dies (a crash in C code) costs its page,
not the worker.
"""
from __future__ import annotations

import importlib
import logging
import os
import resource
import signal
import subprocess
import sys
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from ..errors import StageTimeout

log = logging.getLogger(__name__)

# A child that has not imported its module and run its warm-up call in this long is broken.
START_TIMEOUT_SECONDS = 60.0


class ChildFailed(Exception):
    """The function raised in the child (the message names the exception), or the child died."""


class Isolated:
    """Calls `function` (a module-level function: it is sent by name) in a supervised child."""

    def __init__(self, function: Callable[..., Any], name: str, warm_up: tuple = (), memory_limit_mb: int = 0):
        self._function = function
        self._name = name
        self._warm_up = warm_up  # arguments of a first call the child makes before it says it is ready
        self._memory_limit_mb = memory_limit_mb  # the child's address space once it is ready (0: none)
        self._process: Any = None
        self._connection: Connection | None = None
        self._ready = False

    @property
    def ready(self) -> bool:
        """Whether the child is running and warmed up: ensure_ready has nothing to wait for."""
        return self._ready and self._connection is not None

    def ensure_ready(self) -> None:
        """Waits until the child has started and warmed up (a fresh child's start-up, a second or
        so, must not be spent from a page's time: call this before the page's clock starts)."""
        connection = self._connection or self.start()
        if self._ready:
            return
        try:
            if not connection.poll(START_TIMEOUT_SECONDS):
                raise ChildFailed(f"the {self._name} child process did not start in {START_TIMEOUT_SECONDS:g}s")
            _, warm_up_error, oom_error = connection.recv()
        except EOFError:
            code = self._stop()
            raise ChildFailed(f"the {self._name} child process exited at start (exit code {code})") from None
        except BaseException:
            self._stop()
            raise
        if warm_up_error is not None:  # pages still go to it: each real call reports its own error
            log.warning("the child's warm-up call failed", extra={"child": self._name, "error": warm_up_error})
        if oom_error is not None:  # (it still works; the kernel just picks its OOM victim by size alone)
            log.info("the child could not put itself first for the OOM killer",
                     extra={"child": self._name, "error": oom_error})
        self._ready = True

    def __call__(self, *args: Any, timeout: float) -> Any:
        """function(*args) in the child; StageTimeout after `timeout` seconds (0: no limit)."""
        self.ensure_ready()
        connection = self._connection
        assert connection is not None
        try:
            connection.send(args)
            if timeout > 0 and not connection.poll(timeout):
                raise StageTimeout()
            outcome = connection.recv()
        except EOFError:
            code = self._stop()
            self.start()  # (its start-up is not spent on the next page's time)
            raise ChildFailed(f"the {self._name} child process died (exit code {code})") from None
        except BaseException:
            self._stop()  # a timeout, or a signal meanwhile: the child's state is unknown
            self.start()
            raise
        if outcome[0] == "error":
            raise ChildFailed(outcome[1])
        return outcome[1]

    def start(self) -> Connection:
        """Starts the child (it imports its module meanwhile, while the caller goes on)."""
        # A fresh interpreter (not a fork of a process running Kafka and HTTP threads), talking
        # over two pipes of its own.
        to_child, child_in = os.pipe()[::-1]
        child_out, from_child = os.pipe()[::-1]
        target = f"{self._function.__module__}:{self._function.__qualname__}"
        code = (f"from worker.stages.isolation import serve; "
                f"serve({target!r}, {child_in}, {child_out}, {self._warm_up!r}, {self._memory_limit_mb!r})")
        try:
            self._process = subprocess.Popen([sys.executable, "-c", code], pass_fds=(child_in, child_out),
                                             stdin=subprocess.DEVNULL)
        finally:
            os.close(child_in)
            os.close(child_out)
        self._connection = _Duplex(Connection(from_child, writable=False), Connection(to_child, readable=False))
        self._ready = False
        return self._connection  # type: ignore[return-value]

    def _stop(self, grace: float = 0.0) -> int | None:
        process, connection = self._process, self._connection
        self._process = self._connection = None
        if connection is not None:
            connection.close()  # an idle child exits on its own when its input closes
        if process is None:
            return None
        try:
            return process.wait(grace)
        except subprocess.TimeoutExpired:
            process.kill()
            if not grace:
                log.warning("child process killed", extra={"child": self._name, "pid": process.pid})
            return process.wait()

    def close(self) -> None:
        self._stop(grace=2.0)


class _Duplex:
    """One end of two pipes, used as one connection."""

    def __init__(self, reader: Connection, writer: Connection):
        self._reader, self._writer = reader, writer

    def send(self, value: Any) -> None:
        self._writer.send(value)

    def poll(self, timeout: float) -> bool:
        return self._reader.poll(timeout)

    def recv(self) -> Any:
        return self._reader.recv()

    def close(self) -> None:
        self._writer.close()
        self._reader.close()


def serve(target: str, read_fd: int, write_fd: int, warm_up: tuple = (), memory_limit_mb: int = 0) -> None:
    """The child's loop: one call of `target` ("module:function") per message, until the parent
    closes its end. First the module is imported and, with `warm_up`, called once (lazy imports
    and compiled patterns), then its address space is bounded to `memory_limit_mb` (a call that
    needs more fails: the parser gives up, or MemoryError), then the parent is told the child is
    ready."""
    # Stop signals are the parent's to handle: one sent to the whole process group or cgroup (Ctrl-C,
    # systemd's KillMode=control-group) killed the child and cost the page in hand a dead letter,
    # committed by the graceful stop it asked for. The parent ends the child (its input closed, or
    # SIGKILL when a page's time is up).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    oom_error = be_the_first_to_go()
    module, _, name = target.partition(":")
    function = getattr(importlib.import_module(module), name)
    reader, writer = Connection(read_fd, writable=False), Connection(write_fd, readable=False)
    warm_up_error = None
    if warm_up:
        try:
            function(*warm_up)
        except Exception as error:  # noqa: BLE001 - a warm-up only: told to the parent, which logs it
            warm_up_error = f"{type(error).__name__}: {error}"
    if memory_limit_mb > 0:
        resource.setrlimit(resource.RLIMIT_AS, (memory_limit_mb << 20, memory_limit_mb << 20))
    try:
        writer.send(("ready", warm_up_error, oom_error))
        while True:
            args = reader.recv()
            try:
                outcome: tuple = ("ok", function(*args))
            except Exception as error:  # noqa: BLE001 - reported to the parent, which dead-letters the page
                outcome = ("error", f"{type(error).__name__}: {error}{at_memory_bound(memory_limit_mb)}")
            writer.send(outcome)
    except (EOFError, OSError):  # the parent closed its end (or is gone): nothing left to do
        return


def bound_address_space(added_mb: int) -> int:
    """Bounds this process's address space to what it holds now plus `added_mb` (0: no bound), and
    returns the bound in MB (0 when none): what one page may add to a process forked with the
    parent's memory, which may be large already (the dedup index of a long run)."""
    if added_mb <= 0:
        return 0
    bound_mb = _status_kb("VmSize") // 1024 + added_mb
    resource.setrlimit(resource.RLIMIT_AS, (bound_mb << 20, bound_mb << 20))
    return bound_mb


def at_memory_bound(bound_mb: int) -> str:
    """Words for a failure that came with the address space at its bound (the parser's own error
    says only that it could not parse), else ""."""
    if bound_mb <= 0 or _status_kb("VmPeak") < 0.9 * (bound_mb << 10):
        return ""
    return f" (the page needed more than the process's {bound_mb} MB: CLEAN_HTML_CHILD_MAX_MB)"


def _status_kb(field: str) -> int:
    """A size from /proc/self/status, in KB (0 when it cannot be read)."""
    try:
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith(f"{field}:"))
    except (OSError, StopIteration, ValueError):
        return 0


def be_the_first_to_go() -> str | None:
    """Asks the kernel to pick this process first when the container runs out of memory (a hostile
    page's tree can take a few hundred MB): it costs one page, where the worker would cost its
    whole batch and a restart. (Raising one's own score needs no privilege; Linux only.) Returns
    why it could not (told to the parent, which logs it), or None."""
    try:
        with open("/proc/self/oom_score_adj", "w") as score:
            score.write("1000")
    except OSError as error:
        return f"{type(error).__name__}: {error}"
    return None
