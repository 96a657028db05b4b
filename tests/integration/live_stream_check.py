"""The MJPEG stream of `facetrack serve` (GET /api/live/N/stream), checked
from real HTTP clients over loopback: the same Host and token checks as
every route; well-formed parts (boundary, JPEG of the preview's size,
Content-Length) with strictly increasing frame ids, each part's results
those of its picture's frame (the face box where the synthetic clip has the
face in that frame); stalled clients neither slow the worker (frames/s
measured without and with them) nor get a queue (a stalled client that
reads again gets a few buffered parts, then the newest frame); streams end
when their clients go (the server's threads come back to their number) and
with the closing boundary when the worker stops.

usage: live_stream_check.py BASE TOKEN SERVER_PID
Prints one line per check ("ok ..." / "FAIL ..."); exit 1 when one failed.
The source 0 of the server is the clip serve_live_stream.sh makes: a
150x170 face moving from (40, 60) by (8, 2) px a frame, 30 frames, looped,
in a 480x360 capture shown in the 640x360 preview.
"""
import json
import os
import socket
import struct
import sys
import time
import urllib.parse

BOUNDARY = b'--facetrack-live-frame'
failed = 0


def check(what, ok, detail=''):
    global failed
    print(('ok   ' if ok else 'FAIL ') + what + ('' if ok or not detail else '\n  ' + detail))
    failed += 0 if ok else 1
    return ok


class Stream:
    """One HTTP/1.1 request over a raw socket, its chunked body read on demand."""

    def __init__(self, base, path, headers=None, rcvbuf=None):
        u = urllib.parse.urlparse(base)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if rcvbuf:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.sock.settimeout(30)
        self.sock.connect((u.hostname, u.port))
        hdrs = {'Host': u.netloc, 'Connection': 'keep-alive'}
        hdrs.update(headers or {})
        request = f'GET {path} HTTP/1.1\r\n' + ''.join(f'{k}: {v}\r\n' for k, v in hdrs.items()) + '\r\n'
        self.sock.sendall(request.encode())
        self.raw = b''
        self.chunk_left = 0
        self.body = b''
        self.body_bytes = 0
        self.finished = False
        status = self._raw_line()
        self.status = int(status.split()[1])
        self.headers = {}
        while True:
            line = self._raw_line()
            if not line:
                break
            k, v = line.decode().split(':', 1)
            self.headers[k.strip().lower()] = v.strip()
        self.chunked = self.headers.get('transfer-encoding', '').lower() == 'chunked'
        if 'content-length' in self.headers:  # an error's JSON
            self.body = self._raw_exact(int(self.headers['content-length']))
            self.finished = True

    def _fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise EOFError('the server closed the connection')
        self.raw += data

    def _raw_line(self):
        while b'\r\n' not in self.raw:
            self._fill()
        line, self.raw = self.raw.split(b'\r\n', 1)
        return line

    def _raw_exact(self, n):
        while len(self.raw) < n:
            self._fill()
        data, self.raw = self.raw[:n], self.raw[n:]
        return data

    def _more_body(self):
        if self.finished:
            raise EOFError('the body has ended')
        if not self.chunked:
            self._fill()
            self.body += self.raw
            self.body_bytes += len(self.raw)
            self.raw = b''
            return
        size = int(self._raw_line().split(b';')[0], 16)
        if size == 0:
            self._raw_line()  # the blank line after the last chunk
            self.finished = True
            raise EOFError('the body has ended')
        self.body += self._raw_exact(size)
        self.body_bytes += size
        self._raw_line()

    def line(self):
        while b'\r\n' not in self.body:
            self._more_body()
        line, self.body = self.body.split(b'\r\n', 1)
        return line

    def exact(self, n):
        while len(self.body) < n:
            self._more_body()
        data, self.body = self.body[:n], self.body[n:]
        return data

    def part(self):
        """(headers, jpeg) of the next part; None at the closing boundary.
        Raises ValueError on a malformed part."""
        line = self.line()
        if line == BOUNDARY + b'--':
            return None
        if line != BOUNDARY:
            raise ValueError(f'expected the boundary, got {line[:60]!r}')
        headers = {}
        while True:
            line = self.line()
            if not line:
                break
            k, v = line.decode().split(':', 1)
            headers[k.strip().lower()] = v.strip()
        jpeg = self.exact(int(headers['content-length']))
        if self.line() != b'':
            raise ValueError('no CRLF after the JPEG')
        return headers, jpeg

    def close(self):
        self.sock.close()


def jpeg_size(jpeg):
    """[width, height] from the start-of-frame marker; None when not a JPEG."""
    if jpeg[:2] != b'\xff\xd8' or jpeg[-2:] != b'\xff\xd9':
        return None
    i = 2
    while i + 9 < len(jpeg):
        marker, length = jpeg[i + 1], struct.unpack('>H', jpeg[i + 2:i + 4])[0]
        if marker in (0xC0, 0xC1, 0xC2):
            h, w = struct.unpack('>HH', jpeg[i + 5:i + 9])
            return [w, h]
        i += 2 + length
    return None


def post(base, path, token):
    u = urllib.parse.urlparse(base)
    with socket.create_connection((u.hostname, u.port), timeout=30) as c:
        c.sendall((f'POST {path} HTTP/1.1\r\nHost: {u.netloc}\r\nAuthorization: Bearer {token}\r\n'
                   'Content-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}').encode())
        data = b''
        while True:
            d = c.recv(65536)
            if not d:
                break
            data += d
    return int(data.split()[1])


def worker_frames(base, token):
    """The worker's analysed frames so far, from its heartbeat (None before one)."""
    s = Stream(base, '/api/live/0', {'Authorization': f'Bearer {token}', 'Connection': 'close'})
    s.close()
    hb = json.loads(s.body).get('heartbeat')
    return hb['frames'] if hb else None


def threads(pid):
    return len(os.listdir(f'/proc/{pid}/task'))


def face_in_frame(results):
    """The first face's box centre lies in the face image of the clip's frame."""
    n = results['frame'] % 30
    if not results['faces']:
        return False
    x, y, w, h = results['faces'][0]['box']
    cx, cy = x + w / 2, y + h / 2
    return 40 + 8 * n <= cx <= 40 + 8 * n + 150 and 60 + 2 * n <= cy <= 60 + 2 * n + 170


def main():
    base, token, server = sys.argv[1], sys.argv[2], int(sys.argv[3])
    auth = {'Authorization': f'Bearer {token}'}
    path = '/api/live/0/stream'

    # The checks every route has, before anything runs.
    check('no token: 401', Stream(base, path).status == 401)
    check('a foreign Host: 421', Stream(base, path, {'Host': 'evil.example', **auth}).status == 421)
    check('another site\'s page (Origin): 403',
          Stream(base, path, {'Origin': 'http://evil.example', **auth}).status == 403)
    check('a source that does not run: 409', Stream(base, f'{path}?token={token}').status == 409)
    check('an unknown source: 404', Stream(base, '/api/live/9/stream', auth).status == 404)
    check('POST start', post(base, '/api/live/0/start', token) == 200)
    baseline_threads = threads(server)

    # Parts: well-formed, increasing ids, each part's results its picture's frame.
    s = Stream(base, path, auth)
    check('the stream answers 200 multipart/x-mixed-replace',
          s.status == 200 and s.headers.get('content-type') ==
          'multipart/x-mixed-replace; boundary=facetrack-live-frame', str(s.headers))
    ids, problems, deadline = [], [], time.monotonic() + 60
    while len(ids) < 20 and time.monotonic() < deadline:
        try:
            headers, jpeg = s.part()
        except (ValueError, EOFError, KeyError) as e:
            problems.append(str(e))
            break
        results = json.loads(headers['x-live-frame'])
        frame = int(headers['x-frame-id'])
        if headers.get('content-type') != 'image/jpeg':
            problems.append(f'frame {frame}: type {headers.get("content-type")}')
        if jpeg_size(jpeg) != [640, 360]:
            problems.append(f'frame {frame}: JPEG size {jpeg_size(jpeg)}')
        if results['frame'] != frame or results['capture'] != [480, 360] or results['preview'] != [640, 360]:
            problems.append(f'frame {frame}: results {results["frame"]} {results["capture"]}')
        if not face_in_frame(results):
            problems.append(f'frame {frame}: face {results["faces"][:1]} not where the clip has it')
        ids.append(frame)
    s.close()
    check(f'20 well-formed parts: JPEGs of 640x360, results of the same frame (ids {ids[:3]}...{ids[-2:]})',
          len(ids) == 20 and not problems, '; '.join(problems[:5]))
    check('frame ids strictly increase', all(a < b for a, b in zip(ids, ids[1:])), str(ids))

    # Stalled clients: the worker's rate without and with them.
    def rate(seconds):
        f0, t0 = worker_frames(base, token), time.monotonic()
        time.sleep(seconds)
        f1, t1 = worker_frames(base, token), time.monotonic()
        return (f1 - f0) / (t1 - t0)
    while worker_frames(base, token) is None:
        time.sleep(0.2)
    alone = rate(4)
    stalled = [Stream(base, path, auth, rcvbuf=4096) for _ in range(3)]
    time.sleep(1)  # their buffers fill
    with_stalled = rate(4)
    print(f'  worker: {alone:.1f} frames/s alone, {with_stalled:.1f} with 3 stalled stream clients')
    check('3 stalled clients do not slow the worker (at least 60 % of its rate alone)',
          with_stalled >= 0.6 * alone, f'{alone:.1f} vs {with_stalled:.1f} frames/s')

    # A reading client is served fresh frames meanwhile.
    fresh = Stream(base, path, auth)
    got = [int(fresh.part()[0]['x-frame-id']) for _ in range(5)]
    check('a reading client gets frames while 3 others stall', len(got) == 5 and got == sorted(got), str(got))
    newest = got[-1]

    # A stalled client that reads again: a few buffered parts, then the newest.
    first, stale, stale_bytes, frames = None, 0, 0, []
    s1 = stalled[0]
    start_bytes = s1.body_bytes
    while True:
        headers, jpeg = s1.part()
        frame = int(headers['x-frame-id'])
        first = frame if first is None else first
        frames.append(frame)
        if frame >= newest:
            break
        stale += 1
    stale_bytes = s1.body_bytes - start_bytes
    made = newest - first
    print(f'  stalled client: first frame {first}, {made} frames made while it stalled, '
          f'{stale} stale parts ({stale_bytes} bytes) before frame {frames[-1]}')
    check('no queue for a stalled client: its stale parts are few and frames were skipped',
          stale < max(8, made / 2) and stale_bytes < 512 * 1024 and
          any(b - a > 1 for a, b in zip(frames, frames[1:])), f'{stale} of {made}')

    # Clients that go: their threads end.
    for c in stalled + [fresh]:
        c.close()
    deadline = time.monotonic() + 5
    while threads(server) > baseline_threads and time.monotonic() < deadline:
        time.sleep(0.1)
    check(f'the streams end when their clients go (server threads back to {baseline_threads})',
          threads(server) <= baseline_threads, f'{threads(server)} threads')

    # The worker stops: the stream ends with the closing boundary.
    s = Stream(base, f'{path}?token={token}')
    s.part()
    t0 = time.monotonic()
    check('POST stop', post(base, '/api/live/0/stop', token) == 200)
    ended = False
    try:
        for _ in range(1000):
            if s.part() is None:
                ended = True
                break
        s.line()  # the body ends after the closing boundary: nothing more
    except EOFError:
        pass
    check(f'the stream ends with the closing boundary when the worker stops ({time.monotonic() - t0:.2f} s)',
          ended and s.finished)
    s.close()
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
