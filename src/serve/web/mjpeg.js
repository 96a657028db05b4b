// The parts of a multipart/x-mixed-replace body (the Live view's MJPEG
// stream, GET /api/live/N/stream), read from a fetch() body as they come.
// Each part: "--BOUNDARY", headers, a blank line, Content-Length bytes, CRLF;
// "--BOUNDARY--" ends the body. Pure: no DOM, so node tests it too.

const CRLF2 = [13, 10, 13, 10];

// The boundary of a Content-Type header value, or null.
export function boundaryOf(contentType) {
  const m = /;\s*boundary="?([^";]+)"?/i.exec(contentType || '');
  return m ? m[1] : null;
}

function indexOf(bytes, pattern, from) {
  outer: for (let i = from; i + pattern.length <= bytes.length; i++) {
    for (let k = 0; k < pattern.length; k++) if (bytes[i + k] !== pattern[k]) continue outer;
    return i;
  }
  return -1;
}

// A parser fed with chunks: push(chunk) returns the parts completed by it
// ({ headers: {lower-case name: value}, body: Uint8Array }); ended is true
// after the closing boundary. A malformed body throws.
export function multipartParser(boundary) {
  const decoder = new TextDecoder();
  let buffer = new Uint8Array(0);
  let part = null; // headers of the part whose body is awaited
  const state = { ended: false };
  state.push = (chunk) => {
    const joined = new Uint8Array(buffer.length + chunk.length);
    joined.set(buffer);
    joined.set(chunk, buffer.length);
    buffer = joined;
    const parts = [];
    for (;;) {
      if (state.ended) break;
      if (!part) {
        const end = indexOf(buffer, CRLF2, 0);
        if (end < 0) break;
        const lines = decoder.decode(buffer.subarray(0, end)).split('\r\n');
        while (lines.length && lines[0] === '') lines.shift(); // the CRLF after the last body
        if (lines[0] === `--${boundary}--`) {
          state.ended = true;
          break;
        }
        if (lines[0] !== `--${boundary}`) throw new Error(`not a part: ${lines[0]?.slice(0, 60)}`);
        const headers = {};
        for (const line of lines.slice(1)) {
          const colon = line.indexOf(':');
          if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
        }
        const length = Number(headers['content-length']);
        if (!Number.isInteger(length) || length < 0) throw new Error('a part without Content-Length');
        part = { headers, length };
        buffer = buffer.subarray(end + 4);
      }
      if (buffer.length < part.length) break;
      parts.push({ headers: part.headers, body: buffer.slice(0, part.length) });
      buffer = buffer.subarray(part.length);
      part = null;
    }
    // The closing boundary may come without a blank line after it.
    if (!part && !state.ended && decoder.decode(buffer).trim() === `--${boundary}--`) state.ended = true;
    return parts;
  };
  return state;
}
