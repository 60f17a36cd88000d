//! Writers that turn instances and results into files for other tools and for people.
//!
//! `lp`: the exact instance in CPLEX LP format, the input of the reference solvers.

pub mod lp;
