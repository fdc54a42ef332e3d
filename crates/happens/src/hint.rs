//! Spin-loop hints.

use std::panic::Location;

/// In a spin loop: lets the model block the thread until another thread
/// writes something it read (no extra executions for repeated iterations).
#[track_caller]
pub fn spin_loop() {
    crate::rt::spin_hint(Location::caller())
}

/// Panics instead of invoking undefined behaviour.
///
/// # Safety
/// Never unsafe to call here; kept `unsafe` for API compatibility.
#[track_caller]
pub unsafe fn unreachable_unchecked() -> ! {
    unreachable!("`hint::unreachable_unchecked` was reached")
}
