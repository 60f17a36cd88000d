// AOC-DT kernels: what every pass shares. Prepended to each kernel at load time, after the
// constants generated from Rust (src/engine/gpu/shaders.rs: BIAS, THRESHOLD, tile geometry).
//
// State layout, variable-major: entry (variable i, replica k) lives at i * info.stride + k, so
// neighbouring invocations (neighbouring replicas) touch neighbouring words.
//
// Ping-pong: a step reads x_in and writes x_out. y (the momentum memory, x of the previous
// iteration) is not stored: before the step overwrites it, x_out still holds the previous
// iteration's x, which is exactly y (and zero before the first iteration). The annealing α is
// ping-ponged the same way, decremented by subtraction like the CPU engine (spec §2.3 step 8).
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
    _pad0: u32,
    _pad1: u32,
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
@group(0) @binding(5) var<storage, read> alpha_in: array<f32>;
@group(0) @binding(6) var<storage, read_write> alpha_out: array<f32>;
// Bindings 7 and up: the couplings, declared by the product kernel.

// σ (spec §2.3 step 1): binaries (the first n_binary variables) thresholded, the rest as is.
fn sigma(i: u32, x: f32) -> f32 {
    if i < info.n_binary {
        return select(0.0, 1.0, x > THRESHOLD);
    }
    return x;
}

// σ of state entry (i, k), as the product reads it.
fn sigma_at(i: u32, k: u32) -> f32 {
    return sigma(i, x_in[i * info.stride + k]);
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
    let dt_annealing = p.dt * alpha_in[k];
    var next = x + ((p.dt_gradient * f - dt_annealing * (x - BIAS)) + p.momentum * (x - y));
    next = next + p.dt_gradient * field[i];
    x_out[at] = clamp(next, 0.0, 1.0);
}

// α_k ← max(α_k − δ_k, 0) after the step; called once per replica and iteration, by the
// invocations of the first row of the first coupling block.
fn advance_annealing(k: u32) {
    if !ENERGY_PASS {
        alpha_out[k] = max(alpha_in[k] - replicas[k].decrement, 0.0);
    }
}
