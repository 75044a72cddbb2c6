"""The run's processes and commands: started, waited for and stopped within bounds.

Every part of the stack (the app hosts' gunicorns, HAProxy, Redis, the stand-in) is a process
started here, in a session of its own, so that stopping it stops its children too; every
command and every wait is bounded in time, so a step that hangs fails the run (Failed) rather
than stalling it.
"""

import os
import signal
import subprocess
import time
from contextlib import suppress

WAIT = 90  # seconds any one start, stop or state change may take before the run fails
# The load client's priority: the people's browsers are not on the app hosts' CPUs in a real
# deployment; here they share two cores with them, so they yield the CPU first. Every process
# of the stack, and the visitor whose pages are timed, run at the normal priority (0).
LOAD_NICENESS = 10


class Failed(Exception):
    """The stack could not be built or a step did not complete in time."""


def run(*command, timeout=60, check=True, **kwargs):
    result = subprocess.run(  # noqa: S603 - fixed argv built here, no shell
        [str(part) for part in command],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        **kwargs,
    )
    if check and result.returncode:
        raise Failed(f"{' '.join(map(str, command))}: {result.stderr.strip() or result.stdout}")
    return result


def wait_until(what, condition, timeout=WAIT, interval=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(interval)
    raise Failed(f"timed out waiting for {what}")


class Processes:
    """The run's processes, each in a session of its own so that it dies with its children."""

    def __init__(self, logs):
        self.logs = logs
        self.running = {}

    def start(self, name, command, env=None, cwd=None):
        log = open(self.logs / f"{name}.log", "ab")  # noqa: SIM115 - closed in stop()
        process = subprocess.Popen(  # noqa: S603 - fixed argv built here, no shell
            [str(part) for part in command],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=cwd,
            start_new_session=True,
        )
        # At the normal priority, not the load client's (LOAD_NICENESS): before it forks.
        os.setpriority(os.PRIO_PROCESS, process.pid, 0)
        self.running[name] = (process, log)
        return process

    def stop(self, name, signum=signal.SIGTERM, timeout=30):
        process, log = self.running.pop(name)
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signum)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)
        # Workers left behind by a killed master (there should be none) go too.
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        log.close()

    def stop_all(self):
        for name in reversed(list(self.running)):
            self.stop(name, timeout=15)
