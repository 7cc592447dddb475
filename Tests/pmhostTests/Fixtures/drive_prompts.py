#!/usr/bin/env python3
"""Runs a command on a pseudo-terminal and answers its prompts, like a person would.

Usage: drive_prompts.py ANSWERS_JSON -- COMMAND...
ANSWERS_JSON is a list of answers, given in order each time the output ends with "> ".
Prints JSON: {"prompts": [the text before each "> "], "status": exit status, "output": all}."""
import json
import os
import pty
import select
import sys

answers = json.loads(sys.argv[1])
command = sys.argv[sys.argv.index("--") + 1 :]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(command[0], command)

output, pending, prompts = b"", b"", []
while True:
    ready, _, _ = select.select([fd], [], [], 30)
    if not ready:
        break  # stuck: the test sees the missing prompts
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        break
    if not chunk:
        break
    output += chunk
    pending += chunk
    if pending.rstrip(b" ").endswith(b">") and pending.endswith(b"> "):
        text = pending.decode("utf-8", "replace").replace("\r\n", "\n")
        lines = [l for l in text.split("\n") if l.strip()]
        question = next((l.strip() for l in reversed(lines[:-1]) if not l.startswith("    ")), lines[-1])
        prompts.append(question)
        pending = b""
        answer = answers.pop(0) if answers else ""
        os.write(fd, (answer + "\n").encode())
_, status = os.waitpid(pid, 0)
print(json.dumps({"prompts": prompts, "status": os.waitstatus_to_exitcode(status),
                  "output": output.decode("utf-8", "replace")}))
