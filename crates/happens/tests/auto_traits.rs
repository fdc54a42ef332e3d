// The auto traits (`Send`, `Sync`, `Unpin`, `UnwindSafe`, `RefUnwindSafe`) of
// every public type, checked at compile time against loom 0.7's: a type
// swapped in for loom's (or for `std`'s, under `cfg(loom)`) must not lose a
// trait code relies on (tokio wraps an `AtomicWaker` in `catch_unwind`), nor
// have one the real type lacks (code that compiles under happens must
// compile against loom and `std`).
//
// One `row!` per type: `yes` asserts the trait (`fn has<T: Trait>()`), `no`
// asserts its absence (static_assertions' trick: two blanket impls of a
// trait, one bounded by `Trait`, make `<T as AmbiguousIfImpl<_>>` ambiguous,
// a "type annotations needed" error, exactly when `T: Trait`). Generic
// types are checked at `i32` and at three parameters that each lack one
// trait, so the bounds are checked too:
//   NotSync       = Cell<i32>         Send, !Sync,  UnwindSafe, !RefUnwindSafe
//   NotSend       = *mut i32          !Send, !Sync, UnwindSafe, RefUnwindSafe
//   NotUnwindSafe = &'static mut i32  Send, Sync,  !UnwindSafe, RefUnwindSafe
//
// The reference: `loom_types!` lists the types loom 0.7.2 has (tag v0.7.2 of
// tokio-rs/loom; the comments give the definition each answer comes from;
// 0.7.3 answers the same); `std_types!` the ones loom lacks, against `std`'s
// types of the same path; the end of `mod happens_types`, happens' own
// values. scripts/loom-reference.sh compiles this very file against loom 0.7
// (from crates.io) and `std` as well (`loom_types!(loom)`,
// `std_types!(std)`), so the table is the references' actual answer; the
// `loom` facade's tests/auto_traits.rs checks `loom_types!` at its paths.
//
// loom's runtime handles (`rt::Cell`, `rt::Mutex`, `rt::Notify`, ... in
// src/rt/) are all an `object::Ref<State>` (src/rt/object.rs:39: an index and
// a `PhantomData` of plain data), which has all five; a loom type's traits
// come from its other fields.

macro_rules! check {
    ($t:ty, $trait:path, yes) => {
        const _: fn() = || {
            fn has<T: ?Sized + $trait>() {}
            has::<$t>();
        };
    };
    ($t:ty, $trait:path, no) => {
        const _: fn() = || {
            trait AmbiguousIfImpl<A> {
                fn some_item() {}
            }
            impl<T: ?Sized> AmbiguousIfImpl<()> for T {}
            struct Invalid;
            impl<T: ?Sized + $trait> AmbiguousIfImpl<Invalid> for T {}
            // ambiguous (does not compile) when `$t: $trait`
            let _ = <$t as AmbiguousIfImpl<_>>::some_item;
        };
    };
}

macro_rules! row {
    ($t:ty: $send:ident $sync:ident $unpin:ident $unwind:ident $ref_unwind:ident) => {
        check!($t, ::std::marker::Send, $send);
        check!($t, ::std::marker::Sync, $sync);
        check!($t, ::std::marker::Unpin, $unpin);
        check!($t, ::std::panic::UnwindSafe, $unwind);
        check!($t, ::std::panic::RefUnwindSafe, $ref_unwind);
    };
}

type NotSync = std::cell::Cell<i32>;
type NotSend = *mut i32;
type NotUnwindSafe = &'static mut i32;

/// The types loom 0.7 has, under `$k` (`happens` or `loom`).
macro_rules! loom_types {
    ($k:ident) => {
        //                                                           Send Sync Unpin UW   RUW
        // src/sync/atomic/bool.rs:10 `AtomicBool(Atomic<bool>)`; src/sync/atomic/atomic.rs:6
        // `Atomic<T> { state: rt::Atomic<T> }`; src/rt/atomic.rs:72 `rt::Atomic<T> { state:
        // object::Ref<State>, _p: PhantomData<fn() -> T> }`: all five, like std's atomics.
        row!($k::sync::atomic::AtomicBool:                         yes  yes  yes  yes  yes);
        // src/sync/atomic/int.rs:15 `$name(Atomic<$int_type>)` (the macro of every integer
        // atomic; `AtomicU64`/`AtomicI64` where `target_has_atomic = "64"`): as `AtomicBool`.
        row!($k::sync::atomic::AtomicU8:                           yes  yes  yes  yes  yes);
        row!($k::sync::atomic::AtomicU16:                          yes  yes  yes  yes  yes);
        row!($k::sync::atomic::AtomicU32:                          yes  yes  yes  yes  yes);
        row!($k::sync::atomic::AtomicU64:                          yes  yes  yes  yes  yes);
        row!($k::sync::atomic::AtomicUsize:                        yes  yes  yes  yes  yes);
        row!($k::sync::atomic::AtomicI8:                           yes  yes  yes  yes  yes);
        row!($k::sync::atomic::AtomicI16:                          yes  yes  yes  yes  yes);
        row!($k::sync::atomic::AtomicI32:                          yes  yes  yes  yes  yes);
        row!($k::sync::atomic::AtomicI64:                          yes  yes  yes  yes  yes);
        row!($k::sync::atomic::AtomicIsize:                        yes  yes  yes  yes  yes);
        // src/sync/atomic/ptr.rs:9 `AtomicPtr<T>(Atomic<*mut T>)`: `T` only appears
        // in `PhantomData<fn() -> *mut T>`, so all five whatever `T`.
        row!($k::sync::atomic::AtomicPtr<i32>:                     yes  yes  yes  yes  yes);
        row!($k::sync::atomic::AtomicPtr<NotSync>:                 yes  yes  yes  yes  yes);
        row!($k::sync::atomic::AtomicPtr<NotSend>:                 yes  yes  yes  yes  yes);
        row!($k::sync::atomic::AtomicPtr<NotUnwindSafe>:           yes  yes  yes  yes  yes);
        // src/cell/unsafe_cell.rs:9 `{ state: rt::Cell, data: std::cell::UnsafeCell<T> }`:
        // std's `UnsafeCell` (`Send` if `T: Send`, never `Sync` nor `RefUnwindSafe`).
        row!($k::cell::UnsafeCell<i32>:                            yes  no   yes  yes  no);
        row!($k::cell::UnsafeCell<NotSync>:                        yes  no   yes  yes  no);
        row!($k::cell::UnsafeCell<NotSend>:                        no   no   yes  yes  no);
        row!($k::cell::UnsafeCell<NotUnwindSafe>:                  yes  no   yes  no   no);
        // src/cell/cell.rs:11 `Cell<T> { cell: UnsafeCell<T> }` (loom's): as `UnsafeCell`.
        row!($k::cell::Cell<i32>:                                  yes  no   yes  yes  no);
        row!($k::cell::Cell<NotSync>:                              yes  no   yes  yes  no);
        row!($k::cell::Cell<NotSend>:                              no   no   yes  yes  no);
        row!($k::cell::Cell<NotUnwindSafe>:                        yes  no   yes  no   no);
        // src/cell/unsafe_cell.rs:54 `{ _guard: rt::cell::Reading, ptr: *const T }`: a raw
        // pointer (neither `Send` nor `Sync`; unwind-safe when `T: RefUnwindSafe`).
        row!($k::cell::ConstPtr<i32>:                              no   no   yes  yes  yes);
        row!($k::cell::ConstPtr<NotSync>:                          no   no   yes  no   no);
        row!($k::cell::ConstPtr<NotSend>:                          no   no   yes  yes  yes);
        row!($k::cell::ConstPtr<NotUnwindSafe>:                    no   no   yes  yes  yes);
        // src/cell/unsafe_cell.rs:98 `{ _guard: rt::cell::Writing, ptr: *mut T }`: as `ConstPtr`.
        row!($k::cell::MutPtr<i32>:                                no   no   yes  yes  yes);
        row!($k::cell::MutPtr<NotSync>:                            no   no   yes  no   no);
        row!($k::cell::MutPtr<NotSend>:                            no   no   yes  yes  yes);
        row!($k::cell::MutPtr<NotUnwindSafe>:                      no   no   yes  yes  yes);
        // src/sync/arc.rs:9 `{ obj: std::sync::Arc<rt::Arc>, value: std::sync::Arc<T> }`:
        // std's `Arc` (`Send`/`Sync` if `T: Send + Sync`, unwind-safe if `T: RefUnwindSafe`).
        row!($k::sync::Arc<i32>:                                   yes  yes  yes  yes  yes);
        row!($k::sync::Arc<NotSync>:                               no   no   yes  no   no);
        row!($k::sync::Arc<NotSend>:                               no   no   yes  yes  yes);
        row!($k::sync::Arc<NotUnwindSafe>:                         yes  yes  yes  yes  yes);
        // src/sync/mutex.rs:8 `{ object: rt::Mutex, data: std::sync::Mutex<T> }`: std's
        // `Mutex` (`Send` and `Sync` if `T: Send`; always unwind-safe).
        row!($k::sync::Mutex<i32>:                                 yes  yes  yes  yes  yes);
        row!($k::sync::Mutex<NotSync>:                             yes  yes  yes  yes  yes);
        row!($k::sync::Mutex<NotSend>:                             no   no   yes  yes  yes);
        row!($k::sync::Mutex<NotUnwindSafe>:                       yes  yes  yes  yes  yes);
        // src/sync/mutex.rs:15 `{ lock: &'a Mutex<T>, data: Option<std::sync::MutexGuard<'a, T>> }`:
        // never `Send` (std's guard); `Sync` needs `&Mutex<T>: Sync` (`T: Send`) and the std
        // guard's `T: Sync`; unwind-safe (a `Mutex` is `RefUnwindSafe`).
        row!($k::sync::MutexGuard<'static, i32>:                   no   yes  yes  yes  yes);
        row!($k::sync::MutexGuard<'static, NotSync>:               no   no   yes  yes  yes);
        row!($k::sync::MutexGuard<'static, NotSend>:               no   no   yes  yes  yes);
        row!($k::sync::MutexGuard<'static, NotUnwindSafe>:         no   yes  yes  yes  yes);
        // src/sync/rwlock.rs:8 `{ object: rt::RwLock, data: std::sync::RwLock<T> }`: std's
        // `RwLock` (`Send` if `T: Send`, `Sync` if `T: Send + Sync`; always unwind-safe).
        row!($k::sync::RwLock<i32>:                                yes  yes  yes  yes  yes);
        row!($k::sync::RwLock<NotSync>:                            yes  no   yes  yes  yes);
        row!($k::sync::RwLock<NotSend>:                            no   no   yes  yes  yes);
        row!($k::sync::RwLock<NotUnwindSafe>:                      yes  yes  yes  yes  yes);
        // src/sync/rwlock.rs:15 `{ lock: &'a RwLock<T>, data: Option<std::sync::RwLockReadGuard<'a, T>> }`:
        // never `Send`; `Sync` if `T: Send + Sync`; std's read guard holds a `NonNull<T>`, so
        // unwind-safe only if `T: RefUnwindSafe`.
        row!($k::sync::RwLockReadGuard<'static, i32>:              no   yes  yes  yes  yes);
        row!($k::sync::RwLockReadGuard<'static, NotSync>:          no   no   yes  no   no);
        row!($k::sync::RwLockReadGuard<'static, NotSend>:          no   no   yes  yes  yes);
        row!($k::sync::RwLockReadGuard<'static, NotUnwindSafe>:    no   yes  yes  yes  yes);
        // src/sync/rwlock.rs:22 `{ lock: &'a RwLock<T>, data: Option<std::sync::RwLockWriteGuard<'a, T>> }`:
        // never `Send`; `Sync` if `T: Send + Sync`; std's write guard holds a `&RwLock<T>`, so
        // always unwind-safe.
        row!($k::sync::RwLockWriteGuard<'static, i32>:             no   yes  yes  yes  yes);
        row!($k::sync::RwLockWriteGuard<'static, NotSync>:         no   no   yes  yes  yes);
        row!($k::sync::RwLockWriteGuard<'static, NotSend>:         no   no   yes  yes  yes);
        row!($k::sync::RwLockWriteGuard<'static, NotUnwindSafe>:   no   yes  yes  yes  yes);
        // src/sync/condvar.rs:9 `{ object: rt::Condvar }`: all five.
        row!($k::sync::Condvar:                                    yes  yes  yes  yes  yes);
        // src/sync/condvar.rs:16 `WaitTimeoutResult(bool)`: all five.
        row!($k::sync::WaitTimeoutResult:                          yes  yes  yes  yes  yes);
        // src/sync/barrier.rs:6 `pub struct Barrier {}` (a stub): all five.
        row!($k::sync::Barrier:                                    yes  yes  yes  yes  yes);
        // src/sync/notify.rs:13 `{ object: rt::Notify, waiting: AtomicBool }` (std's): all five.
        row!($k::sync::Notify:                                     yes  yes  yes  yes  yes);
        // src/sync/mpsc.rs:24 `{ object: std::sync::Arc<rt::Channel>, sender: std::sync::mpsc::Sender<T> }`:
        // std's `Sender` (`Send` and `Sync` if `T: Send`; always unwind-safe).
        row!($k::sync::mpsc::Sender<i32>:                          yes  yes  yes  yes  yes);
        row!($k::sync::mpsc::Sender<NotSync>:                      yes  yes  yes  yes  yes);
        row!($k::sync::mpsc::Sender<NotSend>:                      no   no   yes  yes  yes);
        row!($k::sync::mpsc::Sender<NotUnwindSafe>:                yes  yes  yes  yes  yes);
        // src/sync/mpsc.rs:50 `{ object: std::sync::Arc<rt::Channel>, receiver: std::sync::mpsc::Receiver<T> }`:
        // std's `Receiver` (`Send` if `T: Send`, never `Sync`; always unwind-safe).
        row!($k::sync::mpsc::Receiver<i32>:                        yes  no   yes  yes  yes);
        row!($k::sync::mpsc::Receiver<NotSync>:                    yes  no   yes  yes  yes);
        row!($k::sync::mpsc::Receiver<NotSend>:                    no   no   yes  yes  yes);
        row!($k::sync::mpsc::Receiver<NotUnwindSafe>:              yes  no   yes  yes  yes);
        // src/thread.rs:17 `{ result: Arc<Mutex<Option<std::thread::Result<T>>>>, notify: rt::Notify,
        // thread: Thread }` (std's `Arc` and `Mutex`): `Send` and `Sync` if `T: Send`, always
        // unwind-safe. (std's own `JoinHandle` is `Send` and `Sync` for every `T`.)
        row!($k::thread::JoinHandle<i32>:                          yes  yes  yes  yes  yes);
        row!($k::thread::JoinHandle<NotSync>:                      yes  yes  yes  yes  yes);
        row!($k::thread::JoinHandle<NotSend>:                      no   no   yes  yes  yes);
        row!($k::thread::JoinHandle<NotUnwindSafe>:                yes  yes  yes  yes  yes);
        // src/thread.rs:25 `{ id: ThreadId, name: Option<String> }`: all five.
        row!($k::thread::Thread:                                   yes  yes  yes  yes  yes);
        // src/thread.rs:57 `{ id: rt::thread::Id }` (plain numbers): all five.
        row!($k::thread::ThreadId:                                 yes  yes  yes  yes  yes);
        // src/thread.rs:83 `{ name: Option<String>, stack_size: Option<usize> }`: all five.
        row!($k::thread::Builder:                                  yes  yes  yes  yes  yes);
        // src/thread.rs:68 `{ init: fn() -> T, _p: PhantomData<fn(T)> }`: all five whatever `T`.
        row!($k::thread::LocalKey<i32>:                            yes  yes  yes  yes  yes);
        row!($k::thread::LocalKey<NotSync>:                        yes  yes  yes  yes  yes);
        row!($k::thread::LocalKey<NotSend>:                        yes  yes  yes  yes  yes);
        row!($k::thread::LocalKey<NotUnwindSafe>:                  yes  yes  yes  yes  yes);
        // src/rt/thread.rs:478 `{ _private: () }` (happens re-exports std's, also
        // all five).
        row!($k::thread::AccessError:                              yes  yes  yes  yes  yes);
        // src/lazy_static.rs:15 `{ init: fn() -> T, _p: PhantomData<fn(T)> }`: all five
        // whatever `T`.
        row!($k::lazy_static::Lazy<i32>:                           yes  yes  yes  yes  yes);
        row!($k::lazy_static::Lazy<NotSync>:                       yes  yes  yes  yes  yes);
        row!($k::lazy_static::Lazy<NotSend>:                       yes  yes  yes  yes  yes);
        row!($k::lazy_static::Lazy<NotUnwindSafe>:                 yes  yes  yes  yes  yes);
        // src/alloc.rs:79 `{ value: T, _obj: rt::Allocation }`: exactly `T`'s.
        row!($k::alloc::Track<i32>:                                yes  yes  yes  yes  yes);
        row!($k::alloc::Track<NotSync>:                            yes  no   yes  yes  no);
        row!($k::alloc::Track<NotSend>:                            no   no   yes  yes  yes);
        row!($k::alloc::Track<NotUnwindSafe>:                      yes  yes  yes  no   yes);
        // src/future/atomic_waker.rs:9 `{ waker: std::sync::Mutex<Option<Waker>>, object: rt::Mutex }`
        // (feature `futures`): all five.
        #[cfg(feature = "futures")]
        row!($k::future::AtomicWaker:                              yes  yes  yes  yes  yes);
        // src/model.rs:17: numbers, `Option<Duration>`, `Option<PathBuf>`, `bool`s: all five.
        row!($k::model::Builder:                                   yes  yes  yes  yes  yes);
    };
}

/// The types loom 0.7 lacks, against `std`'s (under `$k`: `happens` or `std`).
macro_rules! std_types {
    ($k:ident) => {
        //                                                           Send Sync Unpin UW   RUW
        // std's `Weak` (loom 0.7 has none): as std's `Arc`.
        row!($k::sync::Weak<i32>:                                  yes  yes  yes  yes  yes);
        row!($k::sync::Weak<NotSync>:                              no   no   yes  no   no);
        row!($k::sync::Weak<NotSend>:                              no   no   yes  yes  yes);
        row!($k::sync::Weak<NotUnwindSafe>:                        yes  yes  yes  yes  yes);
        // std's `Once`: all five.
        row!($k::sync::Once:                                       yes  yes  yes  yes  yes);
        // std's `OnceLock`: `Send` if `T: Send`, `Sync` if `T: Send + Sync`, `UnwindSafe` if
        // `T: UnwindSafe`, `RefUnwindSafe` if `T: RefUnwindSafe + UnwindSafe`.
        row!($k::sync::OnceLock<i32>:                              yes  yes  yes  yes  yes);
        row!($k::sync::OnceLock<NotSync>:                          yes  no   yes  yes  no);
        row!($k::sync::OnceLock<NotSend>:                          no   no   yes  yes  yes);
        row!($k::sync::OnceLock<NotUnwindSafe>:                    yes  yes  yes  no   no);
        // std's `LazyLock<T, F = fn() -> T>`: as `OnceLock` (with `F: Send`, `F: UnwindSafe`).
        row!($k::sync::LazyLock<i32>:                              yes  yes  yes  yes  yes);
        row!($k::sync::LazyLock<NotSync>:                          yes  no   yes  yes  no);
        row!($k::sync::LazyLock<NotSend>:                          no   no   yes  yes  yes);
        row!($k::sync::LazyLock<NotUnwindSafe>:                    yes  yes  yes  no   no);
        // std's `BarrierWaitResult` (what loom's `Barrier::wait` returns): all five.
        row!($k::sync::BarrierWaitResult:                          yes  yes  yes  yes  yes);
        // std's `SyncSender`: as `Sender`.
        row!($k::sync::mpsc::SyncSender<i32>:                      yes  yes  yes  yes  yes);
        row!($k::sync::mpsc::SyncSender<NotSync>:                  yes  yes  yes  yes  yes);
        row!($k::sync::mpsc::SyncSender<NotSend>:                  no   no   yes  yes  yes);
        row!($k::sync::mpsc::SyncSender<NotUnwindSafe>:            yes  yes  yes  yes  yes);
        // std's `Scope`: `Send` and `Sync` (a scoped thread may spawn into its scope), not
        // `UnwindSafe` (it holds `PhantomData<&'scope mut &'scope ()>`).
        row!($k::thread::Scope<'static, 'static>:                  yes  yes  yes  no   yes);
        // std's `ScopedJoinHandle`: `Send` and `Sync` if `T: Send`, never unwind-safe
        // (its packet holds an `UnsafeCell`).
        row!($k::thread::ScopedJoinHandle<'static, i32>:           yes  yes  yes  no   no);
        row!($k::thread::ScopedJoinHandle<'static, NotSync>:       yes  yes  yes  no   no);
        row!($k::thread::ScopedJoinHandle<'static, NotSend>:       no   no   yes  no   no);
        row!($k::thread::ScopedJoinHandle<'static, NotUnwindSafe>: yes  yes  yes  no   no);
    };
}

mod happens_types {
    use super::{NotSend, NotSync, NotUnwindSafe};

    loom_types!(happens);
    std_types!(happens);

    // happens' own values: plain data, all five (a `Report` may cross
    // threads and a `catch_unwind`).
    //                                                           Send Sync Unpin UW   RUW
    row!(happens::Report:                                          yes  yes  yes  yes  yes);
    row!(happens::Failure:                                         yes  yes  yes  yes  yes);
    row!(happens::FailureKind:                                     yes  yes  yes  yes  yes);
    row!(happens::TraceEvent:                                      yes  yes  yes  yes  yes);
    row!(happens::Access:                                          yes  yes  yes  yes  yes);
    row!(happens::Waiter:                                          yes  yes  yes  yes  yes);
    row!(happens::checkpoint::Checkpoint:                          yes  yes  yes  yes  yes);
    row!(happens::model::ModelKind:                                yes  yes  yes  yes  yes);
}

#[test]
fn auto_traits_are_loom_s() {
    // the assertions above are checked when this file compiles
}
