//! Modelled synchronization primitives (`std::sync`'s API, plus loom's
//! `Notify`). Each is built on modelled atomics; a thread that must wait
//! blocks until a write it could see arrives, so waiting adds no executions.

mod arc;
mod barrier;
mod condvar;
pub mod mpsc;
mod mutex;
mod notify;
mod once;
pub(crate) mod raw;
mod rwlock;

pub mod atomic;

pub use arc::{Arc, Weak};
pub use barrier::{Barrier, BarrierWaitResult};
pub use condvar::{Condvar, WaitTimeoutResult};
pub use mutex::{Mutex, MutexGuard};
pub use notify::Notify;
pub use once::{LazyLock, Once, OnceLock};
pub use rwlock::{RwLock, RwLockReadGuard, RwLockWriteGuard};
pub use std::sync::{LockResult, PoisonError, TryLockError, TryLockResult};

/// Takes `Send` (and `Sync`) away from the type that holds it, as `std`'s
/// `impl !Send` does for lock guards and `impl !Sync` for `Receiver`: a raw
/// pointer is neither, and is unwind-safe. The type then gives back what
/// `std` gives, with `std`'s bounds.
pub(crate) type NotSendSync = std::marker::PhantomData<*const ()>;
