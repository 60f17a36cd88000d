// After the energy pass: per replica, the energy (the sum of the terms the pass left in x_out)
// and the final σ, written replica-major (states[k * n + i]) as the host API wants it, then
// the final x after all of them (states[(stride + k) * n + i]), the amplitudes the readout uses. Runs once
// per batch, so one invocation per replica walking all variables is plenty.

@group(0) @binding(9) var<storage, read_write> states: array<f32>;
@group(0) @binding(10) var<storage, read_write> energies: array<f32>;

@compute @workgroup_size(FINISH_WG)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
    let k = id.x;
    var energy = 0.0;
    for (var i = 0u; i < info.n; i++) {
        energy += x_out[i * info.stride + k];
        let x = x_in[i * info.stride + k];
        states[k * info.n + i] = sigma(i, x);
        states[(info.stride + k) * info.n + i] = x;
    }
    energies[k] = energy;
}
