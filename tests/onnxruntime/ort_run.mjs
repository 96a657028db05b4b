// ort_run.mjs MODEL OUTDIR [NAME=FILE]... : ONNX Runtime's outputs of MODEL
// for raw input files (little-endian values of each input's type and shape,
// a symbolic dimension taken as 1), written as OUTDIR/output<k>.bin float32
// in the model's output order: the same conventions as tests/tools/nn_run.c.
// With --time RUNS (before MODEL) it prints {"median_ms": ...} of RUNS runs
// on one thread after 10 warm-up runs instead.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(path.join(process.env.FT_ORT_MODULES || '.', 'x.js'));
const ort = require('onnxruntime-node');

let args = process.argv.slice(2);
let runs = 0;
if (args[0] === '--time') {
    runs = Number(args[1]);
    args = args.slice(2);
}
const [model, outdir, ...inputs] = args;
const session = await ort.InferenceSession.create(model, {
    intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential',
    graphOptimizationLevel: 'all'});
const files = Object.fromEntries(inputs.map((a) => a.split('=')));
const feeds = {};
const arrays = {float32: Float32Array, int32: Int32Array, int64: BigInt64Array};
for (const name of session.inputNames) {
    const meta = session.inputMetadata.find((m) => m.name === name);
    const shape = meta.shape.map((d) => (typeof d === 'number' ? d : 1));
    const count = shape.reduce((a, b) => a * b, 1);
    const Type = arrays[meta.type];
    if (!Type)
        throw new Error(`${model}: input ${name} of type ${meta.type}`);
    let data = new Type(count);
    if (files[name]) {
        const buf = fs.readFileSync(files[name]);
        if (buf.length !== count * Type.BYTES_PER_ELEMENT)
            throw new Error(`${files[name]}: ${buf.length} bytes for ${name} ${shape}`);
        data = new Type(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length));
    }
    feeds[name] = new ort.Tensor(meta.type, data, shape);
}
if (runs > 0) {
    for (let i = 0; i < 10; i++)
        await session.run(feeds);
    const times = [];
    for (let i = 0; i < runs; i++) {
        const t0 = process.hrtime.bigint();
        await session.run(feeds);
        times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    times.sort((a, b) => a - b);
    console.log(JSON.stringify({model, runtime: 'onnxruntime ' + ort.env.versions.common,
                                threads: 1, median_ms: times[Math.floor(runs / 2)]}));
} else {
    const out = await session.run(feeds);
    session.outputNames.forEach((name, k) => {
        const t = out[name];
        const f32 = t.data instanceof Float32Array ? t.data : Float32Array.from(t.data, Number);
        fs.writeFileSync(path.join(outdir, `output${k}.bin`), Buffer.from(f32.buffer, f32.byteOffset, f32.byteLength));
    });
}
