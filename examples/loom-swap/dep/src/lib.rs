//! A dependency that uses loom under `cfg(loom)`, as crossbeam-utils does:
//! a trait implemented for the atomic type itself (crossbeam-utils'
//! `AtomicConsume`), and a type built on it.

#[cfg(loom)]
use loom::sync::atomic::{AtomicUsize, Ordering};
#[cfg(not(loom))]
use std::sync::atomic::{AtomicUsize, Ordering};

/// A ticket dispenser on an atomic counter: implemented for `loom`'s
/// `AtomicUsize` under `cfg(loom)`, for `std`'s otherwise.
pub trait Tickets {
    /// Takes the next ticket (a Release increment).
    fn take_ticket(&self) -> usize;
    /// How many tickets were taken (an Acquire load).
    fn taken(&self) -> usize;
}

impl Tickets for AtomicUsize {
    fn take_ticket(&self) -> usize {
        self.fetch_add(1, Ordering::Release)
    }
    fn taken(&self) -> usize {
        self.load(Ordering::Acquire)
    }
}

/// A counter of this crate's own, on the same atomics.
#[derive(Debug, Default)]
pub struct Counter {
    n: AtomicUsize,
}

impl Counter {
    pub fn new() -> Counter {
        Counter {
            n: AtomicUsize::new(0),
        }
    }
    pub fn add(&self) -> usize {
        self.n.take_ticket()
    }
    pub fn get(&self) -> usize {
        self.n.taken()
    }
}
