//! The sampled hyper-parameters (a, g, m) and their rescaling to sampler parameters (spec §3.2).

use crate::engine::ReplicaParams;

/// Closed ranges of the three Sobol dimensions and of the deep-search iteration count.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ParameterRanges {
    /// a = α0/β0, the ratio of initial annealing to normalised feedback.
    pub annealing: (f32, f32),
    /// g = 1/β0: the feedback gain is G·λ = 1/g.
    pub gradient: (f32, f32),
    pub momentum: (f32, f32),
    pub deep_iterations: (u32, u32),
}

impl Default for ParameterRanges {
    /// The spec's defaults (§10).
    fn default() -> Self {
        ParameterRanges { annealing: (0.01, 1.0), gradient: (0.01, 1.0), momentum: (0.95, 0.99), deep_iterations: (500, 20000) }
    }
}

impl ParameterRanges {
    /// Checks the spec's constraints: 0 ≤ a_lo ≤ a_hi, 0 < g_lo ≤ g_hi, 0 ≤ m_lo ≤ m_hi < 1,
    /// 1 ≤ iterations_lo ≤ iterations_hi.
    pub fn validate(&self) -> Result<(), String> {
        let (a, g, m, it) = (self.annealing, self.gradient, self.momentum, self.deep_iterations);
        if !(0.0 <= a.0 && a.0 <= a.1) {
            return Err(format!("annealing range {}..{} must satisfy 0 ≤ low ≤ high", a.0, a.1));
        }
        if !(0.0 < g.0 && g.0 <= g.1) {
            return Err(format!("gradient range {}..{} must satisfy 0 < low ≤ high", g.0, g.1));
        }
        if !(0.0 <= m.0 && m.0 <= m.1 && m.1 < 1.0) {
            return Err(format!("momentum range {}..{} must satisfy 0 ≤ low ≤ high < 1", m.0, m.1));
        }
        if !(1 <= it.0 && it.0 <= it.1) {
            return Err(format!("deep-search iterations {}..{} must satisfy 1 ≤ low ≤ high", it.0, it.1));
        }
        Ok(())
    }

    pub fn sobol_ranges(&self) -> [(f32, f32); 3] {
        [self.annealing, self.gradient, self.momentum]
    }
}

/// One sampled configuration (a, g, m).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Configuration {
    pub a: f32,
    pub g: f32,
    pub m: f32,
}

impl Configuration {
    /// α0 = a/g, G = 1/(g·λ) (α0 computed first, as in the spec), m unchanged.
    pub fn replica_params(&self, lambda: f64) -> ReplicaParams {
        ReplicaParams { annealing: self.a / self.g, gradient: (1.0 / (self.g as f64 * lambda)) as f32, momentum: self.m }
    }

    /// The paper's (α0, β0 = β·λ, γ): α0 = a/g, β0 = 1/g, γ = m.
    pub fn paper_notation(&self) -> (f64, f64, f64) {
        (self.a as f64 / self.g as f64, 1.0 / self.g as f64, self.m as f64)
    }
}

/// Iterations and repetitions per configuration of phases 1 and 2 (spec §5.4). `timeout_s`
/// is `None` under a work budget, where the short-budget rows for n > 5000 do not apply.
pub fn phase_resources(phase: u8, n: usize, timeout_s: Option<f64>) -> (u32, u32) {
    let short = |limit: f64| n > 5000 && timeout_s.is_some_and(|t| t <= limit);
    let tiers: [u32; 4] = if phase == 1 { [100, 200, 400, 500] } else { [200, 400, 800, 1000] };
    if phase == 1 && short(100.0) {
        return (50, 10);
    }
    if phase == 2 && short(300.0) {
        return (500, 10);
    }
    let tier = match n {
        n if n < 1000 => 0,
        n if n < 5000 => 1,
        n if n < 10000 => 2,
        _ => 3,
    };
    (tiers[tier], 20)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_tables_follow_the_spec() {
        assert_eq!(phase_resources(1, 800, Some(10.0)), (100, 20));
        assert_eq!(phase_resources(1, 2000, Some(10.0)), (200, 20));
        assert_eq!(phase_resources(1, 8904, Some(60.0)), (50, 10));
        assert_eq!(phase_resources(1, 8904, Some(600.0)), (400, 20));
        assert_eq!(phase_resources(1, 8904, None), (400, 20));
        assert_eq!(phase_resources(2, 800, Some(10.0)), (200, 20));
        assert_eq!(phase_resources(2, 8904, Some(300.0)), (500, 10));
        assert_eq!(phase_resources(2, 12000, Some(1000.0)), (1000, 20));
    }

    #[test]
    fn rescaling_follows_the_spec() {
        let c = Configuration { a: 0.5, g: 0.25, m: 0.97 };
        let p = c.replica_params(2.0);
        assert_eq!((p.annealing, p.gradient, p.momentum), (2.0, 2.0, 0.97));
        assert_eq!(c.paper_notation(), (2.0, 4.0, 0.9700000286102295));
    }

    #[test]
    fn invalid_ranges_are_explained() {
        let r = ParameterRanges { gradient: (0.0, 1.0), ..ParameterRanges::default() };
        assert!(r.validate().unwrap_err().contains("0 < low"));
        let r = ParameterRanges { momentum: (0.9, 1.0), ..ParameterRanges::default() };
        assert!(r.validate().unwrap_err().contains("high < 1"));
    }
}
