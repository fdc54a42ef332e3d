//! Modelled synchronization primitives.

pub mod atomic;
