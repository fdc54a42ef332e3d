//! # `loom`, backed by happens
//!
//! This package is named `loom` and has loom 0.7's public API, re-exported
//! from [`happens`]: the same module paths, types, functions and macros.
//! Its only purpose is cargo's `[patch]`: one line in the workspace's
//! `Cargo.toml` makes every `loom = "0.7"` dependency of the whole graph
//! (the crate's own and its dependencies', e.g. crossbeam-epoch's and
//! crossbeam-utils') resolve to happens, so their `cfg(loom)` code, trait
//! impls for `loom::sync::atomic::AtomicUsize` included, all use one set of
//! types:
//!
//! ```toml
//! [patch.crates-io]
//! loom = { path = "/path/to/happens/crates/loom" }
//! ```
//!
//! Then `RUSTFLAGS="--cfg loom" cargo test --release` runs the loom tests
//! under happens. The version, 0.7.99, is loom's major.minor, so that any
//! `loom = "0.7"` or `"0.7.x"` requirement accepts it. Features
//! `checkpoint` and `futures` are loom's, forwarded to happens'.
//!
//! What a model run explores and reports is happens' (see its crate docs):
//! every execution the memory model (`rust` by default) allows, once each; `model::Builder` has loom's
//! fields and reads loom's `LOOM_*` variables, and happens' own settings
//! (`replay`, `waiting`, `diagram`, ...) and [`model::Builder::explore`]
//! (a [`model::Report`] in place of a panic) are there too. The crate root
//! has exactly loom's names, so `use loom::*;` (tokio's `loom::mocked`
//! does it) brings nothing else into scope.
//!
//! ## Re-exported
//!
//! The crate root: [`model()`](model::model), [`MAX_THREADS`],
//! [`explore`], [`stop_exploring`], [`skip_branch`], [`thread_local!`],
//! [`lazy_static!`]; the modules [`model`](mod@model), [`sync`] (with
//! [`sync::atomic`] and [`sync::mpsc`]), [`cell`], [`thread`], [`hint`],
//! [`alloc`], [`lazy_static`](mod@lazy_static), and `future` (feature
//! `futures`).
//! happens' additions ride along: `sync::{Weak, Once, OnceLock, LazyLock}`,
//! `mpsc::sync_channel`, `thread::{scope, sleep, park_timeout}`, ...; for
//! the rest of happens (its `Failure` values, `checkpoint`), depend on
//! `happens` itself.
//!
//! ## Not there
//!
//! Checked against loom 0.7's public items (loom 0.7.2, and 0.7.3's
//! additions), these are missing or differ:
//!
//! - `sync::Arc<T: ?Sized>` and `Arc::from_std`: happens' `Arc` needs a
//!   sized `T`, so an `Arc<dyn Trait>`, `Arc<[T]>` or `Arc<str>` (which
//!   loom builds with `from_std`) cannot be made.
//! - `sync::Barrier::wait` returns happens' `sync::BarrierWaitResult` (with
//!   `is_leader`), not `std::sync::BarrierWaitResult`, which cannot be built
//!   outside `std` (loom's `Barrier` is a stub that panics).
//! - The atomics' `try_update` and `update` (added in loom 0.7.3).
//! - `thread::AccessError` and `lazy_static::AccessError` are `std`'s
//!   (loom has a type of its own of the same name and use).
//!
//! Behaviours that differ on purpose are in happens' docs: `MAX_THREADS`
//! is not a limit, `max_branches` counts a thread's events,
//! `preemption_bound` (`LOOM_MAX_PREEMPTIONS`) bounds the explorer's choices
//! other than its first (backward revisits, older writes read, places in
//! `co`; three per preemption), not a schedule's preemptions (the report
//! says when it cut), constructors are
//! not `const` (as in loom) and `static`s use `const_new`.

pub use happens::{explore, model, skip_branch, stop_exploring, MAX_THREADS};

pub use happens::{alloc, cell, hint, sync};

/// Modelled threads: loom's `thread` module (happens' additions, `std`'s
/// API, included), without happens' `Result` alias (`std::thread::Result`,
/// which loom does not have): under `use loom::thread::*;` it would shadow
/// the prelude's `Result`.
pub mod thread {
    pub use happens::thread::{
        current, panicking, park, spawn, yield_now, AccessError, Builder, JoinHandle, LocalKey,
        Thread, ThreadId,
    };

    pub use happens::thread::{park_timeout, scope, sleep, Scope, ScopedJoinHandle};
}

// The module and the macro of the same name.
pub use happens::lazy_static;
pub use happens::thread_local;

#[cfg(feature = "futures")]
pub use happens::future;

// What the exported macros expand to (loom exports them too).
#[doc(hidden)]
pub use happens::{__lazy_static_internal, __thread_local_inner};
