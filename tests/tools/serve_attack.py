#!/usr/bin/env python3
"""Hostile clients of `facetrack serve`, for tests/integration/serve_guard.sh.
Loopback only, bounded in count and time.

  serve_attack.py expect100 PORT [TOKEN]
      POST with Expect: 100-continue and a huge Content-Length; prints the
      status lines received before the server hangs up (never sends a body).
  serve_attack.py deadline PORT
      trickles a request's headers one byte every 0.3 s; prints how many
      seconds passed before the server closed the connection (or 'open').
  serve_attack.py flood PORT TOKEN SERVER_PID SECONDS TRICKLERS PARTIALS
      TRICKLERS connections trickle headers (reconnecting when dropped) and
      PARTIALS unauthenticated connections send 1,000,000 bytes of a
      1 MiB body; meanwhile an authenticated GET /api/health is timed every
      0.25 s and the server's memory sampled. Prints one line of JSON:
      worst latency, failures, the server's VmRSS before and at its worst.
  serve_attack.py shield PORT TOKEN COUNT
      COUNT connections send a body-carrying GET of a public file (the web
      UI needs no token) and stall in its body; then one authenticated
      request is timed. Prints "LATENCY OK" (OK: 1 when answered 200).
"""
import json
import os
import resource
import socket
import sys
import threading
import time

HOST = "127.0.0.1"


def vm_kib(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def expect100(port, token=None):
    s = socket.create_connection((HOST, port), timeout=5)
    auth = f"Authorization: Bearer {token}\r\n" if token else ""
    s.sendall((f"POST /api/jobs HTTP/1.1\r\nHost: {HOST}:{port}\r\n{auth}"
               "Content-Type: application/json\r\nContent-Length: 10000000000\r\n"
               "Expect: 100-continue\r\n\r\n").encode())
    got = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            got += chunk
            if b"\r\n\r\n" in got and not got.startswith(b"HTTP/1.1 100"):
                break
    except socket.timeout:
        pass
    s.close()
    for line in got.split(b"\r\n"):
        if line.startswith(b"HTTP/"):
            print(line.decode(errors="replace"))


def deadline(port):
    s = socket.create_connection((HOST, port), timeout=30)
    request = f"GET /api/health HTTP/1.1\r\nHost: {HOST}:{port}\r\nX-Pad: " + "a" * 200
    start = time.monotonic()
    try:
        for ch in request:
            s.sendall(ch.encode())
            time.sleep(0.3)
            if time.monotonic() - start > 40:
                print("open")
                return
        print("open")
    except OSError:
        print(f"{time.monotonic() - start:.1f}")


class Trickler:
    """A connection that sends one byte of its headers per round."""

    def __init__(self, port):
        self.port = port
        self.sock = None
        self.sent = 0
        self.head = (f"GET /api/health HTTP/1.1\r\nHost: {HOST}:{port}\r\nX-Pad: ").encode() + b"a" * 100000

    def open(self):
        self.sock = socket.socket()
        self.sock.setblocking(False)
        try:
            self.sock.connect((HOST, self.port))
        except BlockingIOError:
            pass
        except OSError:
            self.sock.close()
            self.sock = None
        self.sent = 0

    def step(self):
        if self.sock is None:
            self.open()
            return
        try:
            n = self.sock.send(self.head[self.sent:self.sent + 1])
            self.sent += n
        except (BlockingIOError, InterruptedError):
            pass
        except OSError:  # dropped by the server: come back
            self.sock.close()
            self.open()


def partial_body(port, stop):
    """An unauthenticated POST that stops 48,576 bytes short of its body."""
    try:
        s = socket.create_connection((HOST, port), timeout=10)
        s.sendall((f"POST /api/jobs HTTP/1.1\r\nHost: {HOST}:{port}\r\n"
                   "Content-Type: application/json\r\nContent-Length: 1048576\r\n\r\n").encode())
        s.sendall(b" " * 1000000)
    except OSError:
        return
    stop.wait()
    s.close()


def timed_health(port, token):
    start = time.monotonic()
    try:
        s = socket.create_connection((HOST, port), timeout=5)
        s.sendall((f"GET /api/health HTTP/1.1\r\nHost: {HOST}:{port}\r\n"
                   f"Authorization: Bearer {token}\r\nConnection: close\r\n\r\n").encode())
        got = b""
        while b"\r\n\r\n" not in got:
            chunk = s.recv(4096)
            if not chunk:
                break
            got += chunk
        s.close()
        ok = got.startswith(b"HTTP/1.1 200")
    except OSError:
        ok = False
    return time.monotonic() - start, ok


def flood(port, token, pid, seconds, tricklers, partials):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 8192), hard))
    rss_before = vm_kib(pid, "VmRSS")
    stop = threading.Event()
    threads = [threading.Thread(target=partial_body, args=(port, stop), daemon=True)
               for _ in range(partials)]
    for t in threads:
        t.start()
    socks = [Trickler(port) for _ in range(tricklers)]
    for t in socks:
        t.open()
    worst, failures, probes, rss_worst = 0.0, 0, 0, rss_before
    end = time.monotonic() + seconds
    next_probe = time.monotonic() + 1.0  # after the connections are up
    while time.monotonic() < end:
        for t in socks:
            t.step()
        rss_worst = max(rss_worst, vm_kib(pid, "VmRSS"))
        if time.monotonic() >= next_probe:
            latency, ok = timed_health(port, token)
            probes += 1
            worst = max(worst, latency)
            failures += not ok
            next_probe = time.monotonic() + 0.25
        time.sleep(0.05)
    rss_worst = max(rss_worst, vm_kib(pid, "VmRSS"))
    hwm = vm_kib(pid, "VmHWM")
    stop.set()
    for t in socks:
        if t.sock:
            t.sock.close()
    print(json.dumps({"probes": probes, "failures": failures, "worst_latency_s": round(worst, 3),
                      "rss_before_kib": rss_before, "rss_worst_kib": rss_worst,
                      "hwm_kib": hwm}))


def shield(port, token, count):
    socks = []
    for _ in range(count):
        s = socket.create_connection((HOST, port), timeout=5)
        s.sendall((f"GET /ui/app.js HTTP/1.1\r\nHost: {HOST}:{port}\r\n"
                   "Content-Length: 100000\r\n\r\n").encode() + b"x" * 10)
        socks.append(s)
    time.sleep(0.5)
    latency, ok = timed_health(port, token)
    print(f"{latency:.3f} {int(ok)}")
    for s in socks:
        s.close()


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "expect100":
        expect100(int(args[0]), args[1] if len(args) > 1 else None)
    elif cmd == "deadline":
        deadline(int(args[0]))
    elif cmd == "shield":
        shield(int(args[0]), args[1], int(args[2]))
    elif cmd == "flood":
        flood(int(args[0]), args[1], int(args[2]), float(args[3]), int(args[4]), int(args[5]))
    else:
        sys.exit(f"serve_attack.py: unknown command {cmd}")


if __name__ == "__main__":
    main()
