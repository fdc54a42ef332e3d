//! Modelled `UnsafeCell` and `Cell`: every access is a non-atomic engine
//! access of the cell's location, so conflicting accesses that are not
//! ordered by happens-before are reported as a data race.

use std::panic::Location;

use happens_engine::{LoadOrd, Op, StoreOrd};

use crate::rt::{self, Slot};

/// A modelled `UnsafeCell` with loom's API (`with`, `with_mut`, `get`, `get_mut`).
pub struct UnsafeCell<T: ?Sized> {
    slot: Slot,
    data: std::cell::UnsafeCell<T>,
}

// SAFETY: like `std::cell::UnsafeCell`, sharing is the user's responsibility;
// the model checks it.
unsafe impl<T: ?Sized + Send> Send for UnsafeCell<T> {}

impl<T> UnsafeCell<T> {
    #[track_caller]
    pub fn new(data: T) -> UnsafeCell<T> {
        UnsafeCell {
            slot: Slot::new(crate::rt::Kind::named("UnsafeCell"), 0, false),
            data: std::cell::UnsafeCell::new(data),
        }
    }
    pub fn into_inner(self) -> T {
        self.data.into_inner()
    }
}

impl<T: ?Sized> UnsafeCell<T> {
    fn read(&self, at: rt::Loc) {
        if rt::in_model() {
            let loc = self.slot.loc(0, false, at).0;
            rt::op(
                Op::Load {
                    loc,
                    ord: LoadOrd::NonAtomic,
                },
                at,
            );
        }
    }
    fn write(&self, at: rt::Loc) {
        if rt::in_model() {
            let loc = self.slot.loc(0, false, at).0;
            rt::op(
                Op::Store {
                    loc,
                    val: 0,
                    ord: StoreOrd::NonAtomic,
                },
                at,
            );
        }
    }

    /// An immutable access (a non-atomic read).
    #[track_caller]
    pub fn with<F, R>(&self, f: F) -> R
    where
        F: FnOnce(*const T) -> R,
    {
        self.read(Location::caller());
        f(self.data.get())
    }

    /// A mutable access (a non-atomic write).
    #[track_caller]
    pub fn with_mut<F, R>(&self, f: F) -> R
    where
        F: FnOnce(*mut T) -> R,
    {
        self.write(Location::caller());
        f(self.data.get())
    }

    /// An immutable access as a guard.
    #[track_caller]
    pub fn get(&self) -> ConstPtr<T> {
        self.read(Location::caller());
        ConstPtr {
            ptr: self.data.get(),
        }
    }

    /// A mutable access as a guard (takes `&self`, as in loom).
    #[track_caller]
    pub fn get_mut(&self) -> MutPtr<T> {
        self.write(Location::caller());
        MutPtr {
            ptr: self.data.get(),
        }
    }
}

impl<T: Default> Default for UnsafeCell<T> {
    #[track_caller]
    fn default() -> Self {
        UnsafeCell::new(T::default())
    }
}

impl<T> From<T> for UnsafeCell<T> {
    #[track_caller]
    fn from(v: T) -> Self {
        UnsafeCell::new(v)
    }
}

impl<T: ?Sized> std::fmt::Debug for UnsafeCell<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad("UnsafeCell { .. }")
    }
}

/// A checked immutable pointer into an [`UnsafeCell`].
#[derive(Debug)]
pub struct ConstPtr<T: ?Sized> {
    ptr: *const T,
}

impl<T: ?Sized> ConstPtr<T> {
    /// # Safety
    /// The cell must not be mutated while the reference lives.
    pub unsafe fn deref(&self) -> &T {
        &*self.ptr
    }
    pub fn with<F, R>(&self, f: F) -> R
    where
        F: FnOnce(*const T) -> R,
    {
        f(self.ptr)
    }
}

/// A checked mutable pointer into an [`UnsafeCell`].
#[derive(Debug)]
pub struct MutPtr<T: ?Sized> {
    ptr: *mut T,
}

impl<T: ?Sized> MutPtr<T> {
    /// # Safety
    /// No other reference to the cell's value may exist while it lives.
    #[allow(clippy::mut_from_ref)]
    pub unsafe fn deref(&self) -> &mut T {
        &mut *self.ptr
    }
    pub fn with<F, R>(&self, f: F) -> R
    where
        F: FnOnce(*mut T) -> R,
    {
        f(self.ptr)
    }
}

/// A modelled `std::cell::Cell` (single-threaded, but still checked).
#[derive(Debug)]
pub struct Cell<T> {
    cell: UnsafeCell<T>,
}

impl<T> Cell<T> {
    #[track_caller]
    pub fn new(v: T) -> Cell<T> {
        Cell {
            cell: UnsafeCell::new(v),
        }
    }
    #[track_caller]
    pub fn set(&self, v: T) {
        drop(self.replace(v));
    }
    #[track_caller]
    pub fn replace(&self, v: T) -> T {
        // SAFETY: `Cell` is `!Sync`; the model checks the access anyway.
        self.cell
            .with_mut(|p| unsafe { std::mem::replace(&mut *p, v) })
    }
    #[track_caller]
    pub fn swap(&self, other: &Cell<T>) {
        if std::ptr::eq(self, other) {
            return;
        }
        self.cell.with_mut(|a| {
            // SAFETY: distinct cells, exclusive by `!Sync`.
            other.cell.with_mut(|b| unsafe { std::ptr::swap(a, b) })
        })
    }
    pub fn into_inner(self) -> T {
        self.cell.into_inner()
    }
}

impl<T: Copy> Cell<T> {
    #[track_caller]
    pub fn get(&self) -> T {
        // SAFETY: see `replace`.
        self.cell.with(|p| unsafe { *p })
    }
}

impl<T: Default> Cell<T> {
    #[track_caller]
    pub fn take(&self) -> T {
        self.replace(T::default())
    }
}

impl<T: Default> Default for Cell<T> {
    #[track_caller]
    fn default() -> Self {
        Cell::new(T::default())
    }
}

impl<T: Copy> Clone for Cell<T> {
    #[track_caller]
    fn clone(&self) -> Self {
        Cell::new(self.get())
    }
}

impl<T> From<T> for Cell<T> {
    #[track_caller]
    fn from(v: T) -> Self {
        Cell::new(v)
    }
}

impl<T: Copy + PartialEq> PartialEq for Cell<T> {
    fn eq(&self, other: &Self) -> bool {
        self.get() == other.get()
    }
}
impl<T: Copy + Eq> Eq for Cell<T> {}
impl<T: Copy + PartialOrd> PartialOrd for Cell<T> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        self.get().partial_cmp(&other.get())
    }
}
impl<T: Copy + Ord> Ord for Cell<T> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.get().cmp(&other.get())
    }
}
