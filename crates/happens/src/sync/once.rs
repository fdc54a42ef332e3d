//! `Once`, `OnceLock` and `LazyLock`: a state word (incomplete, running,
//! complete). A call waits while the initializer runs (costing no
//! executions), then takes the run with a compare-exchange or sees the
//! completion; the winner publishes with a Release store. The only choice
//! explored is which thread runs the initializer.

use std::cell::UnsafeCell;
use std::fmt;
use std::ops::Deref;
use std::panic::{Location, RefUnwindSafe, UnwindSafe};

use happens_engine::{LoadOrd, Reply, RmwOrd, StoreOrd, Then, Until};

use super::raw::Word;

const INCOMPLETE: u64 = 0;
const RUNNING: u64 = 1;
const COMPLETE: u64 = 2;

pub struct Once {
    word: Word,
}

impl fmt::Debug for Once {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad("Once { .. }")
    }
}

impl Default for Once {
    #[track_caller]
    fn default() -> Self {
        Once::new()
    }
}

impl Once {
    #[track_caller]
    pub fn new() -> Once {
        Once {
            word: Word::new(INCOMPLETE, "Once"),
        }
    }

    #[track_caller]
    pub fn call_once<F: FnOnce()>(&self, f: F) {
        let at = Location::caller();
        // one step: wait while another thread runs the initializer, then
        // either take the run (a compare-exchange from incomplete) or see
        // it complete (`Acquire`: its completion happens before)
        let then = Then::Cas {
            expected: INCOMPLETE,
            new: RUNNING,
            success: RmwOrd::Acquire,
            failure: LoadOrd::Acquire,
        };
        let got = self
            .word
            .await_(Until::IsNot(RUNNING), then, "Once initialization", at);
        // (it saw the completion otherwise)
        if let Reply::Cas { ok: true, .. } = got {
            f();
            self.word.store(COMPLETE, StoreOrd::Release, at);
        }
    }

    #[track_caller]
    pub fn is_completed(&self) -> bool {
        self.word.load(LoadOrd::Acquire, Location::caller()) == COMPLETE
    }
}

pub struct OnceLock<T> {
    once: Once,
    value: UnsafeCell<Option<T>>,
}

unsafe impl<T: Send + Sync> Sync for OnceLock<T> {}
unsafe impl<T: Send> Send for OnceLock<T> {}
// `std`'s bounds.
impl<T: RefUnwindSafe + UnwindSafe> RefUnwindSafe for OnceLock<T> {}

impl<T> OnceLock<T> {
    #[track_caller]
    pub fn new() -> OnceLock<T> {
        OnceLock {
            once: Once::new(),
            value: UnsafeCell::new(None),
        }
    }

    #[track_caller]
    pub fn get(&self) -> Option<&T> {
        if self.once.is_completed() {
            // SAFETY: written once before COMPLETE was published.
            unsafe { (*self.value.get()).as_ref() }
        } else {
            None
        }
    }

    #[track_caller]
    pub fn get_or_init<F: FnOnce() -> T>(&self, f: F) -> &T {
        self.once.call_once(|| {
            let v = f();
            // SAFETY: only the thread running the initializer writes.
            unsafe { *self.value.get() = Some(v) };
        });
        // SAFETY: initialized and published.
        unsafe { (*self.value.get()).as_ref() }.expect("OnceLock initialized")
    }

    #[track_caller]
    pub fn set(&self, v: T) -> Result<(), T> {
        let mut v = Some(v);
        self.get_or_init(|| v.take().unwrap());
        match v {
            None => Ok(()),
            Some(v) => Err(v),
        }
    }

    pub fn into_inner(self) -> Option<T> {
        self.value.into_inner()
    }
}

impl<T> Default for OnceLock<T> {
    #[track_caller]
    fn default() -> Self {
        OnceLock::new()
    }
}

impl<T: fmt::Debug> fmt::Debug for OnceLock<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad("OnceLock { .. }")
    }
}

pub struct LazyLock<T, F = fn() -> T> {
    cell: OnceLock<T>,
    init: std::cell::Cell<Option<F>>,
}

unsafe impl<T: Send + Sync, F: Send> Sync for LazyLock<T, F> {}
// `std`'s bounds.
impl<T: RefUnwindSafe + UnwindSafe, F: UnwindSafe> RefUnwindSafe for LazyLock<T, F> {}

impl<T, F: FnOnce() -> T> LazyLock<T, F> {
    #[track_caller]
    pub fn new(f: F) -> LazyLock<T, F> {
        LazyLock {
            cell: OnceLock::new(),
            init: std::cell::Cell::new(Some(f)),
        }
    }

    #[track_caller]
    pub fn force(this: &Self) -> &T {
        this.cell.get_or_init(|| {
            let f = this.init.take().expect("LazyLock initializer ran twice");
            f()
        })
    }
}

impl<T, F: FnOnce() -> T> Deref for LazyLock<T, F> {
    type Target = T;
    #[track_caller]
    fn deref(&self) -> &T {
        LazyLock::force(self)
    }
}
