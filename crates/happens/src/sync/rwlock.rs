//! A modelled `RwLock`: one word holding the reader count, or `WRITER`.
//! Readers join with a compare-exchange (Acquire) and leave with a Release
//! decrement; a writer takes the word from 0. A thread that cannot take it
//! blocks until a release is visible.

use std::fmt;
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};
use std::panic::{Location, RefUnwindSafe, UnwindSafe};
use std::sync::{LockResult, TryLockError, TryLockResult};

use happens_engine::{LoadOrd, RmwKind, RmwOp, RmwOrd, StoreOrd, Then, Until, Width};

use super::raw::Word;

const WRITER: u64 = u64::MAX;

pub struct RwLock<T: ?Sized> {
    word: Word,
    data: std::cell::UnsafeCell<T>,
}

unsafe impl<T: ?Sized + Send> Send for RwLock<T> {}
unsafe impl<T: ?Sized + Send + Sync> Sync for RwLock<T> {}

// As `std`'s (loom's wraps one); see `Mutex`.
impl<T: ?Sized> UnwindSafe for RwLock<T> {}
impl<T: ?Sized> RefUnwindSafe for RwLock<T> {}

/// Never `Send`; `Sync` when `T: Send + Sync`; unwind-safe when `T` is
/// `RefUnwindSafe` (`std`'s read guard holds a `NonNull<T>`): as loom's,
/// which holds a `&RwLock<T>` and `std`'s guard.
pub struct RwLockReadGuard<'a, T: ?Sized> {
    lock: &'a RwLock<T>,
    _not_send: PhantomData<(*const (), &'a T)>,
}

/// Never `Send`; `Sync` when `T: Send + Sync`: as loom's.
pub struct RwLockWriteGuard<'a, T: ?Sized> {
    lock: &'a RwLock<T>,
    _not_send: super::NotSendSync,
}

// SAFETY: a shared guard of either kind only hands out `&T` (and
// `&RwLock<T>`).
unsafe impl<T: ?Sized + Send + Sync> Sync for RwLockReadGuard<'_, T> {}
unsafe impl<T: ?Sized + Send + Sync> Sync for RwLockWriteGuard<'_, T> {}

impl<T> RwLock<T> {
    #[track_caller]
    pub fn new(data: T) -> RwLock<T> {
        RwLock {
            word: Word::new(0, "RwLock"),
            data: std::cell::UnsafeCell::new(data),
        }
    }
    pub fn into_inner(self) -> LockResult<T> {
        Ok(self.data.into_inner())
    }
}

impl<T: ?Sized> RwLock<T> {
    /// Tries to add a reader; `Err` when a writer holds the lock.
    fn try_read_inner(&self, at: crate::rt::Loc) -> Result<(), ()> {
        loop {
            let n = self.word.load(LoadOrd::Relaxed, at);
            if n == WRITER {
                return Err(());
            }
            if self.word.cas(n, n + 1, RmwOrd::Acquire, at).is_ok() {
                return Ok(());
            }
        }
    }

    #[track_caller]
    pub fn read(&self) -> LockResult<RwLockReadGuard<'_, T>> {
        let at = Location::caller();
        if !crate::rt::in_model() {
            return match self.try_read_inner(at) {
                Ok(()) => Ok(RwLockReadGuard {
                    lock: self,
                    _not_send: PhantomData,
                }),
                Err(_) => panic!("happens: an RwLock read would block forever outside a model"),
            };
        }
        // wait while a writer holds it, then enter as a reader (one step)
        let then = Then::Rmw {
            op: RmwOp {
                kind: RmwKind::Enter,
                operand: WRITER,
                width: Width::U64,
            },
            ord: RmwOrd::Acquire,
        };
        self.word
            .await_(Until::IsNot(WRITER), then, "rwlock (read)", at);
        Ok(RwLockReadGuard {
            lock: self,
            _not_send: PhantomData,
        })
    }

    #[track_caller]
    pub fn try_read(&self) -> TryLockResult<RwLockReadGuard<'_, T>> {
        match self.try_read_inner(Location::caller()) {
            Ok(()) => Ok(RwLockReadGuard {
                lock: self,
                _not_send: PhantomData,
            }),
            Err(_) => Err(TryLockError::WouldBlock),
        }
    }

    #[track_caller]
    pub fn write(&self) -> LockResult<RwLockWriteGuard<'_, T>> {
        let at = Location::caller();
        // wait until no one holds it, then take it (one step)
        let then = Then::Cas {
            expected: 0,
            new: WRITER,
            success: RmwOrd::Acquire,
            failure: LoadOrd::Relaxed,
        };
        self.word.await_(Until::Is(0), then, "rwlock (write)", at);
        self.word.set_owner(at);
        Ok(RwLockWriteGuard {
            lock: self,
            _not_send: PhantomData,
        })
    }

    #[track_caller]
    pub fn try_write(&self) -> TryLockResult<RwLockWriteGuard<'_, T>> {
        let at = Location::caller();
        match self.word.cas(0, WRITER, RmwOrd::Acquire, at) {
            Ok(_) => {
                self.word.set_owner(at);
                Ok(RwLockWriteGuard {
                    lock: self,
                    _not_send: PhantomData,
                })
            }
            Err(_) => Err(TryLockError::WouldBlock),
        }
    }

    pub fn get_mut(&mut self) -> LockResult<&mut T> {
        Ok(self.data.get_mut())
    }
}

impl<T: Default> Default for RwLock<T> {
    #[track_caller]
    fn default() -> Self {
        RwLock::new(T::default())
    }
}

impl<T> From<T> for RwLock<T> {
    #[track_caller]
    fn from(v: T) -> Self {
        RwLock::new(v)
    }
}

impl<T: ?Sized> fmt::Debug for RwLock<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad("RwLock { .. }")
    }
}

impl<T: ?Sized> Deref for RwLockReadGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: a reader holds the lock.
        unsafe { &*self.lock.data.get() }
    }
}

impl<T: ?Sized> Drop for RwLockReadGuard<'_, T> {
    #[track_caller]
    fn drop(&mut self) {
        self.lock
            .word
            .rmw(RmwKind::Sub, 1, RmwOrd::Release, Location::caller());
    }
}

impl<T: ?Sized> Deref for RwLockWriteGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the writer holds the lock.
        unsafe { &*self.lock.data.get() }
    }
}

impl<T: ?Sized> DerefMut for RwLockWriteGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the writer holds the lock.
        unsafe { &mut *self.lock.data.get() }
    }
}

impl<T: ?Sized> Drop for RwLockWriteGuard<'_, T> {
    #[track_caller]
    fn drop(&mut self) {
        self.lock.word.clear_owner();
        self.lock
            .word
            .store(0, StoreOrd::Release, Location::caller());
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for RwLockReadGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for RwLockWriteGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}
