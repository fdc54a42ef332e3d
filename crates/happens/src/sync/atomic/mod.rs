//! Modelled atomics with the `std::sync::atomic` API.
//!
//! Every operation is one engine operation (an RMW or a compare-exchange is
//! one read-modify-write), with its ordering mapped one to one, and records
//! its caller's source location. Values travel as `u64` bits (signed
//! integers sign-extended); RMW arithmetic uses the type's width.
//! Invalid orderings panic like `std` does.
//!
//! Outside `happens::model` (e.g. reading a result after the model ran) the
//! operations act directly on the value, unmodelled.

use std::cell::UnsafeCell;
use std::fmt;
use std::panic::Location;

pub use std::sync::atomic::Ordering;

use happens_engine::{FenceOrd, LoadOrd, Op, Reply, RmwKind, RmwOp, RmwOrd, StoreOrd, Width};

use crate::rt::{self, Slot};

#[track_caller]
pub(crate) fn load_ord(o: Ordering) -> LoadOrd {
    match o {
        Ordering::Relaxed => LoadOrd::Relaxed,
        Ordering::Acquire => LoadOrd::Acquire,
        Ordering::SeqCst => LoadOrd::SeqCst,
        Ordering::Release => panic!("there is no such thing as a release load"),
        _ => panic!("there is no such thing as an acquire-release load"),
    }
}

#[track_caller]
pub(crate) fn store_ord(o: Ordering) -> StoreOrd {
    match o {
        Ordering::Relaxed => StoreOrd::Relaxed,
        Ordering::Release => StoreOrd::Release,
        Ordering::SeqCst => StoreOrd::SeqCst,
        Ordering::Acquire => panic!("there is no such thing as an acquire store"),
        _ => panic!("there is no such thing as an acquire-release store"),
    }
}

pub(crate) fn rmw_ord(o: Ordering) -> RmwOrd {
    match o {
        Ordering::Relaxed => RmwOrd::Relaxed,
        Ordering::Acquire => RmwOrd::Acquire,
        Ordering::Release => RmwOrd::Release,
        Ordering::AcqRel => RmwOrd::AcqRel,
        _ => RmwOrd::SeqCst,
    }
}

#[track_caller]
fn failure_ord(o: Ordering) -> LoadOrd {
    match o {
        Ordering::Release => panic!("there is no such thing as a release failure ordering"),
        Ordering::AcqRel => panic!("there is no such thing as an acquire-release failure ordering"),
        o => load_ord(o),
    }
}

/// A value an atomic can hold.
pub(crate) trait Bits: Copy {
    const NAME: &'static str;
    const WIDTH: Width;
    /// Whether values are pointers to canonicalize (see `rt::canon_ptr`).
    const PTR: bool = false;
    fn to_bits(self) -> u64;
    fn from_bits(b: u64) -> Self;
}

macro_rules! bits {
    ($($t:ty, $name:literal, $bits:literal, $signed:literal;)*) => {$(
        impl Bits for $t {
            const NAME: &'static str = $name;
            const WIDTH: Width = Width { bits: $bits, signed: $signed };
            #[allow(clippy::unnecessary_cast)]
            fn to_bits(self) -> u64 {
                if $signed { self as i64 as u64 } else { self as u64 }
            }
            fn from_bits(b: u64) -> Self {
                b as $t
            }
        }
    )*};
}

bits! {
    u8, "AtomicU8", 8, false;
    u16, "AtomicU16", 16, false;
    u32, "AtomicU32", 32, false;
    u64, "AtomicU64", 64, false;
    usize, "AtomicUsize", 64, false;
    i8, "AtomicI8", 8, true;
    i16, "AtomicI16", 16, true;
    i32, "AtomicI32", 32, true;
    i64, "AtomicI64", 64, true;
    isize, "AtomicIsize", 64, true;
}

impl Bits for bool {
    const NAME: &'static str = "AtomicBool";
    const WIDTH: Width = Width {
        bits: 8,
        signed: false,
    };
    fn to_bits(self) -> u64 {
        self as u64
    }
    fn from_bits(b: u64) -> Self {
        b != 0
    }
}

impl<T> Bits for *mut T {
    const NAME: &'static str = "AtomicPtr";
    const WIDTH: Width = Width::U64;
    const PTR: bool = true;
    fn to_bits(self) -> u64 {
        self as usize as u64
    }
    fn from_bits(b: u64) -> Self {
        b as usize as *mut T
    }
}

/// The engine value of `v` inside a model.
fn enc<T: Bits>(v: T) -> u64 {
    if T::PTR {
        rt::canon_ptr(v.to_bits() as usize)
    } else {
        v.to_bits()
    }
}

/// The value of an engine value inside a model.
fn dec<T: Bits>(b: u64) -> T {
    if T::PTR {
        T::from_bits(rt::uncanon_ptr(b) as u64)
    } else {
        T::from_bits(b)
    }
}

/// The shared implementation of every atomic type.
pub(crate) struct Atom<T: Bits> {
    v: UnsafeCell<T>,
    slot: Slot,
}

// SAFETY: all shared access goes through the engine (inside a model) or is
// single-threaded by the model's design (outside).
unsafe impl<T: Bits> Sync for Atom<T> {}
unsafe impl<T: Bits> Send for Atom<T> {}

impl<T: Bits> Atom<T> {
    #[track_caller]
    pub const fn new(v: T) -> Self {
        Self::with_kind(v, T::NAME)
    }

    /// An atomic that messages and diagrams call `kind` (the library's own
    /// bookkeeping, such as `Arc`'s counts, see [`crate::diagram`]).
    #[track_caller]
    pub const fn with_kind(v: T, kind: &'static str) -> Self {
        Atom {
            slot: Slot::new(kind),
            v: UnsafeCell::new(v),
        }
    }

    fn loc(&self, at: rt::Loc) -> Option<happens_engine::LocId> {
        if !rt::in_model() {
            return None;
        }
        Some(self.slot.loc(self.local().to_bits(), T::PTR, at))
    }

    /// Binds the object to its location now (inside a model), so that
    /// objects made together by one constructor get their pre-allocated
    /// locations in a fixed order (see the runtime's pre-allocation).
    pub fn bind(&self) {
        self.loc(self.slot.created);
    }

    fn local(&self) -> T {
        // SAFETY: see `loc`.
        unsafe { *self.v.get() }
    }

    fn set_local(&self, v: T) {
        // SAFETY: outside a model only one OS thread runs the test.
        unsafe { *self.v.get() = v }
    }

    #[track_caller]
    pub fn load(&self, o: Ordering) -> T {
        let ord = load_ord(o);
        let at = Location::caller();
        match self.loc(at) {
            Some(loc) => dec(rt::op(Op::Load { loc, ord }, at).val().unwrap()),
            None => self.local(),
        }
    }

    #[track_caller]
    pub fn unsync_load(&self) -> T {
        let at = Location::caller();
        match self.loc(at) {
            Some(loc) => dec(rt::op(
                Op::Load {
                    loc,
                    ord: LoadOrd::NonAtomic,
                },
                at,
            )
            .val()
            .unwrap()),
            None => self.local(),
        }
    }

    #[track_caller]
    pub fn store(&self, v: T, o: Ordering) {
        let ord = store_ord(o);
        let at = Location::caller();
        match self.loc(at) {
            Some(loc) => {
                rt::op(
                    Op::Store {
                        loc,
                        val: enc(v),
                        ord,
                    },
                    at,
                );
            }
            None => self.set_local(v),
        }
    }

    /// `swap` of a pointer (its operand is canonicalized in a model).
    #[track_caller]
    pub fn swap_ptr(&self, v: T, o: Ordering) -> T {
        if rt::in_model() {
            self.rmw(RmwKind::Swap, enc(v), o)
        } else {
            let old = self.local();
            self.set_local(v);
            old
        }
    }

    #[track_caller]
    pub fn rmw(&self, kind: RmwKind, operand: u64, o: Ordering) -> T {
        let at = Location::caller();
        let op = RmwOp {
            kind,
            operand,
            width: T::WIDTH,
        };
        match self.loc(at) {
            Some(loc) => {
                let r = rt::op(
                    Op::Rmw {
                        loc,
                        op,
                        ord: rmw_ord(o),
                    },
                    at,
                );
                dec(r.val().unwrap())
            }
            None => {
                let old = self.local();
                self.set_local(T::from_bits(op.apply(old.to_bits())));
                old
            }
        }
    }

    #[track_caller]
    pub fn cas(&self, cur: T, new: T, s: Ordering, f: Ordering, weak: bool) -> Result<T, T> {
        let failure = failure_ord(f);
        let at = Location::caller();
        match self.loc(at) {
            Some(loc) => match rt::op(
                Op::Cas {
                    loc,
                    expected: enc(cur),
                    new: enc(new),
                    success: rmw_ord(s),
                    failure,
                    weak,
                },
                at,
            ) {
                Reply::Cas { old, ok: true } => Ok(dec(old)),
                Reply::Cas { old, ok: false } => Err(dec(old)),
                r => panic!("happens: unexpected reply {r:?} to a compare-exchange"),
            },
            None => {
                let old = self.local();
                if old.to_bits() == cur.to_bits() {
                    self.set_local(new);
                    Ok(old)
                } else {
                    Err(old)
                }
            }
        }
    }

    #[track_caller]
    pub fn fetch_update(
        &self,
        set: Ordering,
        fetch: Ordering,
        mut f: impl FnMut(T) -> Option<T>,
    ) -> Result<T, T> {
        let mut prev = self.load(fetch);
        while let Some(next) = f(prev) {
            // a strong compare-exchange: a spurious failure would only add an
            // iteration equivalent to this one
            match self.cas(prev, next, set, fetch, false) {
                Ok(v) => return Ok(v),
                Err(v) => prev = v,
            }
        }
        Err(prev)
    }

    /// `&mut` access: brings the modelled value into the object (a
    /// non-atomic read, so a missing happens-before is a data race).
    #[track_caller]
    pub fn get_mut(&mut self) -> &mut T {
        if self.slot.live() {
            let v = self.unsync_load();
            self.slot.forget();
            *self.v.get_mut() = v;
        }
        self.v.get_mut()
    }

    #[track_caller]
    pub fn into_inner(mut self) -> T {
        *self.get_mut()
    }
}

impl<T: Bits + fmt::Debug> fmt::Debug for Atom<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if rt::in_model() {
            fmt::Debug::fmt(&self.load(Ordering::Relaxed), f)
        } else {
            fmt::Debug::fmt(&self.local(), f)
        }
    }
}

/// An atomic fence.
#[track_caller]
pub fn fence(order: Ordering) {
    let ord = match order {
        Ordering::Acquire => FenceOrd::Acquire,
        Ordering::Release => FenceOrd::Release,
        Ordering::AcqRel => FenceOrd::AcqRel,
        Ordering::SeqCst => FenceOrd::SeqCst,
        _ => panic!("there is no such thing as a relaxed fence"),
    };
    if rt::in_model() {
        rt::op(Op::Fence(ord), Location::caller());
    }
}

/// A compiler fence: the model has no compiler reordering within a thread,
/// so it is a no-op (it orders nothing between threads). A `Relaxed` one
/// panics, as in `std`.
#[track_caller]
pub fn compiler_fence(order: Ordering) {
    if order == Ordering::Relaxed {
        panic!("there is no such thing as a relaxed compiler fence");
    }
}

/// Deprecated alias of [`crate::hint::spin_loop`].
#[track_caller]
pub fn spin_loop_hint() {
    crate::hint::spin_loop()
}

mod types;
pub use types::*;
