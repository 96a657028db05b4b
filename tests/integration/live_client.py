"""A client of a `facetrack live` worker's socket (docs/live.md), for the
integration tests: connects (waiting for the socket to appear), sends
commands, and prints the lines it receives until one matches.

usage: live_client.py [--timeout S] SOCKET STEP...
STEP: "send:CMD" (a bare command name or a JSON object), "expect:TYPE"
(read until a line of that type; its JSON is printed), "frames:N" (read
until N frame lines came), "sleep:S".
Exit 0 when every step succeeded, 1 with the reason on stderr otherwise.
"""
import json
import socket
import sys
import time


def main():
    args = sys.argv[1:]
    path = None
    timeout = 10.0
    steps = []
    while args:
        a = args.pop(0)
        if a == '--timeout':
            timeout = float(args.pop(0))
        elif path is None:
            path = a
        else:
            steps.append(a)
    deadline = time.monotonic() + timeout
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    while True:
        try:
            s.connect(path)
            break
        except OSError:
            if time.monotonic() > deadline:
                sys.exit(f'live_client: cannot connect to {path}')
            time.sleep(0.05)
    buf = b''

    def read_line():
        nonlocal buf
        while b'\n' not in buf:
            left = deadline - time.monotonic()
            if left <= 0:
                sys.exit('live_client: timed out')
            s.settimeout(left)
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                sys.exit('live_client: timed out')
            if not chunk:
                return None
            buf += chunk
        line, buf = buf.split(b'\n', 1)
        return json.loads(line)

    for step in steps:
        kind, _, value = step.partition(':')
        if kind == 'send':
            s.sendall(value.encode() + b'\n')
        elif kind == 'sleep':
            time.sleep(float(value))
        elif kind in ('expect', 'frames'):
            want = int(value) if kind == 'frames' else 1
            got = 0
            while got < want:
                e = read_line()
                if e is None:
                    sys.exit(f'live_client: connection closed while waiting for {step}')
                if (kind == 'frames' and e['type'] == 'frame') or e['type'] == value:
                    got += 1
                    if kind == 'expect':
                        print(json.dumps(e), flush=True)
        else:
            sys.exit(f'live_client: unknown step {step}')


main()
