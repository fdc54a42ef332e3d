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

use crate::rt::Kind;
use std::cell::UnsafeCell;
use std::fmt;
use std::panic::Location;

pub use std::sync::atomic::Ordering;

use happens_engine::{FenceOrd, LoadOrd, Op, Reply, RmwKind, RmwOp, RmwOrd, StoreOrd, Width};

use crate::advise::{self, SiteKind};
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
    fn to_bits(self) -> u64 {
        self as usize as u64
    }
    fn from_bits(b: u64) -> Self {
        b as usize as *mut T
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

// Like `std`'s atomics (and loom's, whose value lives behind an index into
// the execution's store): an atomic is never left half-updated by a panic,
// so it is unwind-safe behind a shared reference, whatever `AtomicPtr`
// points to.
impl<T: Bits> std::panic::UnwindSafe for Atom<T> {}
impl<T: Bits> std::panic::RefUnwindSafe for Atom<T> {}

impl<T: Bits> Atom<T> {
    /// An atomic created here: inside a model, the current thread allocates
    /// it (its initial value is that thread's atomic write).
    #[track_caller]
    pub fn new(v: T) -> Self {
        Self::with_kind(v, Kind::named(T::NAME))
    }

    /// An atomic that messages and diagrams call `kind` (the library's own
    /// bookkeeping, such as `Arc`'s counts, see `report/diagram.rs`).
    #[track_caller]
    pub(crate) fn with_kind(v: T, kind: Kind) -> Self {
        Atom {
            slot: Slot::new(kind, v.to_bits(), true),
            v: UnsafeCell::new(v),
        }
    }

    /// An atomic for a `static`: it exists before every execution, and each
    /// execution's main thread creates it with value `v` before the
    /// closure runs.
    #[track_caller]
    pub const fn new_static(v: T) -> Self {
        Atom {
            slot: Slot::new_static(Kind::named(T::NAME)),
            v: UnsafeCell::new(v),
        }
    }

    /// The location inside a model. A value changed by `get_mut` since the
    /// last use is written back first (a non-atomic write).
    #[inline(never)]
    fn loc(&self, at: rt::Loc) -> Option<happens_engine::LocId> {
        if !rt::in_model() {
            return None;
        }
        let (loc, dirty) = self.slot.loc(self.local().to_bits(), true, at);
        if dirty {
            let val = self.local().to_bits();
            rt::op(
                Op::Store {
                    loc,
                    val,
                    ord: StoreOrd::NonAtomic,
                },
                at,
            );
        }
        Some(loc)
    }

    fn local(&self) -> T {
        // SAFETY: every modelled thread runs on one OS thread, one at a
        // time, and no reference into the cell escapes.
        unsafe { *self.v.get() }
    }

    /// Keeps the own copy of the value of an object created inside an
    /// execution up to date with what the execution's operations read and
    /// wrote, so that code running after the execution (the drop of a
    /// `lazy_static!` value) sees the value it would. An object that
    /// outlives executions keeps its initial value: every execution starts
    /// from it.
    fn set_local(&self, v: T) {
        if !self.slot.outlives || !rt::in_model() {
            // SAFETY: see `local`.
            unsafe { *self.v.get() = v }
        }
    }

    /// Issues the operation `op` makes of the location inside a model;
    /// `None` outside one, or when the execution ended while the operation
    /// waited (the thread then runs on outside the model: see
    /// `rt::Context::tearing_down`), and the caller acts on the own value.
    #[inline(always)]
    fn modelled(&self, at: rt::Loc, op: impl FnOnce(happens_engine::LocId) -> Op) -> Option<Reply> {
        let loc = self.loc(at)?;
        let r = rt::op(op(loc), at);
        (!rt::tearing_down()).then_some(r)
    }

    /// The ordering the operation at `at` takes: as written, unless the
    /// ordering advisor changes it (only the program's own atomics: not the
    /// library's bookkeeping, whose kind is its own).
    #[inline(always)]
    fn advised(&self, at: rt::Loc, kind: SiteKind, o: Ordering) -> Ordering {
        if self.slot.kind.name != T::NAME {
            return o;
        }
        advise::ordering(at, kind, o).unwrap_or(o)
    }

    #[track_caller]
    #[inline(always)]
    pub fn load(&self, o: Ordering) -> T {
        let at = Location::caller();
        let ord = load_ord(self.advised(at, SiteKind::Load, o));
        match self.modelled(at, |loc| Op::Load { loc, ord }) {
            Some(r) => {
                let v = T::from_bits(r.val().unwrap());
                self.set_local(v);
                v
            }
            None => self.local(),
        }
    }

    #[track_caller]
    #[inline(always)]
    pub fn unsync_load(&self) -> T {
        let at = Location::caller();
        let ord = LoadOrd::NonAtomic;
        match self.modelled(at, |loc| Op::Load { loc, ord }) {
            Some(r) => {
                let v = T::from_bits(r.val().unwrap());
                self.set_local(v);
                v
            }
            None => self.local(),
        }
    }

    #[track_caller]
    #[inline(always)]
    pub fn store(&self, v: T, o: Ordering) {
        let at = Location::caller();
        let ord = store_ord(self.advised(at, SiteKind::Store, o));
        let val = v.to_bits();
        self.modelled(at, |loc| Op::Store { loc, val, ord });
        self.set_local(v);
    }

    #[track_caller]
    #[inline(always)]
    pub fn rmw(&self, kind: RmwKind, operand: u64, o: Ordering) -> T {
        let at = Location::caller();
        let op = RmwOp {
            kind,
            operand,
            width: T::WIDTH,
        };
        let ord = rmw_ord(self.advised(at, SiteKind::Rmw, o));
        // the engine says what it wrote; outside the model it is computed here
        let (old, new) = match self.modelled(at, |loc| Op::Rmw { loc, op, ord }) {
            Some(Reply::Rmw { old, new }) => (old, new),
            Some(r) => panic!("happens: unexpected reply {r:?} to an RMW"),
            None => {
                let old = self.local().to_bits();
                (old, op.apply(old))
            }
        };
        self.set_local(T::from_bits(new));
        T::from_bits(old)
    }

    #[track_caller]
    #[inline(always)]
    pub fn cas(&self, cur: T, new: T, s: Ordering, f: Ordering, weak: bool) -> Result<T, T> {
        let at = Location::caller();
        let s = self.advised(at, SiteKind::CasSuccess, s);
        let failure = failure_ord(self.advised(at, SiteKind::CasFailure, f));
        let cas = |loc| Op::Cas {
            loc,
            expected: cur.to_bits(),
            new: new.to_bits(),
            success: rmw_ord(s),
            failure,
            weak,
        };
        let r = match self.modelled(at, cas) {
            Some(Reply::Cas { old, ok: true }) => Ok(T::from_bits(old)),
            Some(Reply::Cas { old, ok: false }) => Err(T::from_bits(old)),
            Some(r) => panic!("happens: unexpected reply {r:?} to a compare-exchange"),
            None => {
                let old = self.local();
                if old.to_bits() == cur.to_bits() {
                    Ok(old)
                } else {
                    Err(old)
                }
            }
        };
        match r {
            Ok(_) => self.set_local(new),
            Err(v) => self.set_local(v),
        }
        r
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
            // std's fetch_update retries a weak compare-exchange
            match self.cas(prev, next, set, fetch, true) {
                Ok(v) => return Ok(v),
                Err(v) => prev = v,
            }
        }
        Err(prev)
    }

    /// `&mut` access: brings the modelled value into the object (a
    /// non-atomic read, so a missing happens-before is a data race); the
    /// next use writes it back (a non-atomic write).
    #[track_caller]
    pub fn get_mut(&mut self) -> &mut T {
        if self.slot.live() {
            self.unsync_load();
            self.slot.set_dirty();
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
    let at = Location::caller();
    let order = if rt::in_model() {
        match advise::ordering(at, SiteKind::Fence, order) {
            // removed by the ordering advisor
            None => return,
            Some(o) => o,
        }
    } else {
        order
    };
    let ord = match order {
        Ordering::Acquire => FenceOrd::Acquire,
        Ordering::Release => FenceOrd::Release,
        Ordering::AcqRel => FenceOrd::AcqRel,
        Ordering::SeqCst => FenceOrd::SeqCst,
        _ => panic!("there is no such thing as a relaxed fence"),
    };
    if rt::in_model() {
        rt::op(Op::Fence(ord), at);
    }
}

/// The Acquire fence of the library's own bookkeeping (an `Arc` about to
/// free its value): an event like any fence, which traces and diagrams
/// leave out, and which the ordering advisor does not offer to weaken.
#[track_caller]
pub(crate) fn bookkeeping_fence() {
    if rt::in_model() {
        rt::next_is_bookkeeping();
        rt::op(Op::Fence(FenceOrd::Acquire), Location::caller());
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
