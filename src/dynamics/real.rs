//! The float types the CPU engine's dynamics run in (f32, f64): the arithmetic, conversions
//! and SIMD operations one generic engine needs, so that both precisions share one update rule
//! and one product. With `f32` the generic code performs exactly the operations, in the same
//! order, that the f32-only engine did (the CI baseline pins its bits).

use std::fmt::Debug;
use std::ops::{Add, Div, Mul, Sub};

use pulp::Simd;

pub trait Real: Copy + Debug + Default + PartialOrd + Send + Sync + 'static + Add<Output = Self> + Sub<Output = Self> + Mul<Output = Self> + Div<Output = Self> {
    const ZERO: Self;
    const ONE: Self;
    /// A SIMD vector of this type on instruction set `S`.
    type Vector<S: Simd>: Copy;

    fn from_f32(v: f32) -> Self;
    fn from_f64(v: f64) -> Self;
    /// Rounds to nearest (exact for f32).
    fn to_f32(self) -> f32;
    fn to_f64(self) -> f64;
    fn max(self, other: Self) -> Self;
    fn clamp(self, lo: Self, hi: Self) -> Self;

    /// Lanes of [`Real::Vector`] on `S`.
    fn lanes<S: Simd>() -> usize;
    fn splat<S: Simd>(simd: S, v: Self) -> Self::Vector<S>;
    fn add_vectors<S: Simd>(simd: S, a: Self::Vector<S>, b: Self::Vector<S>) -> Self::Vector<S>;
    fn mul_vectors<S: Simd>(simd: S, a: Self::Vector<S>, b: Self::Vector<S>) -> Self::Vector<S>;
    /// The whole vectors at the start of `slice`, and the rest.
    fn as_vectors<S: Simd>(slice: &[Self]) -> (&[Self::Vector<S>], &[Self]);
    fn as_mut_vectors<S: Simd>(slice: &mut [Self]) -> (&mut [Self::Vector<S>], &mut [Self]);
}

/// One impl per float type; only the names of pulp's operations differ.
macro_rules! impl_real {
    ($t:ty, $vector:ident, $lanes:ident, $splat:ident, $add:ident, $mul:ident, $as:ident, $as_mut:ident) => {
        impl Real for $t {
            const ZERO: Self = 0.0;
            const ONE: Self = 1.0;
            type Vector<S: Simd> = S::$vector;

            fn from_f32(v: f32) -> Self {
                v as $t
            }
            fn from_f64(v: f64) -> Self {
                v as $t
            }
            fn to_f32(self) -> f32 {
                self as f32
            }
            fn to_f64(self) -> f64 {
                self as f64
            }
            fn max(self, other: Self) -> Self {
                <$t>::max(self, other)
            }
            fn clamp(self, lo: Self, hi: Self) -> Self {
                <$t>::clamp(self, lo, hi)
            }

            fn lanes<S: Simd>() -> usize {
                S::$lanes
            }
            fn splat<S: Simd>(simd: S, v: Self) -> S::$vector {
                simd.$splat(v)
            }
            fn add_vectors<S: Simd>(simd: S, a: S::$vector, b: S::$vector) -> S::$vector {
                simd.$add(a, b)
            }
            fn mul_vectors<S: Simd>(simd: S, a: S::$vector, b: S::$vector) -> S::$vector {
                simd.$mul(a, b)
            }
            fn as_vectors<S: Simd>(slice: &[Self]) -> (&[S::$vector], &[Self]) {
                S::$as(slice)
            }
            fn as_mut_vectors<S: Simd>(slice: &mut [Self]) -> (&mut [S::$vector], &mut [Self]) {
                S::$as_mut(slice)
            }
        }
    };
}

impl_real!(f32, f32s, F32_LANES, splat_f32s, add_f32s, mul_f32s, as_simd_f32s, as_mut_simd_f32s);
impl_real!(f64, f64s, F64_LANES, splat_f64s, add_f64s, mul_f64s, as_simd_f64s, as_mut_simd_f64s);
