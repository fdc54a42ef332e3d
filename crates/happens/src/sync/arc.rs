//! A modelled `Arc` (and `Weak`): reference counts are modelled atomics
//! (Relaxed increments, Release decrements, an Acquire fence before the
//! value is dropped), and every `Arc` allocation is leak-tracked: one still
//! alive when all threads finished is reported as a leak.

use std::fmt;
use std::ops::Deref;
use std::panic::Location;
use std::ptr::NonNull;

use super::atomic::{bookkeeping_fence, AtomicUsize, Ordering};
use crate::rt;

struct Inner<T> {
    strong: AtomicUsize,
    /// Weak references, plus one held by all strong ones together.
    weak: AtomicUsize,
    data: std::mem::ManuallyDrop<T>,
    track: Option<u64>,
}

pub struct Arc<T> {
    ptr: NonNull<Inner<T>>,
}

unsafe impl<T: Send + Sync> Send for Arc<T> {}
unsafe impl<T: Send + Sync> Sync for Arc<T> {}

pub struct Weak<T> {
    ptr: Option<NonNull<Inner<T>>>,
}

unsafe impl<T: Send + Sync> Send for Weak<T> {}
unsafe impl<T: Send + Sync> Sync for Weak<T> {}

/// The reference counts: the library's bookkeeping, which traces show as
/// the calls they stand for (`Arc::clone`, `drop(Arc)`) and diagrams leave
/// out.
const STRONG: rt::Kind = rt::Kind {
    name: "Arc strong count",
    count: Some(rt::Count::Strong),
};
const WEAK: rt::Kind = rt::Kind {
    name: "Arc weak count",
    count: Some(rt::Count::Weak),
};

impl<T> Arc<T> {
    #[track_caller]
    pub fn new(data: T) -> Arc<T> {
        let inner = Box::new(Inner {
            strong: AtomicUsize::with_kind(1, STRONG),
            weak: AtomicUsize::with_kind(1, WEAK),
            data: std::mem::ManuallyDrop::new(data),
            track: rt::track("Arc", Location::caller()),
        });
        Arc {
            ptr: NonNull::from(Box::leak(inner)),
        }
    }

    #[track_caller]
    pub fn pin(data: T) -> std::pin::Pin<Arc<T>> {
        // SAFETY: the value is never moved out of its allocation.
        unsafe { std::pin::Pin::new_unchecked(Arc::new(data)) }
    }

    fn inner(&self) -> &Inner<T> {
        // SAFETY: a strong reference keeps the allocation alive.
        unsafe { self.ptr.as_ref() }
    }

    #[track_caller]
    pub fn strong_count(this: &Self) -> usize {
        this.inner().strong.load(Ordering::SeqCst)
    }

    #[track_caller]
    pub fn weak_count(this: &Self) -> usize {
        this.inner().weak.load(Ordering::SeqCst) - 1
    }

    pub fn ptr_eq(a: &Self, b: &Self) -> bool {
        a.ptr == b.ptr
    }

    pub fn as_ptr(this: &Self) -> *const T {
        &*this.inner().data as *const T
    }

    #[track_caller]
    pub fn downgrade(this: &Self) -> Weak<T> {
        this.inner().weak.fetch_add(1, Ordering::Relaxed);
        Weak {
            ptr: Some(this.ptr),
        }
    }

    /// `Some` when this is the only reference (strong and weak).
    #[track_caller]
    pub fn get_mut(this: &mut Self) -> Option<&mut T> {
        let inner = this.inner();
        if inner
            .weak
            .compare_exchange(1, usize::MAX, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            return None;
        }
        let unique = inner.strong.load(Ordering::Acquire) == 1;
        inner.weak.store(1, Ordering::Release);
        if unique {
            // SAFETY: unique owner.
            Some(unsafe { &mut this.ptr.as_mut().data })
        } else {
            None
        }
    }

    #[track_caller]
    pub fn try_unwrap(this: Self) -> Result<T, Self> {
        if this
            .inner()
            .strong
            .compare_exchange(1, 0, Ordering::Relaxed, Ordering::Relaxed)
            .is_err()
        {
            return Err(this);
        }
        bookkeeping_fence();
        let ptr = this.ptr;
        std::mem::forget(this);
        // SAFETY: the strong count went to zero here; we own the value.
        let data = unsafe { std::mem::ManuallyDrop::take(&mut (*ptr.as_ptr()).data) };
        rt::untrack(unsafe { ptr.as_ref() }.track);
        drop(Weak { ptr: Some(ptr) });
        Ok(data)
    }

    #[track_caller]
    pub fn into_inner(this: Self) -> Option<T> {
        Arc::try_unwrap(this).ok()
    }

    pub fn into_raw(this: Self) -> *const T {
        let p = Arc::as_ptr(&this);
        std::mem::forget(this);
        p
    }

    /// # Safety
    /// `ptr` must come from [`Arc::into_raw`].
    pub unsafe fn from_raw(ptr: *const T) -> Self {
        let offset = std::mem::offset_of!(Inner<T>, data);
        let inner = (ptr as *const u8).sub(offset) as *mut Inner<T>;
        Arc {
            ptr: NonNull::new_unchecked(inner),
        }
    }

    /// # Safety
    /// `ptr` must come from [`Arc::into_raw`] and be alive.
    #[track_caller]
    pub unsafe fn increment_strong_count(ptr: *const T) {
        let a = std::mem::ManuallyDrop::new(Arc::from_raw(ptr));
        let _b: std::mem::ManuallyDrop<Arc<T>> = std::mem::ManuallyDrop::new((*a).clone());
    }

    /// # Safety
    /// `ptr` must come from [`Arc::into_raw`] and be alive.
    #[track_caller]
    pub unsafe fn decrement_strong_count(ptr: *const T) {
        drop(Arc::from_raw(ptr));
    }
}

impl<T: Clone> Arc<T> {
    #[track_caller]
    pub fn make_mut(this: &mut Self) -> &mut T {
        if Arc::get_mut(this).is_none() {
            *this = Arc::new((**this).clone());
        }
        Arc::get_mut(this).expect("unique after clone")
    }

    #[track_caller]
    pub fn unwrap_or_clone(this: Self) -> T {
        Arc::try_unwrap(this).unwrap_or_else(|a| (*a).clone())
    }
}

impl<T> Clone for Arc<T> {
    #[track_caller]
    fn clone(&self) -> Self {
        self.inner().strong.fetch_add(1, Ordering::Relaxed);
        Arc { ptr: self.ptr }
    }
}

impl<T> Drop for Arc<T> {
    #[track_caller]
    fn drop(&mut self) {
        // the execution may end while this thread waits in the decrement;
        // the thread is then unwound from it (see `Runtime::teardown`), and
        // the guard finishes the drop outside the model, so that the last
        // reference still frees the value
        let guard = Unwound(self);
        let old = guard.0.inner().strong.fetch_sub(1, Ordering::Release);
        let this = guard.0 as *mut Arc<T>;
        std::mem::forget(guard);
        // SAFETY: the guard held the only use of `self`.
        let this = unsafe { &mut *this };
        if old != 1 {
            return;
        }
        this.drop_last();
    }
}

/// Finishes the drop of an `Arc` whose thread is unwound in its decrement.
struct Unwound<'a, T>(&'a mut Arc<T>);

impl<T> Drop for Unwound<'_, T> {
    fn drop(&mut self) {
        if self.0.inner().strong.fetch_sub(1, Ordering::Release) == 1 {
            self.0.drop_last();
        }
    }
}

impl<T> Arc<T> {
    /// The drop of the last strong reference.
    fn drop_last(&mut self) {
        bookkeeping_fence();
        // SAFETY: last strong reference.
        unsafe { std::mem::ManuallyDrop::drop(&mut (*self.ptr.as_ptr()).data) };
        rt::untrack(self.inner().track);
        drop(Weak {
            ptr: Some(self.ptr),
        });
    }
}

impl<T> Deref for Arc<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.inner().data
    }
}

impl<T: Default> Default for Arc<T> {
    #[track_caller]
    fn default() -> Self {
        Arc::new(T::default())
    }
}

impl<T> From<T> for Arc<T> {
    #[track_caller]
    fn from(v: T) -> Self {
        Arc::new(v)
    }
}

impl<T> AsRef<T> for Arc<T> {
    fn as_ref(&self) -> &T {
        self
    }
}

impl<T> std::borrow::Borrow<T> for Arc<T> {
    fn borrow(&self) -> &T {
        self
    }
}

impl<T: fmt::Debug> fmt::Debug for Arc<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T: fmt::Display> fmt::Display for Arc<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&**self, f)
    }
}

impl<T: PartialEq> PartialEq for Arc<T> {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl<T> Weak<T> {
    pub fn new() -> Weak<T> {
        Weak { ptr: None }
    }

    #[track_caller]
    pub fn upgrade(&self) -> Option<Arc<T>> {
        let ptr = self.ptr?;
        // SAFETY: a weak reference keeps the allocation alive.
        let inner = unsafe { ptr.as_ref() };
        let mut n = inner.strong.load(Ordering::Relaxed);
        loop {
            if n == 0 {
                return None;
            }
            match inner
                .strong
                .compare_exchange(n, n + 1, Ordering::Acquire, Ordering::Relaxed)
            {
                Ok(_) => return Some(Arc { ptr }),
                Err(m) => n = m,
            }
        }
    }
}

impl<T> Default for Weak<T> {
    fn default() -> Self {
        Weak::new()
    }
}

impl<T> Clone for Weak<T> {
    #[track_caller]
    fn clone(&self) -> Self {
        if let Some(p) = self.ptr {
            // SAFETY: see `upgrade`.
            unsafe { p.as_ref() }.weak.fetch_add(1, Ordering::Relaxed);
        }
        Weak { ptr: self.ptr }
    }
}

impl<T> Drop for Weak<T> {
    #[track_caller]
    fn drop(&mut self) {
        let Some(p) = self.ptr else { return };
        // SAFETY: see `upgrade`.
        if unsafe { p.as_ref() }.weak.fetch_sub(1, Ordering::Release) == 1 {
            bookkeeping_fence();
            // SAFETY: last reference of any kind; the value was dropped.
            drop(unsafe { Box::from_raw(p.as_ptr()) });
        }
    }
}

impl<T> fmt::Debug for Weak<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad("(Weak)")
    }
}
