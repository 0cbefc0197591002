// The TensorFlow.js side of `cargo xtask bench`: the workloads of Kindling's #/bench page
// (engine/src/lessons/bench/{workload,model,runner}.rs) with the same shapes, losses, optimisers,
// batch and seeded synthetic data, timed step by step with each step's result read back
// (`await t.data()`). The first step is reported apart, then `warmup` untimed steps, then `steps`
// timed ones and their median.
//
// Query: ?backend=cpu|wasm|webgl|webgpu&steps=N&warmup=M&w=cnn-small,...&seed=S
// Result: window.__bench (JSON) and #bench-state[data-state] = "done" (or "failed" when the
// backend could not start); one tr#bench-row-<workload> a workload with data-first-ms,
// data-median-ms, or data-error when that workload failed on this backend.
'use strict';

const BATCH = 64;
const PIXELS = 28 * 28;
const NOISE = 64;
const CLASSES = 10;
const ALL_WORKLOADS = ['cnn-small', 'cnn-default', 'gan', 'inference', 'transfer'];

// burn's Adam defaults (β2 0.999, ε 1e-5), which Kindling's workloads use.
const ADAM_BETA2 = 0.999;
const ADAM_EPSILON = 1e-5;

// ---------------------------------------------------------------------------------------------
// Seeded synthetic data: mulberry32, Box–Muller normals. Same distributions as the engine's
// runner (standard normal pixels and noise, uniform labels, GAN "real" images uniform in (-1, 1)).

function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    uniform: next,
    range: (lo, hi) => lo + (hi - lo) * next(),
    normal: () => {
      const u = 1 - next();
      const v = next();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    },
    below: (n) => Math.min(n - 1, Math.floor(next() * n)),
  };
}

function fill(count, f) {
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = f();
  return out;
}

// ---------------------------------------------------------------------------------------------
// Parameters: burn's default initialisation, uniform in ±1/√fan_in for weights and biases.

class Params {
  constructor(r) {
    this.r = r;
    this.vars = [];
  }
  uniform(shape, fanIn, trainable) {
    const bound = 1 / Math.sqrt(fanIn);
    const size = shape.reduce((a, b) => a * b, 1);
    const v = tf.variable(tf.tensor(fill(size, () => this.r.range(-bound, bound)), shape), trainable);
    this.vars.push(v);
    return v;
  }
  // NHWC filter [k, k, in, out] and its bias.
  conv(k, cin, cout, trainable = true) {
    const fanIn = k * k * cin;
    return { w: this.uniform([k, k, cin, cout], fanIn, trainable), b: this.uniform([cout], fanIn, trainable) };
  }
  dense(input, output, trainable = true) {
    return { w: this.uniform([input, output], input, trainable), b: this.uniform([output], input, trainable) };
  }
  dispose() {
    for (const v of this.vars) v.dispose();
    this.vars = [];
  }
}

const conv = (x, c, pad, activation = 'relu') =>
  tf.fused.conv2d({ x, filter: c.w, strides: 1, pad, bias: c.b, activation });
const dense = (x, d, activation = 'linear', leakyreluAlpha) =>
  tf.fused.matMul({ a: x, b: d.w, bias: d.b, activation, leakyreluAlpha });
const pool = (x) => tf.maxPool(x, 2, 2, 'valid');

// Workload A's network: 28×28×1 → conv 8@5×5 valid ReLU → max-pool 2 → conv 16@5×5 valid ReLU
// → max-pool 2 → dense 10 (5,994 parameters).
function smallCnn(p, convsTrainable = true) {
  const net = {
    c1: p.conv(5, 1, 8, convsTrainable),
    c2: p.conv(5, 8, 16, convsTrainable),
    head: p.dense(16 * 4 * 4, CLASSES),
  };
  net.features = (x) => tf.reshape(pool(conv(pool(conv(x, net.c1, 'valid')), net.c2, 'valid')), [x.shape[0], 256]);
  net.forward = (x) => dense(net.features(x), net.head);
  return net;
}

// The CNN lesson's default network (engine/src/lessons/cnn/config.rs, CnnSettings::default):
// conv 8@5×5 padding 2 ReLU → max-pool 2 → conv 16@5×5 valid ReLU → max-pool 2 → dense 128 ReLU
// → dense 10; no dropout; Adam 1e-3. Trained here at the bench's batch of 64.
function defaultCnn(p) {
  const net = {
    c1: p.conv(5, 1, 8),
    c2: p.conv(5, 8, 16),
    hidden: p.dense(16 * 5 * 5, 128),
    out: p.dense(128, CLASSES),
  };
  net.forward = (x) => {
    const maps = pool(conv(pool(conv(x, net.c1, 2)), net.c2, 'valid'));
    return dense(dense(tf.reshape(maps, [x.shape[0], 400]), net.hidden, 'relu'), net.out);
  };
  return net;
}

// Mean binary cross-entropy with logits against one label for all: softplus(-l) for real,
// softplus(l) for fake.
const bce = (logits, real) => tf.mean(tf.softplus(real ? tf.neg(logits) : logits));

function trainables(net) {
  return Object.values(net)
    .filter((v) => v && v.w)
    .flatMap((l) => [l.w, l.b])
    .filter((v) => v.trainable);
}

// One workload's model, optimiser and data; `step()` returns a tensor to read back.
function setup(workload, seed) {
  const r = rng(seed);
  const n = workload === 'inference' ? 1 : BATCH;
  const x = tf.tensor(fill(n * PIXELS, r.normal), [n, 28, 28, 1]);
  const labels = Array.from({ length: n }, () => r.below(CLASSES));
  const y = tf.tidy(() => tf.oneHot(tf.tensor1d(labels, 'int32'), CLASSES).toFloat());
  const p = new Params(r);
  const owned = [x, y];
  const ce = (logits) => tf.losses.softmaxCrossEntropy(y, logits);
  let step;
  const optimizers = [];
  const adam = (rate, beta1 = 0.9) => {
    const o = tf.train.adam(rate, beta1, ADAM_BETA2, ADAM_EPSILON);
    optimizers.push(o);
    return o;
  };
  switch (workload) {
    case 'cnn-small':
    case 'transfer': {
      const net = smallCnn(p, workload === 'cnn-small');
      const opt = adam(1e-3);
      const vars = trainables(net);
      step = () => opt.minimize(() => ce(net.forward(x)), true, vars);
      break;
    }
    case 'cnn-default': {
      const net = defaultCnn(p);
      const opt = adam(1e-3);
      const vars = trainables(net);
      step = () => opt.minimize(() => ce(net.forward(x)), true, vars);
      break;
    }
    case 'gan': {
      const real = tf.tensor(fill(n * PIXELS, () => r.range(-1, 1)), [n, PIXELS]);
      const noise = tf.tensor(fill(n * NOISE, r.normal), [n, NOISE]);
      owned.push(real, noise);
      // G 64 → 128 ReLU → 784 tanh; D 784 → 128 leaky ReLU(0.2) → 1; Adam 2e-4, β1 0.5.
      const g = { hidden: p.dense(NOISE, 128), out: p.dense(128, PIXELS) };
      const d = { hidden: p.dense(PIXELS, 128), out: p.dense(128, 1) };
      const generate = (z) => dense(dense(z, g.hidden, 'relu'), g.out, 'linear').tanh();
      const discriminate = (v) => dense(dense(v, d.hidden, 'leakyrelu', 0.2), d.out);
      const gOpt = adam(2e-4, 0.5);
      const dOpt = adam(2e-4, 0.5);
      const gVars = trainables(g);
      const dVars = trainables(d);
      step = () => {
        // Discriminator: real towards 1, detached fakes towards 0.
        const fake = tf.tidy(() => generate(noise));
        const dLoss = dOpt.minimize(() => tf.add(bce(discriminate(real), true), bce(discriminate(fake), false)), true, dVars);
        fake.dispose();
        dLoss.dispose();
        // Generator (non-saturating): its fakes towards 1 through the updated D.
        return gOpt.minimize(() => bce(discriminate(generate(noise)), true), true, gVars);
      };
      break;
    }
    case 'inference': {
      const net = smallCnn(p);
      step = () => tf.tidy(() => tf.reshape(net.forward(x), [-1]));
      break;
    }
    default:
      throw new Error(`unknown workload ${workload}`);
  }
  return {
    step,
    dispose() {
      p.dispose();
      for (const t of owned) t.dispose();
      for (const o of optimizers) o.dispose();
    },
  };
}

async function timedStep(run) {
  const started = performance.now();
  const out = run.step();
  const values = await out.data();
  out.dispose();
  return [performance.now() - started, values[0]];
}

function median(values) {
  const sorted = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function runWorkload(workload, seed, warmup, steps) {
  const run = setup(workload, seed);
  try {
    const [firstMs, firstValue] = await timedStep(run);
    for (let i = 0; i < warmup; i++) await timedStep(run);
    const stepsMs = [];
    let value = firstValue;
    for (let i = 0; i < steps; i++) {
      const [ms, v] = await timedStep(run);
      stepsMs.push(ms);
      value = v;
    }
    if (!Number.isFinite(value)) throw new Error(`the last step read back ${value}`);
    return { workload, first_ms: firstMs, steps_ms: stepsMs, median_ms: median(stepsMs), last_value: value };
  } finally {
    run.dispose();
  }
}

// ---------------------------------------------------------------------------------------------
// tfjs-backend-wasm 4.22 has no Conv2DBackpropFilter kernel, so it cannot train a CNN. This one
// is built from the wasm backend's own Transpose and Conv2D kernels (XNNPACK):
// dW[kh, kw, ci, co] = Σ_{n, oh, ow} x[n, oh·s + kh − top, ow·s + kw − left, ci] · dy[n, oh, ow, co]
// is a convolution of x as [ci, H, W, n] with dy as the filter [OH, OW, n, co] (dilation s).

function registerWasmConv2DBackpropFilter() {
  if (tf.getKernel('Conv2DBackpropFilter', 'wasm')) return false;
  tf.registerKernel({
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, dy } = inputs;
      const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs;
      if (dataFormat && dataFormat !== 'NHWC') throw new Error(`Conv2DBackpropFilter (added): NHWC only, not ${dataFormat}`);
      const info = tf.backend_util.computeConv2DInfo(x.shape, filterShape, strides, 1, pad, dimRoundingMode, false, 'channelsLast');
      const transpose = tf.getKernel('Transpose', 'wasm').kernelFunc;
      const conv2d = tf.getKernel('Conv2D', 'wasm').kernelFunc;
      const temporary = [];
      const keep = (t) => (temporary.push(t), t);
      const xT = keep(transpose({ inputs: { x }, backend, attrs: { perm: [3, 1, 2, 0] } }));
      const dyT = keep(transpose({ inputs: { x: dy }, backend, attrs: { perm: [1, 2, 0, 3] } }));
      const p = info.padInfo;
      let g = keep(conv2d({
        inputs: { x: xT, filter: dyT },
        backend,
        attrs: {
          strides: [1, 1],
          dilations: [info.strideHeight, info.strideWidth],
          pad: [[0, 0], [p.top, p.bottom], [p.left, p.right], [0, 0]],
          dataFormat: 'NHWC',
        },
      }));
      const [kh, kw, cin, cout] = filterShape;
      if (g.shape[1] !== kh || g.shape[2] !== kw) {
        const slice = tf.getKernel('Slice', 'wasm').kernelFunc;
        g = keep(slice({ inputs: { x: g }, backend, attrs: { begin: [0, 0, 0, 0], size: [cin, kh, kw, cout] } }));
      }
      const out = transpose({ inputs: { x: g }, backend, attrs: { perm: [1, 2, 0, 3] } });
      for (const t of temporary) backend.disposeData(t.dataId);
      return out;
    },
  });
  return true;
}

// The added kernel against a plain loop, on the two paddings the workloads use.
async function checkAddedKernel() {
  let worst = 0;
  for (const [pad, padding] of [['valid', 0], [2, 2]]) {
    const r = rng(7);
    const [n, h, w, ci, co, k] = [3, 9, 8, 2, 4, 5];
    const oh = h + 2 * padding - k + 1;
    const ow = w + 2 * padding - k + 1;
    const xs = fill(n * h * w * ci, r.normal);
    const dys = fill(n * oh * ow * co, r.normal);
    const x = tf.tensor(xs, [n, h, w, ci]);
    const dy = tf.tensor(dys, [n, oh, ow, co]);
    const out = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, {
      strides: [1, 1], pad, dataFormat: 'NHWC', dimRoundingMode: undefined, filterShape: [k, k, ci, co],
    });
    const values = await out.data();
    for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) for (let c = 0; c < ci; c++) for (let d = 0; d < co; d++) {
      let sum = 0;
      for (let m = 0; m < n; m++) for (let i = 0; i < oh; i++) for (let j = 0; j < ow; j++) {
        const row = i + a - padding;
        const col = j + b - padding;
        if (row < 0 || row >= h || col < 0 || col >= w) continue;
        sum += xs[((m * h + row) * w + col) * ci + c] * dys[((m * oh + i) * ow + j) * co + d];
      }
      worst = Math.max(worst, Math.abs(sum - values[((a * k + b) * ci + c) * co + d]));
    }
    tf.dispose([x, dy, out]);
  }
  return worst;
}

// ---------------------------------------------------------------------------------------------
// The page.

async function startBackend(backend) {
  const notes = [];
  if (backend === 'wasm') {
    tf.wasm.setWasmPaths(new URL('./', location.href).href);
    // One thread, SIMD: the page is not cross-origin isolated, so there are no wasm threads.
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    tf.wasm.setThreadsCount(1);
    if (registerWasmConv2DBackpropFilter()) notes.push('added kernel Conv2DBackpropFilter');
  }
  if (!(await tf.setBackend(backend))) throw new Error(`tf.setBackend('${backend}') failed`);
  await tf.ready();
  let adapter = '';
  if (backend === 'wasm') {
    const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    adapter = `${simd ? 'SIMD' : 'no SIMD'}, ${tf.wasm.getThreadsCount()} thread(s)`;
  } else if (backend === 'webgpu') {
    const a = await navigator.gpu.requestAdapter();
    const info = a && (a.info || {});
    adapter = info ? [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' ') : '';
  } else if (backend === 'webgl') {
    const gl = tf.backend().gpgpu.gl;
    const ext = gl.getExtension('WEBGL_debug_renderer_info');
    adapter = `WebGL ${tf.env().getNumber('WEBGL_VERSION')}, ${gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER)}`;
  } else {
    adapter = 'JavaScript';
  }
  return { adapter, notes };
}

function row(workload) {
  const tr = document.createElement('tr');
  tr.id = `bench-row-${workload}`;
  tr.innerHTML = `<td>${workload}</td><td class="first"></td><td class="median"></td><td class="note"></td>`;
  document.getElementById('bench-rows').append(tr);
  return tr;
}

function setState(state) {
  const el = document.getElementById('bench-state');
  el.dataset.state = state;
  el.textContent = state;
}

async function main() {
  const q = new URLSearchParams(location.search);
  const backend = q.get('backend') || 'wasm';
  const steps = Number(q.get('steps') || 20);
  const warmup = Number(q.get('warmup') || 3);
  const seed = Number(q.get('seed') || 1);
  const workloads = (q.get('w') || ALL_WORKLOADS.join(',')).split(',').filter(Boolean);
  const bench = {
    engine: 'tfjs',
    tfjs_version: tf.version.tfjs,
    backend,
    label: `tfjs-${backend}`,
    adapter: '',
    notes: [],
    steps,
    warmup,
    seed,
    user_agent: navigator.userAgent,
    results: [],
    error: null,
  };
  window.__bench = bench;
  const rows = Object.fromEntries(workloads.map((w) => [w, row(w)]));
  setState('running');
  try {
    const { adapter, notes } = await startBackend(backend);
    bench.adapter = adapter;
    bench.notes = notes;
    if (notes.length) {
      bench.label = `tfjs-${backend} + added kernel`;
      bench.kernel_check_max_error = await checkAddedKernel();
    }
    document.getElementById('backend-badge').textContent = `${bench.label} · ${adapter}`;
  } catch (e) {
    bench.error = String(e && e.message || e);
    document.getElementById('backend-badge').textContent = `tfjs-${backend} · ${bench.error}`;
    setState('failed');
    return;
  }
  for (const workload of workloads) {
    const tr = rows[workload];
    try {
      const result = await runWorkload(workload, seed, warmup, steps);
      bench.results.push(result);
      tr.dataset.firstMs = result.first_ms.toFixed(3);
      tr.dataset.medianMs = result.median_ms.toFixed(3);
      tr.querySelector('.first').textContent = result.first_ms.toFixed(1);
      tr.querySelector('.median').textContent = result.median_ms.toFixed(1);
    } catch (e) {
      const message = String(e && e.message || e);
      bench.results.push({ workload, error: message });
      tr.dataset.error = message;
      tr.querySelector('.note').textContent = message;
    }
  }
  bench.tensors_left = tf.memory().numTensors;
  setState('done');
}

main();
