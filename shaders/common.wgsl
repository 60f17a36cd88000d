// AOC-DT kernels: what every pass shares. Prepended to each kernel at load time, after the
// constants generated from Rust (src/engine/gpu/shaders.rs: BIAS, THRESHOLD, tile geometry).
//
// State layout, variable-major: entry (variable i, replica k) lives at i * info.stride + k, so
// neighbouring invocations (neighbouring replicas) touch neighbouring words.
//
// Ping-pong: a step reads x_in and writes x_out. y (the momentum memory, x of the previous
// iteration) is not stored: before the step overwrites it, x_out still holds the previous
// iteration's x, which is exactly y (and zero before the first iteration). The annealing α is
// ping-ponged the same way, decremented by subtraction like the CPU engine (spec §2.3 step 8),
// and under a hardware model with noise so is each replica's noise key (src/hardware/noise.rs),
// kept after the α of all replicas in the same buffers (as bits: the buffers hold u32).
// For factored J the state buffers have a row per activity after the n rows of x; the activity
// pass writes them into x_out just before the step reads them (shaders/sparse.wgsl).

struct Info {
    n: u32,
    n_binary: u32,
    // Replica columns per state row (the sub-batch width, a multiple of COLUMN_ALIGN).
    stride: u32,
    // The coupling block this dispatch multiplies: rows [row_begin, row_end) of J (in the
    // activity pass of factored J, of its rows C).
    row_begin: u32,
    row_end: u32,
    // Dense: words per row of the J block (n rounded up to DENSE_TILE_K); otherwise unused.
    j_stride: u32,
    // Hardware model (src/hardware): one noise count's worth of the product (0: no noise), and
    // whether binaries feed back through the soft threshold with the calibrated curve
    // T(z) = d·u/(1 + |u|^c)^(1/c) + f + g·z, u = a·z + b, over the input range ±tanh_range.
    noise_scale: f32,
    soft_threshold: u32,
    tanh_a: f32,
    tanh_b: f32,
    tanh_c: f32,
    tanh_d: f32,
    tanh_f: f32,
    tanh_g: f32,
    tanh_range: f32,
    _pad: u32,
}

// Per replica (batch-wide dt included, so the uniforms stay fixed from batch to batch).
struct Replica {
    dt_gradient: f32,
    // δ = α0 / iterations.
    decrement: f32,
    momentum: f32,
    dt: f32,
}

// The second pass: instead of a step, write the energy terms σ_i(−½(Jσ)_i − h_i) into x_out.
override ENERGY_PASS: bool = false;

@group(0) @binding(0) var<uniform> info: Info;
@group(0) @binding(1) var<storage, read> replicas: array<Replica>;
@group(0) @binding(2) var<storage, read> field: array<f32>;
@group(0) @binding(3) var<storage, read> x_in: array<f32>;
@group(0) @binding(4) var<storage, read_write> x_out: array<f32>;
@group(0) @binding(5) var<storage, read> alpha_in: array<u32>;
@group(0) @binding(6) var<storage, read_write> alpha_out: array<u32>;
// Bindings 7 and up: the couplings, declared by the product kernel.

// σ (spec §2.3 step 1): binaries (the first n_binary variables) thresholded, the rest as is.
fn sigma(i: u32, x: f32) -> f32 {
    if i < info.n_binary {
        return select(0.0, 1.0, x > THRESHOLD);
    }
    return x;
}

// The machine's feedback of a binary's state x (hardware::SoftThreshold::feedback, in f32).
fn soft_threshold(x: f32) -> f32 {
    let z = info.tanh_range * (2.0 * x - 1.0);
    let u = info.tanh_a * z + info.tanh_b;
    let power = select(pow(abs(u), info.tanh_c), 0.0, u == 0.0);
    let curve = u / pow(1.0 + power, 1.0 / info.tanh_c) + (info.tanh_f + info.tanh_g * z) / info.tanh_d;
    return 0.5 + 0.5 * curve;
}

// σ of state entry (i, k), as the product reads it: through the soft threshold under a hardware
// model that has it, except in the energy pass, which scores the σ the host reads out.
fn sigma_at(i: u32, k: u32) -> f32 {
    let x = x_in[i * info.stride + k];
    if !ENERGY_PASS && info.soft_threshold != 0u && i < info.n_binary {
        return soft_threshold(x);
    }
    return sigma(i, x);
}

// The hash and Irwin–Hall draw of src/hardware/noise.rs (mix, next_key, noise_counts).
fn mix(v: u32) -> u32 {
    var x = v;
    x ^= x >> 16u;
    x *= 0x7feb352du;
    x ^= x >> 15u;
    x *= 0x846ca68bu;
    return x ^ (x >> 16u);
}

fn noise_counts(key: u32, row: u32) -> f32 {
    let low = mix(key ^ (row * 2u));
    let high = mix(key ^ (row * 2u + 1u));
    let sum = (low & 0xffffu) + (low >> 16u) + (high & 0xffffu) + (high >> 16u);
    return f32(i32(sum) - 131070);
}

// Consumes f = (Jσ)_i for entry (i, k): one AOC-DT step (spec §2.3 steps 3–7, evaluated in the
// order of engine::step), or in the energy pass the entry's energy term.
fn consume(i: u32, k: u32, f: f32) {
    let at = i * info.stride + k;
    let x = x_in[at];
    if ENERGY_PASS {
        x_out[at] = sigma(i, x) * (-0.5 * f - field[i]);
        return;
    }
    let y = x_out[at];
    let p = replicas[k];
    let dt_annealing = p.dt * bitcast<f32>(alpha_in[k]);
    var feedback = f;
    if info.noise_scale != 0.0 {
        feedback = f + noise_counts(alpha_in[info.stride + k], i) * info.noise_scale;
    }
    var next = x + ((p.dt_gradient * feedback - dt_annealing * (x - BIAS)) + p.momentum * (x - y));
    next = next + p.dt_gradient * field[i];
    x_out[at] = clamp(next, 0.0, 1.0);
}

// α_k ← max(α_k − δ_k, 0) after the step, and the next noise key; called once per replica and
// iteration, by the invocations of the first row of the first coupling block.
fn advance_annealing(k: u32) {
    if !ENERGY_PASS {
        alpha_out[k] = bitcast<u32>(max(bitcast<f32>(alpha_in[k]) - replicas[k].decrement, 0.0));
        if info.noise_scale != 0.0 {
            alpha_out[info.stride + k] = mix(alpha_in[info.stride + k] ^ 0x9e3779b9u);
        }
    }
}
