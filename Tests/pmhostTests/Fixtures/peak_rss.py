#!/usr/bin/env python3
"""Runs a command and reports its peak resident memory: peak_rss.py REPORT TIMEOUT CMD...

The command inherits stdin, stdout and stderr. When it ends (or is killed with SIGKILL after
TIMEOUT seconds), REPORT gets one line: `PEAK_KIB SECONDS TIMED_OUT`, PEAK_KIB being the
ru_maxrss of that one child as wait4 returns it (not of any other process)."""
import os
import signal
import subprocess
import sys
import threading
import time

report, timeout, command = sys.argv[1], float(sys.argv[2]), sys.argv[3:]
start = time.monotonic()
child = subprocess.Popen(command)
timed_out = threading.Event()


def kill():
    timed_out.set()
    os.kill(child.pid, signal.SIGKILL)


timer = threading.Timer(timeout, kill)
timer.start()
_, status, usage = os.wait4(child.pid, 0)
timer.cancel()
with open(report, "w") as f:
    f.write(f"{usage.ru_maxrss} {time.monotonic() - start:.2f} {int(timed_out.is_set())}\n")
sys.exit(os.waitstatus_to_exitcode(status) if not timed_out.is_set() else 124)
