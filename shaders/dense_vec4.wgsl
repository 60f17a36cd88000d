// F = J·σ for dense J, the second dense kernel (AOCBENCH_DENSE_KERNEL=vec4): dense.wgsl's
// workgroup geometry, tiles and k order, so the plan and the results are the same, with the
// operands of each invocation made contiguous for 128-bit workgroup-memory reads.
//
// Invocation (local.x, local.y) owns the DENSE_REG_ROWS × DENSE_REG_COLS (4 × 4) block of F at
// rows 4·local.y.. and columns 4·local.x.. of the tile. J is staged transposed (k-major), so an
// invocation's four J words for one k are one vec4; σ is staged k-major too, its four columns one
// vec4. Per k: 2 vec4 workgroup loads for 16 multiply-adds (dense.wgsl: 8 scalar loads). The
// register block is four vec4 accumulators indexed by constants only, and the k-step is written
// out, so there is no inner loop, no function-memory array and no bounds check on them for the
// driver to keep.
//
// The J block is row-major with info.j_stride words per row and zero padding up to whole tiles,
// as for dense.wgsl.

const J_LOADS: u32 = DENSE_TILE_ROWS * DENSE_TILE_K / DENSE_WG_SIZE;
const SIGMA_LOADS: u32 = DENSE_TILE_K * DENSE_TILE_COLS / DENSE_WG_SIZE;
// vec4s per k in each tile.
const J_QUADS: u32 = DENSE_TILE_ROWS / 4u;
const SIGMA_QUADS: u32 = DENSE_TILE_COLS / 4u;

@group(0) @binding(7) var<storage, read> couplings: array<f32>;

var<workgroup> j_tile: array<vec4<f32>, DENSE_TILE_K * J_QUADS>;
var<workgroup> sigma_tile: array<vec4<f32>, DENSE_TILE_K * SIGMA_QUADS>;

@compute @workgroup_size(DENSE_WG_COLS, DENSE_WG_ROWS)
fn main(
    @builtin(workgroup_id) group: vec3<u32>,
    @builtin(local_invocation_id) local: vec3<u32>,
    @builtin(local_invocation_index) lane: u32,
) {
    let row0 = group.y * DENSE_TILE_ROWS;
    let col0 = group.x * DENSE_TILE_COLS;
    var acc0 = vec4<f32>(0.0);
    var acc1 = vec4<f32>(0.0);
    var acc2 = vec4<f32>(0.0);
    var acc3 = vec4<f32>(0.0);
    for (var k0 = 0u; k0 < info.j_stride; k0 += DENSE_TILE_K) {
        // Global reads run along k (J's rows), as in dense.wgsl; the tile is stored k-major.
        for (var q = 0u; q < J_LOADS; q++) {
            let e = lane + q * DENSE_WG_SIZE;
            let row = e / DENSE_TILE_K;
            let kk = e % DENSE_TILE_K;
            j_tile[kk * J_QUADS + row / 4u][row % 4u] = couplings[(row0 + row) * info.j_stride + k0 + kk];
        }
        for (var q = 0u; q < SIGMA_LOADS; q++) {
            let e = lane + q * DENSE_WG_SIZE;
            let kk = e / DENSE_TILE_COLS;
            let col = e % DENSE_TILE_COLS;
            sigma_tile[kk * SIGMA_QUADS + col / 4u][col % 4u] = sigma_at(k0 + kk, col0 + col);
        }
        workgroupBarrier();
        for (var kk = 0u; kk < DENSE_TILE_K; kk++) {
            let a = j_tile[kk * J_QUADS + local.y];
            let b = sigma_tile[kk * SIGMA_QUADS + local.x];
            // Unfused multiply-adds in k order, as dense.wgsl and the CPU's CSR product round.
            acc0 += a.x * b;
            acc1 += a.y * b;
            acc2 += a.z * b;
            acc3 += a.w * b;
        }
        workgroupBarrier();
    }
    var acc = array<vec4<f32>, 4>(acc0, acc1, acc2, acc3);
    let first_row = info.row_begin + row0;
    let first_col = col0 + local.x * DENSE_REG_COLS;
    for (var r = 0u; r < DENSE_REG_ROWS; r++) {
        let i = first_row + local.y * DENSE_REG_ROWS + r;
        if i < info.row_end {
            for (var c = 0u; c < DENSE_REG_COLS; c++) {
                consume(i, first_col + c, acc[r][c]);
            }
        }
    }
    if first_row == 0u && local.y == 0u {
        for (var c = 0u; c < DENSE_REG_COLS; c++) {
            advance_annealing(first_col + c);
        }
    }
}
