//! What the host and the WGSL kernels agree on: the binding numbers and the buffers each bind
//! group layout binds (mirroring the declarations in shaders/common.wgsl and the kernels), and
//! the layout of the per-replica constants.

use crate::engine::ReplicaParams;

pub(crate) mod binding {
    pub const INFO: u32 = 0;
    pub const REPLICAS: u32 = 1;
    pub const FIELD: u32 = 2;
    pub const X_IN: u32 = 3;
    pub const X_OUT: u32 = 4;
    pub const ALPHA_IN: u32 = 5;
    pub const ALPHA_OUT: u32 = 6;
    /// Dense: J; sparse: the rebased row pointers.
    pub const COUPLINGS: u32 = 7;
    /// Sparse: the (column, value) entries.
    pub const ENTRIES: u32 = 8;
    pub const STATES: u32 = 9;
    pub const ENERGIES: u32 = 10;
}

#[derive(Clone, Copy)]
pub(super) enum Access {
    Uniform,
    Read,
    ReadWrite,
}

use Access::*;

pub(super) const STEP: [(u32, Access); 7] = [
    (binding::INFO, Uniform),
    (binding::REPLICAS, Read),
    (binding::FIELD, Read),
    (binding::X_IN, Read),
    (binding::X_OUT, ReadWrite),
    (binding::ALPHA_IN, Read),
    (binding::ALPHA_OUT, ReadWrite),
];
pub(super) const DENSE_COUPLINGS: [(u32, Access); 1] = [(binding::COUPLINGS, Read)];
pub(super) const SPARSE_COUPLINGS: [(u32, Access); 2] = [(binding::COUPLINGS, Read), (binding::ENTRIES, Read)];
pub(super) const FINISH: [(u32, Access); 5] = [
    (binding::INFO, Uniform),
    (binding::X_IN, Read),
    (binding::X_OUT, ReadWrite),
    (binding::STATES, ReadWrite),
    (binding::ENERGIES, ReadWrite),
];

/// Storage buffers the widest layout (the sparse step) binds.
pub(crate) const MAX_STORAGE_BUFFERS: u32 = (STEP.len() - 1 + SPARSE_COUPLINGS.len()) as u32;

/// Mirrors `Replica` in shaders/common.wgsl.
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
#[repr(C)]
pub(crate) struct Replica {
    dt_gradient: f32,
    decrement: f32,
    momentum: f32,
    dt: f32,
}

impl Replica {
    /// The CPU engine's per-replica constants, computed the same way in f32.
    pub(super) fn new(params: &ReplicaParams, iterations: u32, dt: f32) -> Self {
        Replica { dt_gradient: dt * params.gradient, decrement: params.decrement(iterations), momentum: params.momentum, dt }
    }
}
