// F = J·σ for CSR J, fused with the step (or the energy terms). One invocation per (row, replica):
// the invocations of a row walk the same CSR entries (broadcast loads) and read σ of neighbouring
// replicas (coalesced loads), accumulating in CSR order like the CPU engine.

// The block's CSR: row_ptr is rebased to the block (row_ptr[0] = 0, one entry per block row plus
// one); each entry packs (column, bit pattern of the f32 value).
@group(0) @binding(7) var<storage, read> row_ptr: array<u32>;
@group(0) @binding(8) var<storage, read> entries: array<vec2<u32>>;

@compute @workgroup_size(SPARSE_WG_COLS, SPARSE_WG_ROWS)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
    let k = id.x;
    let i = info.row_begin + id.y;
    if i < info.row_end {
        var f = 0.0;
        for (var p = row_ptr[id.y]; p < row_ptr[id.y + 1u]; p++) {
            let entry = entries[p];
            f += bitcast<f32>(entry.y) * sigma_at(entry.x, k);
        }
        consume(i, k, f);
    }
    if i == 0u {
        advance_annealing(k);
    }
}
