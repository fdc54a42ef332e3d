//! Generated programs for the library fuzzer (`happens-libfuzz`).
//!
//! A [`Program`] is 1–4 modelled threads (the main thread and up to three it
//! spawns), each a short list of [`Op`]s over one shared state (atomics, an
//! `UnsafeCell`, two mutexes, an `RwLock`, a condvar-guarded flag, an
//! `AtomicPtr` handing boxes over), interpreted inside
//! [`happens::model::Builder::explore`]. Programs are determined by a case
//! number ([`generate`]), so a finding is kept as a number and regenerated.
//!
//! [`check`] explores one program under a budget and checks what comes back:
//! the report renders; a failure is of a known kind, names threads the
//! program has, has a headline, a trace and a replay key, a panic carries
//! one of the program's own messages, and the replay key run again gives a
//! failure of the same kind in the same thread. Anything else, and any
//! panic escaping `explore`, is a *finding*.
//!
//! Termination: loops are bounded, except spin loops on a flag, which are
//! generated only where another thread sets the flag unconditionally at
//! the top level of its list and flags are ordered (a thread spins only on
//! flags of threads ranked before it, and the main thread joins only at the
//! end), so no two threads wait for each other; and a few deliberate
//! failures: a spin on a flag no thread sets (a livelock), an unbounded
//! loop that changes memory (the event bound), deep recursion (a stack
//! overflow).

use std::fmt;
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::Ordering::{self, *};
use std::time::Duration;

use happens::cell::UnsafeCell;
use happens::model::Builder;
use happens::sync::atomic::{AtomicBool, AtomicPtr, AtomicUsize};
use happens::sync::{Arc, Condvar, Mutex, RwLock};
use happens::thread;
use happens::{Failure, FailureKind, Report};

use crate::rng::Rng;

mod check;
mod display;
mod generate;

pub use check::{check, check_program, describe, Outcome, Settings, KINDS};
pub use generate::{avoid_known_bugs, generate};

/// Flags a thread can set and another spin on: two `AtomicBool`s and one
/// guarded by a mutex and a condvar.
pub const FLAGS: usize = 3;
/// The condvar-guarded flag.
const CV_FLAG: usize = 2;

/// One operation of a thread.
#[derive(Clone, Debug)]
pub enum Op {
    Load {
        loc: usize,
        ord: Ordering,
    },
    Store {
        loc: usize,
        val: usize,
        ord: Ordering,
    },
    FetchAdd {
        loc: usize,
        val: usize,
        ord: Ordering,
    },
    FetchSub {
        loc: usize,
        val: usize,
        ord: Ordering,
    },
    Swap {
        loc: usize,
        val: usize,
        ord: Ordering,
    },
    Cas {
        loc: usize,
        expected: usize,
        new: usize,
        success: Ordering,
        failure: Ordering,
        weak: bool,
    },
    /// Up to `tries` compare-exchanges moving `loc` one up, each expecting
    /// what the last one read.
    CasLoop {
        loc: usize,
        tries: usize,
        success: Ordering,
        failure: Ordering,
        weak: bool,
    },
    Fence(Ordering),
    /// Read the cell; assert the value is at most `max`.
    CellRead {
        max: Option<usize>,
    },
    CellWrite {
        val: usize,
    },
    /// `for _ in 0..k` re-reading `loc`.
    Repeat {
        loc: usize,
        k: usize,
        ord: Ordering,
    },
    /// Lock mutex `m`, add `add` to its value, assert it is at most
    /// `max`, run `body`, unlock.
    Lock {
        m: usize,
        add: usize,
        max: Option<usize>,
        body: Vec<Op>,
    },
    RwRead {
        max: Option<usize>,
        body: Vec<Op>,
    },
    RwWrite {
        add: usize,
        body: Vec<Op>,
    },
    SetFlag {
        flag: usize,
        ord: Ordering,
        /// For the condvar flag: `notify_one` instead of `notify_all`.
        one: bool,
    },
    /// Wait until `flag` is set (a spin loop, or the condvar's wait loop).
    SpinUntil {
        flag: usize,
        ord: Ordering,
        yield_now: bool,
    },
    /// `assert!(loc.load(ord) <= max)`.
    Assert {
        loc: usize,
        ord: Ordering,
        max: usize,
    },
    Panic,
    /// Keep an object until the thread ends whose `Drop` adds one to `loc`
    /// (and then panics, if `panics`).
    Guard {
        loc: usize,
        panics: bool,
    },
    /// Recursion `depth` deep, then a load.
    Recurse {
        depth: usize,
    },
    /// Box a cell holding `val` and swap it into the pointer; free what
    /// was there.
    PtrPublish {
        val: usize,
        ord: Ordering,
    },
    /// Swap the pointer out; if it was a box, read its cell (asserting the
    /// value is at most `max`) and free it.
    PtrTake {
        ord: Ordering,
        max: Option<usize>,
    },
    /// `mem::forget` a clone of the shared `Arc` (a leak).
    Forget,
    /// `loop { fetch_add }` (the event bound).
    Unbounded {
        loc: usize,
    },
    /// Read address 0x10 (an invalid access).
    Wild,
    /// Join spawned thread `thread` (main only, at the end); `expect` it
    /// finished without a panic.
    Join {
        thread: usize,
        expect: bool,
    },
}

/// A generated program.
#[derive(Clone, Debug)]
pub struct Program {
    /// `threads[0]` is the main thread's list; the main thread spawns the
    /// others (engine threads 1, 2, 3) before it runs it.
    pub threads: Vec<Vec<Op>>,
    /// Explore with `max_permutations` (one OS thread), or with a time
    /// budget on two workers.
    pub parallel: bool,
}

/// The shared state of a program.
struct Shared {
    a: [AtomicUsize; 2],
    flag: [AtomicBool; 2],
    cell: UnsafeCell<usize>,
    m: [Mutex<usize>; 2],
    rw: RwLock<usize>,
    cv_m: Mutex<bool>,
    cv: Condvar,
    ptr: AtomicPtr<UnsafeCell<usize>>,
}

impl Shared {
    fn new() -> Shared {
        Shared {
            a: [AtomicUsize::new(0), AtomicUsize::new(0)],
            flag: [AtomicBool::new(false), AtomicBool::new(false)],
            cell: UnsafeCell::new(0),
            m: [Mutex::new(0), Mutex::new(0)],
            rw: RwLock::new(0),
            cv_m: Mutex::new(false),
            cv: Condvar::new(),
            ptr: AtomicPtr::new(std::ptr::null_mut()),
        }
    }
}

impl Drop for Shared {
    fn drop(&mut self) {
        let p = *self.ptr.get_mut();
        if !p.is_null() {
            // SAFETY: every non-null pointer stored is a leaked box, taken
            // out of the pointer by exactly one swap (or here).
            drop(unsafe { Box::from_raw(p) });
        }
    }
}

struct Guard<'a> {
    s: &'a Shared,
    /// The thread that made it.
    t: usize,
    loc: usize,
    panics: bool,
}

impl Drop for Guard<'_> {
    fn drop(&mut self) {
        self.s.a[self.loc].fetch_add(1, Relaxed);
        if self.panics {
            panic!("fuzz: T{} guard drop", self.t);
        }
    }
}

/// Recursion with a frame the optimiser cannot fold away.
#[inline(never)]
fn recurse(s: &Shared, depth: usize) -> usize {
    let frame = std::hint::black_box([depth; 16]);
    if depth == 0 {
        s.a[0].load(Relaxed)
    } else {
        frame[3].wrapping_add(recurse(s, depth - 1))
    }
}

type Handles = Vec<Option<thread::JoinHandle<()>>>;

/// Runs `ops` as thread `t`; every panic message starts `fuzz: T{t}`.
fn run<'s>(
    t: usize,
    ops: &[Op],
    s: &'s Shared,
    guards: &mut Vec<Guard<'s>>,
    handles: &mut Handles,
) {
    for op in ops {
        match *op {
            Op::Load { loc, ord } => {
                std::hint::black_box(s.a[loc].load(ord));
            }
            Op::Store { loc, val, ord } => s.a[loc].store(val, ord),
            Op::FetchAdd { loc, val, ord } => {
                std::hint::black_box(s.a[loc].fetch_add(val, ord));
            }
            Op::FetchSub { loc, val, ord } => {
                std::hint::black_box(s.a[loc].fetch_sub(val, ord));
            }
            Op::Swap { loc, val, ord } => {
                std::hint::black_box(s.a[loc].swap(val, ord));
            }
            Op::Cas {
                loc,
                expected,
                new,
                success,
                failure,
                weak,
            } => {
                let r = if weak {
                    s.a[loc].compare_exchange_weak(expected, new, success, failure)
                } else {
                    s.a[loc].compare_exchange(expected, new, success, failure)
                };
                std::hint::black_box(r.is_ok());
            }
            Op::CasLoop {
                loc,
                tries,
                success,
                failure,
                weak,
            } => {
                let mut cur = s.a[loc].load(Relaxed);
                for _ in 0..tries {
                    let r = if weak {
                        s.a[loc].compare_exchange_weak(cur, cur + 1, success, failure)
                    } else {
                        s.a[loc].compare_exchange(cur, cur + 1, success, failure)
                    };
                    match r {
                        Ok(_) => break,
                        Err(v) => cur = v,
                    }
                }
            }
            Op::Fence(ord) => happens::sync::atomic::fence(ord),
            Op::CellRead { max } => {
                // SAFETY: the model checks the accesses; the value is a usize
                let v = s.cell.with(|p| unsafe { *p });
                if let Some(max) = max {
                    assert!(v <= max, "fuzz: T{t} cell {v} > {max}");
                }
            }
            Op::CellWrite { val } => s.cell.with_mut(|p| unsafe { *p = val }),
            Op::Repeat { loc, k, ord } => {
                let mut sum = 0usize;
                for _ in 0..k {
                    sum = sum.wrapping_add(s.a[loc].load(ord));
                }
                std::hint::black_box(sum);
            }
            Op::Lock {
                m,
                add,
                max,
                ref body,
            } => {
                let mut g = s.m[m].lock().expect("fuzz: lock");
                *g += add;
                if let Some(max) = max {
                    assert!(*g <= max, "fuzz: T{t} mutex {} > {max}", *g);
                }
                run(t, body, s, guards, handles);
                drop(g);
            }
            Op::RwRead { max, ref body } => {
                let g = s.rw.read().expect("fuzz: read lock");
                if let Some(max) = max {
                    assert!(*g <= max, "fuzz: T{t} rwlock {} > {max}", *g);
                }
                run(t, body, s, guards, handles);
                drop(g);
            }
            Op::RwWrite { add, ref body } => {
                let mut g = s.rw.write().expect("fuzz: write lock");
                *g += add;
                run(t, body, s, guards, handles);
                drop(g);
            }
            Op::SetFlag { flag, ord, one } => {
                if flag == CV_FLAG {
                    *s.cv_m.lock().expect("fuzz: cv lock") = true;
                    if one {
                        s.cv.notify_one();
                    } else {
                        s.cv.notify_all();
                    }
                } else {
                    s.flag[flag].store(true, ord);
                }
            }
            Op::SpinUntil {
                flag,
                ord,
                yield_now,
            } => {
                if flag == CV_FLAG {
                    let mut g = s.cv_m.lock().expect("fuzz: cv lock");
                    while !*g {
                        g = s.cv.wait(g).expect("fuzz: cv wait");
                    }
                } else {
                    while !s.flag[flag].load(ord) {
                        if yield_now {
                            thread::yield_now();
                        } else {
                            happens::hint::spin_loop();
                        }
                    }
                }
            }
            Op::Assert { loc, ord, max } => {
                let v = s.a[loc].load(ord);
                assert!(v <= max, "fuzz: T{t} a{loc} = {v} > {max}");
            }
            Op::Panic => panic!("fuzz: T{t} explicit panic"),
            Op::Guard { loc, panics } => guards.push(Guard { s, t, loc, panics }),
            Op::Recurse { depth } => {
                std::hint::black_box(recurse(s, depth));
            }
            Op::PtrPublish { val, ord } => {
                let b = Box::into_raw(Box::new(UnsafeCell::new(0)));
                // SAFETY: `b` is ours until it is published
                unsafe { (*b).with_mut(|p| *p = val) };
                let old = s.ptr.swap(b, ord);
                if !old.is_null() {
                    // SAFETY: the swap took `old` out: nobody else has it
                    drop(unsafe { Box::from_raw(old) });
                }
            }
            Op::PtrTake { ord, max } => {
                let p = s.ptr.swap(std::ptr::null_mut(), ord);
                if !p.is_null() {
                    // SAFETY: the swap took `p` out: nobody else has it
                    let b = unsafe { Box::from_raw(p) };
                    let v = b.with(|p| unsafe { *p });
                    if let Some(max) = max {
                        assert!(v <= max, "fuzz: T{t} box {v} > {max}");
                    }
                }
            }
            Op::Forget => std::mem::forget(Arc::new(0u8)),
            Op::Unbounded { loc } => loop {
                s.a[loc].fetch_add(1, Relaxed);
            },
            Op::Wild => {
                // SAFETY: not safe at all: the model checker reports it
                let v =
                    unsafe { std::ptr::read_volatile(std::hint::black_box(0x10 as *const usize)) };
                std::hint::black_box(v);
            }
            Op::Join { thread, expect } => {
                if let Some(h) = handles.get_mut(thread - 1).and_then(Option::take) {
                    let r = h.join();
                    if expect {
                        assert!(r.is_ok(), "fuzz: T{t} joined thread {thread} panicked");
                    }
                }
            }
        }
    }
}

/// Runs thread `t` of `p` (the main thread spawns the others first).
fn run_thread(p: &Program, t: usize, s: &Shared, handles: &mut Handles) {
    let mut guards = Vec::new();
    run(t, &p.threads[t], s, &mut guards, handles);
    drop(guards);
}

/// The closure explored for `p`.
pub fn closure(p: std::sync::Arc<Program>) -> impl Fn() + Sync + Send + 'static {
    move || {
        let s = Arc::new(Shared::new());
        let mut handles: Handles = Vec::new();
        for t in 1..p.threads.len() {
            let (s, p) = (s.clone(), p.clone());
            handles.push(Some(thread::spawn(move || {
                run_thread(&p, t, &s, &mut Vec::new())
            })));
        }
        run_thread(&p, 0, &s, &mut handles);
    }
}
