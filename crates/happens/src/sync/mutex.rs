//! A modelled `Mutex`: a lock word taken by one blocking step (`Op::Await`:
//! wait until it is free, then an Acquire compare-exchange) and released
//! with a Release store. A thread that finds it locked is not scheduled
//! until an unlock (no executions for waiting); the runtime remembers who
//! holds it for deadlock reports. Panics fail the execution, so a lock is
//! never poisoned.

use std::fmt;
use std::ops::{Deref, DerefMut};
use std::panic::{Location, RefUnwindSafe, UnwindSafe};
use std::sync::{LockResult, TryLockError, TryLockResult};

use happens_engine::{LoadOrd, RmwOrd, StoreOrd, Then, Until};

use super::raw::Word;

pub struct Mutex<T: ?Sized> {
    pub(crate) word: Word,
    data: std::cell::UnsafeCell<T>,
}

unsafe impl<T: ?Sized + Send> Send for Mutex<T> {}
unsafe impl<T: ?Sized + Send> Sync for Mutex<T> {}

// As `std`'s (loom's wraps one): a panic does not leave the data behind a
// lock half-updated for others to see unawares (`std` poisons the lock;
// here the panic fails the execution).
impl<T: ?Sized> UnwindSafe for Mutex<T> {}
impl<T: ?Sized> RefUnwindSafe for Mutex<T> {}

/// Never `Send`, as `std`'s (a lock is released by the thread that took
/// it); `Sync` when `T: Send + Sync`, as loom's (whose guard holds a
/// `&Mutex<T>` and `std`'s guard).
pub struct MutexGuard<'a, T: ?Sized> {
    pub(crate) lock: &'a Mutex<T>,
    _not_send: super::NotSendSync,
}

// SAFETY: a shared guard only hands out `&T` (and `&Mutex<T>`).
unsafe impl<T: ?Sized + Send + Sync> Sync for MutexGuard<'_, T> {}

impl<'a, T: ?Sized> MutexGuard<'a, T> {
    fn new(lock: &'a Mutex<T>) -> Self {
        MutexGuard {
            lock,
            _not_send: std::marker::PhantomData,
        }
    }
}

impl<T> Mutex<T> {
    #[track_caller]
    pub fn new(data: T) -> Mutex<T> {
        Mutex {
            word: Word::new(0, "Mutex"),
            data: std::cell::UnsafeCell::new(data),
        }
    }

    /// A mutex for a `static` (`std`'s `new` is `const`; this one is not,
    /// as in loom, because creating a mutex inside an execution is an
    /// event): it exists before every execution, unlocked at the start of
    /// each.
    #[track_caller]
    pub const fn const_new(data: T) -> Mutex<T> {
        Mutex {
            word: Word::new_static(0, "Mutex"),
            data: std::cell::UnsafeCell::new(data),
        }
    }

    pub fn into_inner(self) -> LockResult<T> {
        Ok(self.data.into_inner())
    }
}

impl<T: ?Sized> Mutex<T> {
    /// Locks, blocking the thread while another holds the lock.
    #[track_caller]
    pub fn lock(&self) -> LockResult<MutexGuard<'_, T>> {
        let at = Location::caller();
        if !crate::rt::in_model() {
            self.word.store(1, StoreOrd::Relaxed, at);
            return Ok(MutexGuard::new(self));
        }
        let then = Then::Cas {
            expected: 0,
            new: 1,
            success: RmwOrd::Acquire,
            failure: LoadOrd::Relaxed,
        };
        self.word.await_(Until::Is(0), then, "mutex", at);
        self.word.set_owner(at);
        Ok(MutexGuard::new(self))
    }

    #[track_caller]
    pub fn try_lock(&self) -> TryLockResult<MutexGuard<'_, T>> {
        let at = Location::caller();
        match self.word.cas(0, 1, RmwOrd::Acquire, at) {
            Ok(_) => {
                self.word.set_owner(at);
                Ok(MutexGuard::new(self))
            }
            Err(_) => Err(TryLockError::WouldBlock),
        }
    }

    pub fn get_mut(&mut self) -> LockResult<&mut T> {
        Ok(self.data.get_mut())
    }

    pub fn is_poisoned(&self) -> bool {
        false
    }

    pub fn clear_poison(&self) {}

    #[track_caller]
    pub(crate) fn unlock(&self) {
        self.word.clear_owner();
        self.word.store(0, StoreOrd::Release, Location::caller());
    }
}

impl<T: Default> Default for Mutex<T> {
    #[track_caller]
    fn default() -> Self {
        Mutex::new(T::default())
    }
}

impl<T> From<T> for Mutex<T> {
    #[track_caller]
    fn from(v: T) -> Self {
        Mutex::new(v)
    }
}

impl<T: ?Sized> fmt::Debug for Mutex<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad("Mutex { .. }")
    }
}

impl<T: ?Sized> Deref for MutexGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the guard holds the lock.
        unsafe { &*self.lock.data.get() }
    }
}

impl<T: ?Sized> DerefMut for MutexGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the guard holds the lock.
        unsafe { &mut *self.lock.data.get() }
    }
}

impl<T: ?Sized> Drop for MutexGuard<'_, T> {
    #[track_caller]
    fn drop(&mut self) {
        self.lock.unlock();
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for MutexGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}
