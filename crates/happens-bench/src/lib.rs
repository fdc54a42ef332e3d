//! # happens-bench
//!
//! Support for two developer tools that exercise the litmus front-end as a
//! whole:
//!
//! - `happens-bench` (see `src/bin/happens-bench.rs`): executions per second
//!   over the shared C11 litmus corpus under both models, and over larger
//!   generated tests ([`generate`]);
//! - `happens-fuzz` (see `src/bin/happens-fuzz.rs`): a fuzz driver for
//!   `happens_litmus::parse` that runs on the stable toolchain, feeding it
//!   mutated corpus files and random bytes ([`mutate`]);
//! - `happens-libfuzz` (see `src/bin/happens-libfuzz.rs`): a fuzz driver for
//!   the library, exploring generated programs under `happens::model`
//!   ([`libfuzz`]).
//!
//! [`corpus`] finds the inputs both tools start from.

pub mod corpus;
pub mod generate;
pub mod libfuzz;
pub mod mutate;
pub mod rng;
