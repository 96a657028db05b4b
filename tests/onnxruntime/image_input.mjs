// image_input.mjs RGB24 WIDTH HEIGHT MEAN STD ORDER OUT : a raw rgb24 image
// (as ffmpeg writes it) as a float32 NCHW tensor, (v - MEAN) / STD per
// channel, channels in ORDER (rgb or bgr): a model input both runtimes read.
import fs from 'node:fs';

const [file, w, h, mean, std, order, out] = process.argv.slice(2);
const W = Number(w), H = Number(h), M = Number(mean), S = Number(std);
const rgb = fs.readFileSync(file);
if (rgb.length !== W * H * 3)
    throw new Error(`${file}: ${rgb.length} bytes for ${W}x${H} rgb24`);
const t = new Float32Array(3 * W * H);
const channel = order === 'bgr' ? [2, 1, 0] : [0, 1, 2];
for (let c = 0; c < 3; c++)
    for (let i = 0; i < W * H; i++)
        t[c * W * H + i] = (rgb[i * 3 + channel[c]] - M) / S;
fs.writeFileSync(out, Buffer.from(t.buffer));
