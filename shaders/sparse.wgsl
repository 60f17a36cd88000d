// F = J·σ for CSR J, fused with the step (or the energy terms). One invocation per (row, replica):
// the invocations of a row walk the same CSR entries (broadcast loads) and read σ of neighbouring
// replicas (coalesced loads), accumulating in CSR order like the CPU engine.
//
// Factored J (src/engine/dynamics.rs) runs this kernel twice per iteration: the activity pass
// multiplies σ by its `rows` and leaves the activities u in x_out's rows n.. (rows no step
// writes); the step then multiplies [σ; u] by its `couplings`, whose columns n + r are u_r.

// Factored J's step: columns from info.n on are activities, read from x_out.
override FACTORED: bool = false;
// Factored J's activity pass: row i of the product is stored as activity i, with no step.
override ACTIVITY_PASS: bool = false;

// The block's CSR: row_ptr is rebased to the block (row_ptr[0] = 0, one entry per block row plus
// one); each entry packs (column, bit pattern of the f32 value).
@group(0) @binding(7) var<storage, read> row_ptr: array<u32>;
@group(0) @binding(8) var<storage, read> entries: array<vec2<u32>>;

// Column j of the product's operand for replica k.
fn operand(j: u32, k: u32) -> f32 {
    if FACTORED && j >= info.n {
        return x_out[j * info.stride + k];
    }
    return sigma_at(j, k);
}

@compute @workgroup_size(SPARSE_WG_COLS, SPARSE_WG_ROWS)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
    let k = id.x;
    let i = info.row_begin + id.y;
    if i < info.row_end {
        var f = 0.0;
        for (var p = row_ptr[id.y]; p < row_ptr[id.y + 1u]; p++) {
            let entry = entries[p];
            f += bitcast<f32>(entry.y) * operand(entry.x, k);
        }
        if ACTIVITY_PASS {
            x_out[(info.n + i) * info.stride + k] = f;
        } else {
            consume(i, k, f);
        }
    }
    if i == 0u && !ACTIVITY_PASS {
        advance_annealing(k);
    }
}
