// compare.mjs WANT_DIR GOT_DIR COUNT TOLERANCE : outputs 0..COUNT-1 of two
// runtimes (float32 files) agree within TOLERANCE of each output's largest
// magnitude, or within 1e-6 absolute for an output that is all but zero
// (largest magnitude under 1e-2)
// (a detector's objectness far from any face: 1e-7 of float noise there is
// a large fraction of a scale of 1e-4). Prints the largest relative
// difference; exits 1 past it.
import fs from 'node:fs';
import path from 'node:path';

const [wantDir, gotDir, count, tolerance] = process.argv.slice(2);
let worst = 0, bad = false;
for (let k = 0; k < Number(count); k++) {
    const read = (d) => { const b = fs.readFileSync(path.join(d, `output${k}.bin`));
                          return new Float32Array(b.buffer, b.byteOffset, b.length / 4); };
    const want = read(wantDir), got = read(gotDir);
    if (want.length !== got.length) {
        console.log(`output ${k}: ${got.length} values, expected ${want.length}`);
        bad = true;
        continue;
    }
    let scale = 0, diff = 0;
    for (let i = 0; i < want.length; i++) {
        scale = Math.max(scale, Math.abs(want[i]));
        const d = Math.abs(want[i] - got[i]);
        diff = Number.isNaN(d) ? Infinity : Math.max(diff, d);
    }
    const rel = scale > 0 ? diff / scale : diff;
    const nearZero = scale < 1e-2;
    worst = Math.max(worst, nearZero ? 0 : rel);
    if (!(rel <= Number(tolerance) || (nearZero && diff <= 1e-6))) {
        console.log(`output ${k}: max |difference| ${diff} at scale ${scale}`);
        bad = true;
    }
}
console.log(`max relative difference ${worst.toExponential(2)} (outputs over 1e-2)`);
process.exit(bad ? 1 : 0);
