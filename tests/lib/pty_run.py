#!/usr/bin/env python3
"""Run a command with a pseudo-terminal as its controlling terminal, stdin
and stderr, while stdout goes to a pipe (so tests can check that nothing but
the ExecCredential reaches stdout).  When PROMPT appears on the terminal,
the next of the '|'-separated ANSWERS is typed.  Usage:
    pty_run.py STDOUT_FILE TRANSCRIPT_FILE PROMPT ANSWER -- CMD ARGS...
Exit status: the command's.  Gives up after 30 s.
"""
import os
import pty
import select
import subprocess
import sys
import time


def main():
    out_path, transcript_path, prompt, answer = sys.argv[1:5]
    assert sys.argv[5] == "--"
    cmd = sys.argv[6:]
    master, slave = pty.openpty()
    slave_name = os.ttyname(slave)

    def become_tty_owner():
        os.setsid()
        fd = os.open(slave_name, os.O_RDWR)  # first tty opened: controlling
        os.close(fd)

    with open(out_path, "wb") as out:
        p = subprocess.Popen(cmd, stdin=slave, stdout=out, stderr=slave,
                             preexec_fn=become_tty_owner, close_fds=True)
    os.close(slave)
    seen = b""
    answers = answer.split("|")
    answered = 0
    deadline = time.time() + 30
    while time.time() < deadline:
        r, _, _ = select.select([master], [], [], 0.1)
        if r:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
            if answered < len(answers) and \
                    seen.count(prompt.encode()) > answered:
                os.write(master, answers[answered].encode() + b"\n")
                answered += 1
        elif p.poll() is not None:
            break
    try:
        rc = p.wait(timeout=max(1, deadline - time.time()))
    except subprocess.TimeoutExpired:
        p.kill()
        rc = 124
    with open(transcript_path, "wb") as t:
        t.write(seen)
    sys.exit(rc)


if __name__ == "__main__":
    main()
