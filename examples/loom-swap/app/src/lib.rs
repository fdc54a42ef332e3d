//! A crate whose dependency (`dep`) also uses loom.

pub use dep::{Counter, Tickets};

/// Ticket numbers handed out by two dispensers: `dep`'s `Counter` and an
/// atomic of this crate's own, through `dep`'s trait.
pub fn both_taken(c: &Counter, own: &impl Tickets) -> (usize, usize) {
    (c.get(), own.taken())
}
