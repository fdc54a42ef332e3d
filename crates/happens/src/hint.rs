//! Spin-loop hints.

/// A spin-loop hint. Not an operation of the model (see
/// [`crate::thread::yield_now`]).
#[track_caller]
pub fn spin_loop() {}

/// Panics instead of invoking undefined behaviour.
///
/// # Safety
/// Never unsafe to call here; kept `unsafe` for API compatibility.
#[track_caller]
pub unsafe fn unreachable_unchecked() -> ! {
    unreachable!("`hint::unreachable_unchecked` was reached")
}
