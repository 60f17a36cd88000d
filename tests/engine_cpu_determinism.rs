//! The CPU engine gives the same bits whatever the thread count, and whichever chunk a replica
//! lands in: the benchmark's regression gate compares runs under a fixed seed bit for bit.

use aocbench::engine::{Batch, BatchOutput, CpuEngine, DynamicsProblem, Engine, Precision, ProductForm, ReplicaParams};
use aocbench::model::random::{random_instance, RandomSpec};
use aocbench::model::Sense;
use aocbench::qumo::QumoModel;
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

/// A dense problem with the perf benchmark's random symmetric J (spectral radius about 1), a
/// field and a few slack rows.
fn random_dense(n: usize, seed: u64) -> DynamicsProblem {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let problem = aocbench::perf::Workload::dense(n, seed).problem;
    DynamicsProblem { n_binary: n - n / 10, h: (0..n).map(|_| rng.random_range(-0.1..0.1)).collect(), ..problem }
}

/// A random instance's QUMO with J in CSR or factored.
fn random_stored(form: ProductForm, seed: u64) -> DynamicsProblem {
    let instance = random_instance(RandomSpec { n: 60, rows: [2, 2, 1, 1], density: 0.05, sense: Sense::Minimize }, seed);
    let model = QumoModel::new(&instance).unwrap();
    DynamicsProblem::from_qumo(&model.build(&model.initial_weights(1.0)), Some(form))
}

struct Inputs {
    params: Vec<ReplicaParams>,
    initial: Vec<f32>,
}

fn random_inputs(n: usize, replicas: usize, seed: u64) -> Inputs {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let params = (0..replicas)
        .map(|_| ReplicaParams { annealing: rng.random_range(0.01..10.0), gradient: rng.random_range(0.01..1.0), momentum: rng.random_range(0.95..0.99) })
        .collect();
    let amplitude = 1.0 / (n as f32).sqrt();
    let initial = (0..replicas * n).map(|_| rng.random_range(-amplitude..amplitude)).collect();
    Inputs { params, initial }
}

fn run(problem: &DynamicsProblem, inputs: &Inputs, iterations: u32, threads: usize) -> BatchOutput {
    let mut engine = CpuEngine::new(Some(threads), Precision::F32).unwrap();
    engine.load(problem).unwrap();
    engine.run(&Batch { params: &inputs.params, initial: &inputs.initial, iterations, dt: 0.5, noise_seed: 0 }).unwrap()
}

fn bits(output: &BatchOutput) -> (Vec<u32>, Vec<u64>) {
    (output.states.iter().map(|v| v.to_bits()).collect(), output.energies.iter().map(|v| v.to_bits()).collect())
}

/// Same batch on 1, 2 and 3 threads: identical states and energies, and the energies equal
/// `DynamicsProblem::energy` of the states exactly.
fn assert_thread_independent(problem: &DynamicsProblem, replicas: usize, iterations: u32) {
    let inputs = random_inputs(problem.n, replicas, 7);
    let one = run(problem, &inputs, iterations, 1);
    for threads in [2, 3] {
        assert!(bits(&run(problem, &inputs, iterations, threads)) == bits(&one), "n = {}: {threads} threads differ from 1", problem.n);
    }
    for (state, &energy) in one.states.chunks_exact(problem.n).zip(&one.energies) {
        assert_eq!(energy, problem.energy(state));
    }
    // Not a degenerate run: the states moved off the thresholds and differ between replicas.
    assert!(one.states.chunks_exact(problem.n).any(|s| s != &one.states[..problem.n]));
}

#[test]
fn chunked_dense_batches_do_not_depend_on_the_thread_count() {
    // J of 100² floats runs as balanced chunks side by side: 130 replicas → 43, 43, 44.
    assert_thread_independent(&random_dense(100, 1), 130, 60);
}

#[test]
fn whole_batch_dense_runs_do_not_depend_on_the_thread_count() {
    // J of 800² floats (2.4 MiB) runs as one chunk with multi-threaded products.
    assert_thread_independent(&random_dense(800, 2), 40, 8);
}

#[test]
fn sparse_and_factored_batches_do_not_depend_on_the_thread_count() {
    assert_thread_independent(&random_stored(ProductForm::Sparse, 3), 70, 60);
    assert_thread_independent(&random_stored(ProductForm::Factored, 4), 70, 60);
}

/// Reversing the batch moves every replica into another chunk, at another position and in a
/// chunk of another size; each replica must still get the same bits.
#[test]
fn a_replica_gets_the_same_bits_in_any_chunk() {
    for problem in [random_dense(100, 4), random_dense(800, 5), random_stored(ProductForm::Sparse, 6), random_stored(ProductForm::Factored, 7)] {
        let (n, replicas) = (problem.n, 130);
        let inputs = random_inputs(n, replicas, 8);
        let reversed = Inputs {
            params: inputs.params.iter().rev().copied().collect(),
            initial: inputs.initial.chunks_exact(n).rev().flatten().copied().collect(),
        };
        let (forward, backward) = (run(&problem, &inputs, 30, 2), run(&problem, &reversed, 30, 2));
        for k in 0..replicas {
            let back = replicas - 1 - k;
            assert!(forward.states[k * n..(k + 1) * n] == backward.states[back * n..(back + 1) * n], "n = {n}: replica {k} changed with its chunk");
            assert_eq!(forward.energies[k].to_bits(), backward.energies[back].to_bits());
        }
    }
}
