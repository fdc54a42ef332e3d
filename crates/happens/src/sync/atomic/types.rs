//! The public atomic types, stamped out over [`super::Atom`].

use std::fmt;

use happens_engine::RmwKind;

use super::{Atom, Bits, Ordering};

macro_rules! common {
    ($A:ident, $t:ty) => {
        impl $A {
            /// Creates the atomic: inside a model, its creation is a write
            /// of the current thread (see "Objects and their locations" in
            /// the crate docs). Not `const`, as in loom: for a `static`, use
            /// [`Self::const_new`].
            #[track_caller]
            pub fn new(v: $t) -> Self {
                $A(Atom::new(v))
            }
            /// Creates an atomic for a `static`: it exists before every
            /// execution, and holds `v` at the start of each.
            #[track_caller]
            pub const fn const_new(v: $t) -> Self {
                $A(Atom::new_static(v))
            }
            #[inline(always)]
            #[track_caller]
            pub fn load(&self, order: Ordering) -> $t {
                self.0.load(order)
            }
            /// See `Atom::with_kind`.
            #[allow(dead_code)]
            #[track_caller]
            pub(crate) fn with_kind(v: $t, kind: crate::rt::Kind) -> Self {
                $A(Atom::with_kind(v, kind))
            }
            #[inline(always)]
            #[track_caller]
            pub fn store(&self, val: $t, order: Ordering) {
                self.0.store(val, order)
            }
            #[inline(always)]
            #[track_caller]
            pub fn swap(&self, val: $t, order: Ordering) -> $t {
                self.0.rmw(RmwKind::Swap, val.to_bits(), order)
            }
            #[inline(always)]
            #[track_caller]
            pub fn compare_exchange(
                &self,
                current: $t,
                new: $t,
                success: Ordering,
                failure: Ordering,
            ) -> Result<$t, $t> {
                self.0.cas(current, new, success, failure, false)
            }
            /// May fail spuriously: both outcomes are explored.
            #[inline(always)]
            #[track_caller]
            pub fn compare_exchange_weak(
                &self,
                current: $t,
                new: $t,
                success: Ordering,
                failure: Ordering,
            ) -> Result<$t, $t> {
                self.0.cas(current, new, success, failure, true)
            }
            #[deprecated(note = "use `compare_exchange` or `compare_exchange_weak`")]
            #[track_caller]
            pub fn compare_and_swap(&self, current: $t, new: $t, order: Ordering) -> $t {
                let failure = match order {
                    Ordering::Release => Ordering::Relaxed,
                    Ordering::AcqRel => Ordering::Acquire,
                    o => o,
                };
                match self.0.cas(current, new, order, failure, false) {
                    Ok(v) | Err(v) => v,
                }
            }
            #[track_caller]
            pub fn fetch_update<F: FnMut($t) -> Option<$t>>(
                &self,
                set_order: Ordering,
                fetch_order: Ordering,
                f: F,
            ) -> Result<$t, $t> {
                self.0.fetch_update(set_order, fetch_order, f)
            }
            /// Exclusive access (a non-atomic access in the model).
            #[track_caller]
            pub fn get_mut(&mut self) -> &mut $t {
                self.0.get_mut()
            }
            /// loom's exclusive access.
            #[track_caller]
            pub fn with_mut<R>(&mut self, f: impl FnOnce(&mut $t) -> R) -> R {
                f(self.0.get_mut())
            }
            /// A non-atomic load (loom API).
            ///
            /// # Safety
            /// No write may race with it; the model reports one that does.
            #[track_caller]
            pub unsafe fn unsync_load(&self) -> $t {
                self.0.unsync_load()
            }
            #[track_caller]
            pub fn into_inner(self) -> $t {
                self.0.into_inner()
            }
        }

        impl Default for $A {
            #[track_caller]
            fn default() -> Self {
                Self::new(Default::default())
            }
        }

        impl From<$t> for $A {
            #[track_caller]
            fn from(v: $t) -> Self {
                Self::new(v)
            }
        }

        impl fmt::Debug for $A {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(&self.0, f)
            }
        }
    };
}

macro_rules! int {
    ($($A:ident $t:ty;)*) => {$(
        #[doc = concat!("A modelled `std::sync::atomic::", stringify!($A), "`.")]
        pub struct $A(Atom<$t>);
        common!($A, $t);
        impl $A {
            #[inline(always)]
            #[track_caller]
            pub fn fetch_add(&self, val: $t, order: Ordering) -> $t {
                self.0.rmw(RmwKind::Add, val.to_bits(), order)
            }
            #[inline(always)]
            #[track_caller]
            pub fn fetch_sub(&self, val: $t, order: Ordering) -> $t {
                self.0.rmw(RmwKind::Sub, val.to_bits(), order)
            }
            #[inline(always)]
            #[track_caller]
            pub fn fetch_and(&self, val: $t, order: Ordering) -> $t {
                self.0.rmw(RmwKind::And, val.to_bits(), order)
            }
            #[inline(always)]
            #[track_caller]
            pub fn fetch_nand(&self, val: $t, order: Ordering) -> $t {
                self.0.rmw(RmwKind::Nand, val.to_bits(), order)
            }
            #[inline(always)]
            #[track_caller]
            pub fn fetch_or(&self, val: $t, order: Ordering) -> $t {
                self.0.rmw(RmwKind::Or, val.to_bits(), order)
            }
            #[inline(always)]
            #[track_caller]
            pub fn fetch_xor(&self, val: $t, order: Ordering) -> $t {
                self.0.rmw(RmwKind::Xor, val.to_bits(), order)
            }
            #[inline(always)]
            #[track_caller]
            pub fn fetch_max(&self, val: $t, order: Ordering) -> $t {
                self.0.rmw(RmwKind::Max, val.to_bits(), order)
            }
            #[inline(always)]
            #[track_caller]
            pub fn fetch_min(&self, val: $t, order: Ordering) -> $t {
                self.0.rmw(RmwKind::Min, val.to_bits(), order)
            }
        }
    )*};
}

int! {
    AtomicU8 u8;
    AtomicU16 u16;
    AtomicU32 u32;
    AtomicU64 u64;
    AtomicUsize usize;
    AtomicI8 i8;
    AtomicI16 i16;
    AtomicI32 i32;
    AtomicI64 i64;
    AtomicIsize isize;
}

/// A modelled `std::sync::atomic::AtomicBool`.
pub struct AtomicBool(Atom<bool>);
common!(AtomicBool, bool);

impl AtomicBool {
    #[inline(always)]
    #[track_caller]
    pub fn fetch_and(&self, val: bool, order: Ordering) -> bool {
        self.0.rmw(RmwKind::And, val as u64, order)
    }
    #[inline(always)]
    #[track_caller]
    pub fn fetch_or(&self, val: bool, order: Ordering) -> bool {
        self.0.rmw(RmwKind::Or, val as u64, order)
    }
    #[inline(always)]
    #[track_caller]
    pub fn fetch_xor(&self, val: bool, order: Ordering) -> bool {
        self.0.rmw(RmwKind::Xor, val as u64, order)
    }
    /// `!(old & val)`: `true` when `val` is false, else `!old`.
    #[inline(always)]
    #[track_caller]
    pub fn fetch_nand(&self, val: bool, order: Ordering) -> bool {
        if val {
            self.0.rmw(RmwKind::Xor, 1, order)
        } else {
            self.0.rmw(RmwKind::Swap, 1, order)
        }
    }
    #[inline(always)]
    #[track_caller]
    pub fn fetch_not(&self, order: Ordering) -> bool {
        self.0.rmw(RmwKind::Xor, 1, order)
    }
}

/// A modelled `std::sync::atomic::AtomicPtr`.
///
/// Inside a model the location holds the pointer's address in the running
/// execution, as in `std`: null checks, equality, compare-exchange, tag bits
/// (`map_addr`, `fetch_or`), `fetch_ptr_add` and `fetch_byte_add` all act on
/// real addresses. Addresses of fresh allocations differ from one run of
/// the program to the next; the model takes every value from the run it is
/// in (a read returns what its write wrote in this run), so two runs that
/// allocate the same boxes in the same threads see the same pointers as
/// equal. The allocator may give a freed allocation's address to a new one
/// in one run and not in the next, making two pointers equal only in one:
/// a compare-exchange re-run whose comparison comes out the other way keeps
/// the outcome it had when first explored, and the report counts such
/// executions ([`Report::kept_outcome`](crate::model::Report::kept_outcome)).
/// How many executions a program that frees and compares pointers has then
/// depends on the allocator; a program that never frees what it compares
/// (or whose frees the allocator does not reuse, as GenMC's) has GenMC's.
pub struct AtomicPtr<T>(Atom<*mut T>);

impl<T> AtomicPtr<T> {
    /// Creates the atomic (a write of the current thread inside a model).
    #[track_caller]
    pub fn new(p: *mut T) -> Self {
        AtomicPtr(Atom::new(p))
    }
    /// Creates an atomic for a `static` (see `AtomicUsize::const_new`).
    #[track_caller]
    pub const fn const_new(p: *mut T) -> Self {
        AtomicPtr(Atom::new_static(p))
    }
    #[inline(always)]
    #[track_caller]
    pub fn load(&self, order: Ordering) -> *mut T {
        self.0.load(order)
    }
    #[inline(always)]
    #[track_caller]
    pub fn store(&self, p: *mut T, order: Ordering) {
        self.0.store(p, order)
    }
    #[inline(always)]
    #[track_caller]
    pub fn swap(&self, p: *mut T, order: Ordering) -> *mut T {
        self.0.rmw(RmwKind::Swap, p as usize as u64, order)
    }
    #[inline(always)]
    #[track_caller]
    pub fn compare_exchange(
        &self,
        current: *mut T,
        new: *mut T,
        success: Ordering,
        failure: Ordering,
    ) -> Result<*mut T, *mut T> {
        self.0.cas(current, new, success, failure, false)
    }
    #[inline(always)]
    #[track_caller]
    pub fn compare_exchange_weak(
        &self,
        current: *mut T,
        new: *mut T,
        success: Ordering,
        failure: Ordering,
    ) -> Result<*mut T, *mut T> {
        self.0.cas(current, new, success, failure, true)
    }
    #[deprecated(note = "use `compare_exchange` or `compare_exchange_weak`")]
    #[track_caller]
    pub fn compare_and_swap(&self, current: *mut T, new: *mut T, order: Ordering) -> *mut T {
        let failure = match order {
            Ordering::Release => Ordering::Relaxed,
            Ordering::AcqRel => Ordering::Acquire,
            o => o,
        };
        match self.0.cas(current, new, order, failure, false) {
            Ok(v) | Err(v) => v,
        }
    }
    #[track_caller]
    pub fn fetch_update<F: FnMut(*mut T) -> Option<*mut T>>(
        &self,
        set_order: Ordering,
        fetch_order: Ordering,
        f: F,
    ) -> Result<*mut T, *mut T> {
        self.0.fetch_update(set_order, fetch_order, f)
    }
    /// Adds `val * size_of::<T>()` bytes (wrapping), returns the old pointer.
    #[inline(always)]
    #[track_caller]
    pub fn fetch_ptr_add(&self, val: usize, order: Ordering) -> *mut T {
        let bytes = val.wrapping_mul(std::mem::size_of::<T>());
        self.0.rmw(RmwKind::Add, bytes as u64, order)
    }
    #[inline(always)]
    #[track_caller]
    pub fn fetch_ptr_sub(&self, val: usize, order: Ordering) -> *mut T {
        let bytes = val.wrapping_mul(std::mem::size_of::<T>());
        self.0.rmw(RmwKind::Sub, bytes as u64, order)
    }
    #[inline(always)]
    #[track_caller]
    pub fn fetch_byte_add(&self, val: usize, order: Ordering) -> *mut T {
        self.0.rmw(RmwKind::Add, val as u64, order)
    }
    #[inline(always)]
    #[track_caller]
    pub fn fetch_byte_sub(&self, val: usize, order: Ordering) -> *mut T {
        self.0.rmw(RmwKind::Sub, val as u64, order)
    }
    #[inline(always)]
    #[track_caller]
    pub fn fetch_or(&self, val: usize, order: Ordering) -> *mut T {
        self.0.rmw(RmwKind::Or, val as u64, order)
    }
    #[inline(always)]
    #[track_caller]
    pub fn fetch_and(&self, val: usize, order: Ordering) -> *mut T {
        self.0.rmw(RmwKind::And, val as u64, order)
    }
    #[inline(always)]
    #[track_caller]
    pub fn fetch_xor(&self, val: usize, order: Ordering) -> *mut T {
        self.0.rmw(RmwKind::Xor, val as u64, order)
    }
    #[track_caller]
    pub fn get_mut(&mut self) -> &mut *mut T {
        self.0.get_mut()
    }
    #[track_caller]
    pub fn with_mut<R>(&mut self, f: impl FnOnce(&mut *mut T) -> R) -> R {
        f(self.0.get_mut())
    }
    /// # Safety
    /// No write may race with it; the model reports one that does.
    #[track_caller]
    pub unsafe fn unsync_load(&self) -> *mut T {
        self.0.unsync_load()
    }
    #[track_caller]
    pub fn into_inner(self) -> *mut T {
        self.0.into_inner()
    }
}

impl<T> Default for AtomicPtr<T> {
    #[track_caller]
    fn default() -> Self {
        Self::new(std::ptr::null_mut())
    }
}

impl<T> From<*mut T> for AtomicPtr<T> {
    #[track_caller]
    fn from(p: *mut T) -> Self {
        Self::new(p)
    }
}

impl<T> fmt::Debug for AtomicPtr<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}
