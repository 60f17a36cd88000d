//! The WGSL kernels, compiled into the binary. Each kernel is assembled at load time from a
//! generated prelude (the constants below, so Rust and WGSL share one definition), the shared
//! `common.wgsl` (bindings, σ, the update) and the kernel's own file.

use crate::engine::{BIAS, THRESHOLD};

/// Dense kernel: invocations per workgroup along replica columns and along J rows.
pub(crate) const DENSE_WG_COLS: u32 = 16;
pub(crate) const DENSE_WG_ROWS: u32 = 16;
/// Dense kernel: each invocation's register block (rows × columns of F).
const DENSE_REG_ROWS: u32 = 4;
const DENSE_REG_COLS: u32 = 4;
/// Dense kernel: depth of the J and σ tiles staged in workgroup memory per k-step.
pub(crate) const DENSE_TILE_K: u32 = 16;
pub(crate) const DENSE_TILE_ROWS: u32 = DENSE_WG_ROWS * DENSE_REG_ROWS;
pub(crate) const DENSE_TILE_COLS: u32 = DENSE_WG_COLS * DENSE_REG_COLS;
/// Dense kernel: invocations and workgroup memory per workgroup (the device must allow them).
pub(crate) const DENSE_WG_SIZE: u32 = DENSE_WG_COLS * DENSE_WG_ROWS;
/// Dense kernels: the workgroup memory the larger one needs (the device must allow it):
/// dense_block8.wgsl holds two J and two σ tiles.
pub(crate) const DENSE_WORKGROUP_BYTES: u32 = 2 * (DENSE_TILE_ROWS + DENSE_TILE_COLS) * DENSE_TILE_K * 4;

/// The second dense kernel (dense_block8.wgsl): invocations per side of its square workgroup,
/// and the side of each invocation's register block, on the same tiles.
const DENSE_BLOCK8_WG: u32 = 8;
const DENSE_BLOCK8_REG: u32 = DENSE_TILE_ROWS / DENSE_BLOCK8_WG;
/// Its vec4 reads of J per invocation and k-step (one per 4 words of a row), and its σ reads.
const DENSE_BLOCK8_J_LOADS: u32 = DENSE_TILE_ROWS * DENSE_TILE_K / 4 / (DENSE_BLOCK8_WG * DENSE_BLOCK8_WG);
const DENSE_BLOCK8_SIGMA_LOADS: u32 = DENSE_TILE_K * DENSE_TILE_COLS / (DENSE_BLOCK8_WG * DENSE_BLOCK8_WG);

/// Sparse kernel: invocations per workgroup along replica columns and along J rows.
pub(crate) const SPARSE_WG_COLS: u32 = 64;
pub(crate) const SPARSE_WG_ROWS: u32 = 4;

/// Finish kernel: replicas per workgroup.
pub(crate) const FINISH_WG: u32 = 64;

/// Sub-batch widths (replica columns of the state) are multiples of this, so every kernel covers
/// them with whole workgroups and needs no column bounds checks.
pub(crate) const COLUMN_ALIGN: u32 = 64;

const _: () = {
    assert!(COLUMN_ALIGN % DENSE_TILE_COLS == 0 && COLUMN_ALIGN % SPARSE_WG_COLS == 0 && COLUMN_ALIGN % FINISH_WG == 0);
    // Each invocation loads whole J and σ tile words.
    assert!(DENSE_TILE_ROWS * DENSE_TILE_K % DENSE_WG_SIZE == 0 && DENSE_TILE_K * DENSE_TILE_COLS % DENSE_WG_SIZE == 0);
    // dense_block8.wgsl: 8 × 8 blocks of square tiles; its staging maps invocation `lane` to
    // row lane / 4 + 16·q and k-quad lane % 4 of J (4 vec4 per 16-word row segment, 64 lanes),
    // σ's column to lane; its swizzle quad ^ 2·(k / 4) stays within the 16 quads of a k.
    assert!(DENSE_TILE_ROWS == DENSE_TILE_COLS && DENSE_BLOCK8_REG == 8 && DENSE_TILE_K == 16);
    assert!(DENSE_BLOCK8_WG * DENSE_BLOCK8_WG == DENSE_TILE_COLS && DENSE_TILE_ROWS / 4 == 16);
};

const COMMON: &str = include_str!("../../../shaders/common.wgsl");

/// One compute kernel: its file under `shaders/` and entry point `main`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kernel {
    Dense,
    /// The second dense kernel: the same tiles, an 8 × 8 block per invocation, vec4 reads,
    /// double-buffered k-steps.
    DenseBlock8,
    Sparse,
    Finish,
}

/// Environment variable choosing the dense kernel: `tiled` (default) or `block8`.
pub const DENSE_KERNEL_ENV: &str = "AOCBENCH_DENSE_KERNEL";

/// The dense kernels, both compiled in. `Tiled` (shaders/dense.wgsl) stays the default until a
/// GPU has measured both (scripts/gpu_check.sh runs both).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum DenseKernel {
    #[default]
    Tiled,
    Block8,
}

impl DenseKernel {
    /// The kernel `$AOCBENCH_DENSE_KERNEL` names, the default when it is unset or empty.
    /// Errors: any other value than `tiled` or `block8`.
    pub fn from_env() -> anyhow::Result<DenseKernel> {
        let value = std::env::var(DENSE_KERNEL_ENV).unwrap_or_default();
        if value.is_empty() {
            return Ok(DenseKernel::default());
        }
        [DenseKernel::Tiled, DenseKernel::Block8].into_iter().find(|kernel| kernel.name() == value).ok_or_else(|| {
            anyhow::anyhow!("{DENSE_KERNEL_ENV}={value:?}: the dense kernels are `tiled` (shaders/dense.wgsl) and `block8` (shaders/dense_block8.wgsl)")
        })
    }

    /// The name `$AOCBENCH_DENSE_KERNEL`, reports and perf's `kernel` column give it.
    pub fn name(self) -> &'static str {
        match self {
            DenseKernel::Tiled => "tiled",
            DenseKernel::Block8 => "block8",
        }
    }

    pub fn kernel(self) -> Kernel {
        match self {
            DenseKernel::Tiled => Kernel::Dense,
            DenseKernel::Block8 => Kernel::DenseBlock8,
        }
    }
}

/// As its [`DenseKernel::name`].
impl serde::Serialize for DenseKernel {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

impl Kernel {
    pub const ALL: [Kernel; 4] = [Kernel::Dense, Kernel::DenseBlock8, Kernel::Sparse, Kernel::Finish];

    /// The kernel's own file under `shaders/`.
    pub fn file(self) -> &'static str {
        match self {
            Kernel::Dense => "dense.wgsl",
            Kernel::DenseBlock8 => "dense_block8.wgsl",
            Kernel::Sparse => "sparse.wgsl",
            Kernel::Finish => "finish.wgsl",
        }
    }

    /// Every file under `shaders/` the assembled source is made of.
    pub fn files(self) -> [&'static str; 2] {
        ["common.wgsl", self.file()]
    }

    fn body(self) -> String {
        match self {
            Kernel::Dense => include_str!("../../../shaders/dense.wgsl").into(),
            Kernel::DenseBlock8 => expand(include_str!("../../../shaders/dense_block8.wgsl"), block8_part),
            Kernel::Sparse => include_str!("../../../shaders/sparse.wgsl").into(),
            Kernel::Finish => include_str!("../../../shaders/finish.wgsl").into(),
        }
    }

    /// The complete WGSL module, as the engine compiles it.
    pub fn source(self) -> String {
        format!("{}\n{COMMON}\n{}", prelude(), self.body())
    }

    /// Whether the engine compiles the kernel without wgpu's runtime checks (bounds clamps on
    /// every array index, a guard on every loop): only where the kernel's own indices are
    /// in bounds by construction of the plan, and its loops end.
    pub fn trusted(self) -> bool {
        self == Kernel::DenseBlock8
    }
}

/// `template` with each line `// @name` replaced by `part(name)`'s lines, at its indentation.
fn expand(template: &str, part: fn(&str) -> Vec<String>) -> String {
    let mut out = String::new();
    for line in template.lines() {
        let trimmed = line.trim_start();
        match trimmed.strip_prefix("// @") {
            Some(name) => {
                let indent = &line[..line.len() - trimmed.len()];
                for generated in part(name) {
                    out += &format!("{indent}{generated}\n");
                }
            }
            None => out += &format!("{line}\n"),
        }
    }
    out
}

const COMPONENTS: [char; 4] = ['x', 'y', 'z', 'w'];

/// The straight-line parts of dense_block8.wgsl (see its comments for the layout).
fn block8_part(name: &str) -> Vec<String> {
    let rows = 0..DENSE_BLOCK8_REG;
    // Accumulator of rows r and columns 4·h.. of the block.
    let acc = |r: u32, h: u32| format!("acc_{r}_{h}");
    match name {
        "accumulators" => rows.flat_map(|r| (0..2).map(move |h| format!("var {} = vec4<f32>(0.0);", acc(r, h)))).collect(),
        "registers" => (0..DENSE_BLOCK8_J_LOADS)
            .map(|q| format!("var j_next_{q}: vec4<f32>;"))
            .chain((0..DENSE_BLOCK8_SIGMA_LOADS).map(|q| format!("var sigma_next_{q}: f32;")))
            .collect(),
        "prefetch" => (0..DENSE_BLOCK8_J_LOADS)
            .map(|q| format!("j_next_{q} = couplings[(j_load_row + {}u) * j_row_quads + k0 / 4u + j_load_quad];", 16 * q))
            .chain((0..DENSE_BLOCK8_SIGMA_LOADS).map(|q| format!("sigma_next_{q} = sigma_at(k0 + {q}u, col0 + lane);")))
            .collect(),
        "stage" => (0..DENSE_BLOCK8_J_LOADS)
            .flat_map(|q| {
                COMPONENTS.iter().enumerate().map(move |(c, x)| {
                    format!("j_tiles[write + j_store + {}u + ((j_store_quad + {}u) ^ j_swizzle)][j_store_component] = j_next_{q}.{x};", 16 * c, 4 * q)
                })
            })
            .chain((0..DENSE_BLOCK8_SIGMA_LOADS).map(|q| format!("sigma_tiles[write + {}u + sigma_store][sigma_store_component] = sigma_next_{q};", 16 * q)))
            .collect(),
        "k_step" => (0..DENSE_TILE_K)
            .flat_map(|k| {
                let at = 16 * k;
                let swizzle = 2 * (k / 4);
                let mut step = vec![
                    format!("// k0 + {k}: unfused multiply-adds in k order, as dense.wgsl and the CPU's CSR product round."),
                    format!("let a_{k}_0 = j_tiles[read + {at}u + (j_read_quad ^ {swizzle}u)];"),
                    format!("let a_{k}_1 = j_tiles[read + {at}u + (j_read_quad ^ {swizzle}u) + 1u];"),
                    format!("let b_{k}_0 = sigma_tiles[read + {at}u + sigma_read_quad];"),
                    format!("let b_{k}_1 = sigma_tiles[read + {at}u + sigma_read_quad + 1u];"),
                ];
                for r in 0..DENSE_BLOCK8_REG {
                    let a = format!("a_{k}_{}.{}", r / 4, COMPONENTS[r as usize % 4]);
                    step.extend((0..2).map(|h| format!("{} += {a} * b_{k}_{h};", acc(r, h))));
                }
                step
            })
            .collect(),
        "results" => {
            let all: Vec<String> = rows.flat_map(|r| (0..2).map(move |h| acc(r, h))).collect();
            vec![format!("var results = array<vec4<f32>, {}>({});", all.len(), all.join(", "))]
        }
        other => panic!("shaders/dense_block8.wgsl: no generated part `{other}`"),
    }
}

fn prelude() -> String {
    let mut out = String::from("// Generated by src/engine/gpu/shaders.rs.\n");
    for (name, value) in [("BIAS", BIAS), ("THRESHOLD", THRESHOLD)] {
        out += &format!("const {name}: f32 = {value:?};\n");
    }
    for (name, value) in [
        ("DENSE_WG_COLS", DENSE_WG_COLS),
        ("DENSE_WG_ROWS", DENSE_WG_ROWS),
        ("DENSE_REG_ROWS", DENSE_REG_ROWS),
        ("DENSE_REG_COLS", DENSE_REG_COLS),
        ("DENSE_TILE_K", DENSE_TILE_K),
        ("DENSE_TILE_ROWS", DENSE_TILE_ROWS),
        ("DENSE_TILE_COLS", DENSE_TILE_COLS),
        ("DENSE_WG_SIZE", DENSE_WG_SIZE),
        ("DENSE_BLOCK8_WG", DENSE_BLOCK8_WG),
        ("DENSE_BLOCK8_REG", DENSE_BLOCK8_REG),
        ("SPARSE_WG_COLS", SPARSE_WG_COLS),
        ("SPARSE_WG_ROWS", SPARSE_WG_ROWS),
        ("FINISH_WG", FINISH_WG),
    ] {
        out += &format!("const {name}: u32 = {value}u;\n");
    }
    out
}
