// F = J·σ for dense J, register-tiled like a GEMM, fused with the step (or the energy terms).
//
// A workgroup of DENSE_WG_COLS × DENSE_WG_ROWS invocations computes a DENSE_TILE_ROWS ×
// DENSE_TILE_COLS block of F (rows of J × replica columns). The k-loop stages a
// DENSE_TILE_ROWS × DENSE_TILE_K tile of J and a DENSE_TILE_K × DENSE_TILE_COLS tile of σ in
// workgroup memory; each invocation accumulates a DENSE_REG_ROWS × DENSE_REG_COLS block in
// registers. The block is strided by the workgroup size (rows local.y + r·WG_ROWS, columns
// local.x + c·WG_COLS) so neighbouring invocations read neighbouring σ words in workgroup memory
// (no bank conflicts) and store neighbouring state words (coalesced). F never leaves registers:
// `consume` applies the step to each accumulated entry.
//
// The J block is row-major with info.j_stride words per row and zero padding up to whole tiles,
// so the tile loads need no bounds checks; padded σ rows are zero because padded state rows are
// never written.

const J_LOADS: u32 = DENSE_TILE_ROWS * DENSE_TILE_K / DENSE_WG_SIZE;
const SIGMA_LOADS: u32 = DENSE_TILE_K * DENSE_TILE_COLS / DENSE_WG_SIZE;

@group(0) @binding(7) var<storage, read> couplings: array<f32>;

var<workgroup> j_tile: array<f32, DENSE_TILE_ROWS * DENSE_TILE_K>;
var<workgroup> sigma_tile: array<f32, DENSE_TILE_K * DENSE_TILE_COLS>;

@compute @workgroup_size(DENSE_WG_COLS, DENSE_WG_ROWS)
fn main(
    @builtin(workgroup_id) group: vec3<u32>,
    @builtin(local_invocation_id) local: vec3<u32>,
    @builtin(local_invocation_index) lane: u32,
) {
    // First row of this tile within the block, first replica column.
    let row0 = group.y * DENSE_TILE_ROWS;
    let col0 = group.x * DENSE_TILE_COLS;
    var acc: array<f32, DENSE_REG_ROWS * DENSE_REG_COLS>;
    for (var k0 = 0u; k0 < info.j_stride; k0 += DENSE_TILE_K) {
        for (var q = 0u; q < J_LOADS; q++) {
            let e = lane + q * DENSE_WG_SIZE;
            j_tile[e] = couplings[(row0 + e / DENSE_TILE_K) * info.j_stride + k0 + e % DENSE_TILE_K];
        }
        for (var q = 0u; q < SIGMA_LOADS; q++) {
            let e = lane + q * DENSE_WG_SIZE;
            sigma_tile[e] = sigma_at(k0 + e / DENSE_TILE_COLS, col0 + e % DENSE_TILE_COLS);
        }
        workgroupBarrier();
        for (var kk = 0u; kk < DENSE_TILE_K; kk++) {
            var a: array<f32, DENSE_REG_ROWS>;
            var b: array<f32, DENSE_REG_COLS>;
            for (var r = 0u; r < DENSE_REG_ROWS; r++) {
                a[r] = j_tile[(local.y + r * DENSE_WG_ROWS) * DENSE_TILE_K + kk];
            }
            for (var c = 0u; c < DENSE_REG_COLS; c++) {
                b[c] = sigma_tile[kk * DENSE_TILE_COLS + local.x + c * DENSE_WG_COLS];
            }
            for (var r = 0u; r < DENSE_REG_ROWS; r++) {
                for (var c = 0u; c < DENSE_REG_COLS; c++) {
                    // Unfused multiply-add in k order: the CPU engine's CSR product rounds
                    // the same way, which makes the two comparable bit-for-bit in the tests;
                    // hardware compilers contract it into an FMA anyway.
                    acc[r * DENSE_REG_COLS + c] += a[r] * b[c];
                }
            }
        }
        workgroupBarrier();
    }
    let first_row = info.row_begin + row0;
    for (var r = 0u; r < DENSE_REG_ROWS; r++) {
        let i = first_row + local.y + r * DENSE_WG_ROWS;
        if i < info.row_end {
            for (var c = 0u; c < DENSE_REG_COLS; c++) {
                consume(i, col0 + local.x + c * DENSE_WG_COLS, acc[r * DENSE_REG_COLS + c]);
            }
        }
    }
    if first_row == 0u && local.y == 0u {
        for (var c = 0u; c < DENSE_REG_COLS; c++) {
            advance_annealing(col0 + local.x + c * DENSE_WG_COLS);
        }
    }
}
