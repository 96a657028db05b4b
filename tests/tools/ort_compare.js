// Runs a detector on ONNX Runtime (onnxruntime-node) with the input our
// runtime was given (DIR/input.bin, 1x3x640x640 float32) and compares each
// output with ours (DIR/NAME.bin): prints the largest absolute difference
// per output; exits 1 when one exceeds TOLERANCE.
// usage: node ort_compare.js MODEL DIR TOLERANCE   (NODE_PATH: where onnxruntime-node is)
'use strict';
const fs = require('fs');
const ort = require('onnxruntime-node');

function floats(path) {
  const b = fs.readFileSync(path);
  return new Float32Array(b.buffer, b.byteOffset, b.length / 4);
}

(async () => {
  const [model, dir, tolerance] = process.argv.slice(2);
  const session = await ort.InferenceSession.create(model, {intraOpNumThreads: 1});
  const feeds = {[session.inputNames[0]]:
                 new ort.Tensor('float32', floats(`${dir}/input.bin`), [1, 3, 640, 640])};
  const out = await session.run(feeds);
  let worst = 0;
  const parts = [];
  for (const name of session.outputNames) {
    const ref = out[name].data, ours = floats(`${dir}/${name}.bin`);
    if (ref.length !== ours.length) {
      console.log(`${name}: ${ours.length} values, ONNX Runtime ${ref.length}`);
      process.exit(1);
    }
    let d = 0;
    for (let i = 0; i < ref.length; i++) d = Math.max(d, Math.abs(ref[i] - ours[i]));
    worst = Math.max(worst, d);
    parts.push(`${name} ${d.toExponential(1)}`);
  }
  console.log(`max |ours - ONNX Runtime| ${worst.toExponential(2)} (${parts.join(', ')})`);
  process.exit(worst <= Number(tolerance) ? 0 : 1);
})().catch((e) => { console.log(String(e)); process.exit(1); });
