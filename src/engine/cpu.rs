//! The native CPU engine: f32 dynamics, replicas split into chunks run in parallel (rayon);
//! per chunk and iteration one product F = J·σ (GEMM for dense J, CSR for sparse J) followed
//! by the fused update.

use rayon::prelude::*;

use super::{step, Batch, BatchOutput, Couplings, DynamicsProblem, Engine, EngineInfo, ReplicaParams, THRESHOLD};

/// Replicas per chunk: large enough for GEMM efficiency, small enough to keep all cores busy.
const MAX_CHUNK: usize = 64;
const MIN_CHUNK: usize = 8;

pub struct CpuEngine {
    pool: rayon::ThreadPool,
    threads: usize,
    problem: Option<DynamicsProblem>,
}

impl CpuEngine {
    /// `threads = None` uses every core.
    pub fn new(threads: Option<usize>) -> anyhow::Result<Self> {
        let threads = threads.unwrap_or_else(crate::output::machine::available_cores).max(1);
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build()?;
        Ok(CpuEngine { pool, threads, problem: None })
    }

    fn chunk_size(&self, replicas: usize) -> usize {
        replicas.div_ceil(self.threads).clamp(MIN_CHUNK, MAX_CHUNK).min(replicas.max(1))
    }
}

impl Engine for CpuEngine {
    fn info(&self) -> EngineInfo {
        EngineInfo { kind: "cpu".into(), device: crate::output::machine::cpu_model(), threads: self.threads }
    }

    fn load(&mut self, problem: &DynamicsProblem) -> anyhow::Result<()> {
        self.problem = Some(problem.clone());
        Ok(())
    }

    fn run(&mut self, batch: &Batch) -> anyhow::Result<BatchOutput> {
        let problem = self.problem.as_ref().ok_or_else(|| anyhow::anyhow!("CPU engine: no problem loaded"))?;
        let n = problem.n;
        anyhow::ensure!(batch.initial.len() == n * batch.replicas(), "CPU engine: initial states must be replicas × n");
        let chunk = self.chunk_size(batch.replicas());
        let mut states = vec![0.0f32; batch.initial.len()];
        let mut energies = vec![0.0f64; batch.replicas()];
        self.pool.install(|| {
            states
                .par_chunks_mut(chunk * n)
                .zip(energies.par_chunks_mut(chunk))
                .zip(batch.initial.par_chunks(chunk * n).zip(batch.params.par_chunks(chunk)))
                .for_each(|((out, energy), (initial, params))| {
                    run_chunk(problem, params, initial, batch.iterations, batch.dt, out);
                    for (k, e) in energy.iter_mut().enumerate() {
                        *e = problem.energy(&out[k * n..(k + 1) * n]);
                    }
                });
        });
        Ok(BatchOutput { states, energies })
    }

    fn batch_size(&self) -> usize {
        // Spec §9.2 uses B = 100 on CPU; a multiple of the chunk per thread keeps cores even.
        (100usize).div_ceil(self.threads * MIN_CHUNK) * self.threads * MIN_CHUNK
    }
}

/// F = J·σ for a chunk stored variable-major (`v[i·c + k]`, c replicas).
fn product(problem: &DynamicsProblem, sigma: &[f32], feedback: &mut [f32], c: usize) {
    let n = problem.n;
    match &problem.couplings {
        Couplings::Dense(j) => unsafe {
            // SAFETY: j is n×n row-major, sigma and feedback are n×c row-major, as the strides say.
            matrixmultiply::sgemm(
                n, n, c, 1.0,
                j.as_ptr(), n as isize, 1,
                sigma.as_ptr(), c as isize, 1,
                0.0,
                feedback.as_mut_ptr(), c as isize, 1,
            );
        },
        Couplings::Sparse { row_ptr, cols, values } => {
            for (i, f) in feedback.chunks_exact_mut(c).enumerate() {
                f.fill(0.0);
                let range = row_ptr[i] as usize..row_ptr[i + 1] as usize;
                for (&col, &v) in cols[range.clone()].iter().zip(&values[range]) {
                    let s = &sigma[col as usize * c..(col as usize + 1) * c];
                    for (fk, &sk) in f.iter_mut().zip(s) {
                        *fk += v * sk;
                    }
                }
            }
        }
    }
}

/// σ = x with binaries thresholded (spec §2.3 step 1).
fn binarise(x: &[f32], sigma: &mut [f32], n_binary: usize, c: usize) {
    sigma.copy_from_slice(x);
    for s in &mut sigma[..n_binary * c] {
        *s = if *s > THRESHOLD { 1.0 } else { 0.0 };
    }
}

fn run_chunk(problem: &DynamicsProblem, params: &[ReplicaParams], initial: &[f32], iterations: u32, dt: f32, out: &mut [f32]) {
    let (n, c) = (problem.n, params.len());
    // Variable-major layout inside the chunk: x[i·c + k].
    let mut x = vec![0.0f32; n * c];
    for k in 0..c {
        for i in 0..n {
            x[i * c + k] = initial[k * n + i];
        }
    }
    let mut y = vec![0.0f32; n * c];
    let mut sigma = vec![0.0f32; n * c];
    let mut feedback = vec![0.0f32; n * c];
    let dt_gradient: Vec<f32> = params.iter().map(|p| dt * p.gradient).collect();
    let decrement: Vec<f32> = params.iter().map(|p| p.annealing / iterations.max(1) as f32).collect();
    let mut annealing: Vec<f32> = params.iter().map(|p| p.annealing).collect();
    for _ in 0..iterations {
        binarise(&x, &mut sigma, problem.n_binary, c);
        product(problem, &sigma, &mut feedback, c);
        let dt_annealing: Vec<f32> = annealing.iter().map(|a| dt * a).collect();
        for i in 0..n {
            let h = problem.h[i];
            let row = i * c..(i + 1) * c;
            for (k, ((xi, yi), &f)) in x[row.clone()].iter_mut().zip(&mut y[row.clone()]).zip(&feedback[row]).enumerate() {
                (*xi, *yi) = step(*xi, *yi, f, h, dt_gradient[k], dt_annealing[k], params[k].momentum);
            }
        }
        for (a, d) in annealing.iter_mut().zip(&decrement) {
            *a = (*a - d).max(0.0);
        }
    }
    binarise(&x, &mut sigma, problem.n_binary, c);
    for k in 0..c {
        for i in 0..n {
            out[k * n + i] = sigma[i * c + k];
        }
    }
}
