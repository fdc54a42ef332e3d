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

// ---------------------------------------------------------------- generator

const LOAD_ORDS: [Ordering; 3] = [Relaxed, Acquire, SeqCst];
const STORE_ORDS: [Ordering; 3] = [Relaxed, Release, SeqCst];
const RMW_ORDS: [Ordering; 5] = [Relaxed, Acquire, Release, AcqRel, SeqCst];
const FENCE_ORDS: [Ordering; 4] = [Acquire, Release, AcqRel, SeqCst];

fn cas_ords(r: &mut Rng) -> (Ordering, Ordering) {
    (*r.pick(&RMW_ORDS), *r.pick(&LOAD_ORDS))
}

/// One plain operation (no locks, no flags); `in_lock`: inside a lock body.
fn simple(r: &mut Rng, in_lock: bool) -> Op {
    let loc = r.below(2);
    let val = 1 + r.below(3);
    match r.below(if in_lock { 14 } else { 20 }) {
        0 | 1 => Op::Load {
            loc,
            ord: *r.pick(&LOAD_ORDS),
        },
        2 | 3 => Op::Store {
            loc,
            val,
            ord: *r.pick(&STORE_ORDS),
        },
        4 => Op::FetchAdd {
            loc,
            val,
            ord: *r.pick(&RMW_ORDS),
        },
        5 => Op::FetchSub {
            loc,
            val: 1,
            ord: *r.pick(&RMW_ORDS),
        },
        6 => Op::Swap {
            loc,
            val,
            ord: *r.pick(&RMW_ORDS),
        },
        7 => {
            let (success, failure) = cas_ords(r);
            Op::Cas {
                loc,
                expected: r.below(3),
                new: val,
                success,
                failure,
                weak: r.one_in(2),
            }
        }
        8 => Op::Fence(*r.pick(&FENCE_ORDS)),
        9 | 10 => Op::CellRead {
            max: r.one_in(3).then(|| 1 + r.below(3)),
        },
        11 | 12 => Op::CellWrite { val },
        13 => Op::Assert {
            loc,
            ord: *r.pick(&LOAD_ORDS),
            max: 1 + r.below(4),
        },
        14 | 15 => Op::Repeat {
            loc,
            k: 2 + r.below(3),
            ord: *r.pick(&LOAD_ORDS),
        },
        16 => {
            let (success, failure) = cas_ords(r);
            Op::CasLoop {
                loc,
                tries: 1 + r.below(3),
                success,
                failure,
                weak: r.one_in(2),
            }
        }
        17 => Op::Guard {
            loc,
            panics: r.one_in(6),
        },
        18 => Op::PtrPublish {
            val,
            ord: *r.pick(&RMW_ORDS),
        },
        _ => Op::PtrTake {
            ord: *r.pick(&RMW_ORDS),
            max: r.one_in(3).then(|| 1 + r.below(3)),
        },
    }
}

fn body(r: &mut Rng, depth: usize) -> Vec<Op> {
    (0..r.below(3))
        .map(|_| {
            if depth < 1 && r.one_in(6) {
                Op::Lock {
                    m: r.below(2),
                    add: 1,
                    max: None,
                    body: body(r, depth + 1),
                }
            } else if r.one_in(30) {
                Op::Panic
            } else {
                simple(r, true)
            }
        })
        .collect()
}

fn op(r: &mut Rng) -> Op {
    match r.below(24) {
        0..=15 => simple(r, false),
        16..=18 => Op::Lock {
            m: r.below(2),
            add: r.below(2),
            max: r.one_in(3).then(|| 1 + r.below(3)),
            body: body(r, 0),
        },
        19 => Op::RwRead {
            max: r.one_in(3).then(|| r.below(3)),
            body: body(r, 1),
        },
        20 => Op::RwWrite {
            add: 1,
            body: body(r, 1),
        },
        21 if r.one_in(4) => Op::Panic,
        22 if r.one_in(20) => Op::Recurse {
            depth: if r.one_in(2) { 1_000_000 } else { 50 },
        },
        23 if r.one_in(30) => Op::Forget,
        _ => simple(r, false),
    }
}

/// The program of case `case`; `avoid`: see
/// [`avoid_known_bugs`].
pub fn generate(case: u64, avoid: bool) -> Program {
    let mut r = Rng::new(case ^ 0x6c69_6266_757a_7a21);
    let n = 1 + r.below(4);
    let mut threads: Vec<Vec<Op>> = (0..n)
        .map(|_| (0..1 + r.below(5)).map(|_| op(&mut r)).collect())
        .collect();
    // flags: set by one thread, waited for by threads ranked after it
    let mut rank: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        rank.swap(i, r.below(i + 1));
    }
    if n > 1 {
        for flag in 0..FLAGS {
            if !r.one_in(3) {
                continue;
            }
            let setter = r.below(n);
            let at = r.below(threads[setter].len() + 1);
            threads[setter].insert(
                at,
                Op::SetFlag {
                    flag,
                    ord: *r.pick(&STORE_ORDS),
                    one: r.one_in(4),
                },
            );
            for t in 0..n {
                if rank[t] > rank[setter] && r.one_in(2) {
                    let at = r.below(threads[t].len() + 1);
                    threads[t].insert(
                        at,
                        Op::SpinUntil {
                            flag,
                            ord: *r.pick(&LOAD_ORDS),
                            yield_now: r.one_in(2),
                        },
                    );
                }
            }
        }
    }
    // a few deliberate failures
    if r.one_in(40) {
        let t = r.below(n);
        let at = r.below(threads[t].len() + 1);
        // a flag no thread sets (the flags set above are 0..FLAGS): wait
        // for flag 1 only if nobody sets it
        let unset = (0..2).find(|&f| {
            !threads
                .iter()
                .flatten()
                .any(|o| matches!(o, Op::SetFlag { flag, .. } if *flag == f))
        });
        if let Some(flag) = unset {
            threads[t].insert(
                at,
                Op::SpinUntil {
                    flag,
                    ord: Acquire,
                    yield_now: r.one_in(2),
                },
            );
        }
    }
    if r.one_in(60) {
        let t = r.below(n);
        let loc = r.below(2);
        threads[t].push(Op::Unbounded { loc });
    }
    if r.one_in(150) {
        let t = r.below(n);
        let at = r.below(threads[t].len() + 1);
        threads[t].insert(at, Op::Wild);
    }
    // joins at the end of the main thread's list
    let mut joins: Vec<usize> = (1..n).filter(|_| !r.one_in(4)).collect();
    for i in (1..joins.len()).rev() {
        joins.swap(i, r.below(i + 1));
    }
    for thread in joins {
        threads[0].push(Op::Join {
            thread,
            expect: r.one_in(2),
        });
    }
    let parallel = r.one_in(8);
    if avoid {
        for ops in threads.iter_mut() {
            avoid_known_bugs(ops);
        }
    }
    Program { threads, parallel }
}

/// Takes out of a thread's list what makes known bugs of happens show
/// (found by this fuzzer; see "Fuzzing" in `docs/reference.md`): every
/// panic. std's panic count is per OS thread, and happens runs all
/// modelled threads on one: a thread that panics and is suspended in the
/// middle of its unwinding (a destructor there, an `Arc`'s drop, issued an
/// operation) makes a later panic of another thread, or the teardown's
/// unwinding of another thread at the end of the execution, a panic during
/// a panic for std: the failure names the wrong thread, or std aborts the
/// process. A destructor that panics while the teardown unwinds its thread
/// aborts the process too.
pub fn avoid_known_bugs(ops: &mut [Op]) {
    for o in ops.iter_mut() {
        match o {
            Op::Guard { panics, .. } => *panics = false,
            Op::Lock { max, body, .. } | Op::RwRead { max, body } => {
                *max = None;
                avoid_known_bugs(body);
            }
            Op::RwWrite { body, .. } => avoid_known_bugs(body),
            Op::Panic => *o = Op::Fence(SeqCst),
            Op::Assert { loc, ord, .. } => {
                *o = Op::Load {
                    loc: *loc,
                    ord: *ord,
                }
            }
            Op::CellRead { max } | Op::PtrTake { max, .. } => *max = None,
            Op::Join { expect, .. } => *expect = false,
            _ => {}
        }
    }
}

// ------------------------------------------------------------------ display

fn ord(o: Ordering) -> &'static str {
    match o {
        Relaxed => "Relaxed",
        Acquire => "Acquire",
        Release => "Release",
        AcqRel => "AcqRel",
        SeqCst => "SeqCst",
        _ => "?",
    }
}

fn write_ops(f: &mut fmt::Formatter<'_>, ops: &[Op], indent: usize) -> fmt::Result {
    let pad = "    ".repeat(indent);
    for o in ops {
        write!(f, "{pad}")?;
        match o {
            Op::Load { loc, ord: o } => writeln!(f, "a{loc}.load({});", ord(*o))?,
            Op::Store { loc, val, ord: o } => writeln!(f, "a{loc}.store({val}, {});", ord(*o))?,
            Op::FetchAdd { loc, val, ord: o } => {
                writeln!(f, "a{loc}.fetch_add({val}, {});", ord(*o))?
            }
            Op::FetchSub { loc, val, ord: o } => {
                writeln!(f, "a{loc}.fetch_sub({val}, {});", ord(*o))?
            }
            Op::Swap { loc, val, ord: o } => writeln!(f, "a{loc}.swap({val}, {});", ord(*o))?,
            Op::Cas {
                loc,
                expected,
                new,
                success,
                failure,
                weak,
            } => writeln!(
                f,
                "a{loc}.compare_exchange{}({expected}, {new}, {}, {});",
                if *weak { "_weak" } else { "" },
                ord(*success),
                ord(*failure)
            )?,
            Op::CasLoop {
                loc,
                tries,
                success,
                failure,
                weak,
            } => writeln!(
                f,
                "let mut cur = a{loc}.load(Relaxed); for _ in 0..{tries} {{ match a{loc}.compare_exchange{}(cur, cur + 1, {}, {}) {{ Ok(_) => break, Err(v) => cur = v }} }}",
                if *weak { "_weak" } else { "" },
                ord(*success),
                ord(*failure)
            )?,
            Op::Fence(o) => writeln!(f, "fence({});", ord(*o))?,
            Op::CellRead { max: None } => writeln!(f, "cell.with(|p| *p);")?,
            Op::CellRead { max: Some(m) } => {
                writeln!(f, "assert!(cell.with(|p| *p) <= {m});")?
            }
            Op::CellWrite { val } => writeln!(f, "cell.with_mut(|p| *p = {val});")?,
            Op::Repeat { loc, k, ord: o } => {
                writeln!(f, "for _ in 0..{k} {{ a{loc}.load({}); }}", ord(*o))?
            }
            Op::Lock { m, add, max, body } => {
                writeln!(f, "{{ let mut g = m{m}.lock().expect(..); *g += {add};")?;
                if let Some(max) = max {
                    writeln!(f, "{pad}    assert!(*g <= {max});")?;
                }
                write_ops(f, body, indent + 1)?;
                writeln!(f, "{pad}}}")?;
            }
            Op::RwRead { max, body } => {
                writeln!(f, "{{ let g = rw.read().expect(..);")?;
                if let Some(max) = max {
                    writeln!(f, "{pad}    assert!(*g <= {max});")?;
                }
                write_ops(f, body, indent + 1)?;
                writeln!(f, "{pad}}}")?;
            }
            Op::RwWrite { add, body } => {
                writeln!(f, "{{ let mut g = rw.write().expect(..); *g += {add};")?;
                write_ops(f, body, indent + 1)?;
                writeln!(f, "{pad}}}")?;
            }
            Op::SetFlag { flag, ord: o, one } => {
                if *flag == CV_FLAG {
                    writeln!(
                        f,
                        "*cv_m.lock().expect(..) = true; cv.{}();",
                        if *one { "notify_one" } else { "notify_all" }
                    )?
                } else {
                    writeln!(f, "flag{flag}.store(true, {});", ord(*o))?
                }
            }
            Op::SpinUntil {
                flag,
                ord: o,
                yield_now,
            } => {
                if *flag == CV_FLAG {
                    writeln!(
                        f,
                        "let mut g = cv_m.lock().expect(..); while !*g {{ g = cv.wait(g).expect(..); }}"
                    )?
                } else {
                    writeln!(
                        f,
                        "while !flag{flag}.load({}) {{ {} }}",
                        ord(*o),
                        if *yield_now {
                            "thread::yield_now();"
                        } else {
                            "hint::spin_loop();"
                        }
                    )?
                }
            }
            Op::Assert { loc, ord: o, max } => {
                writeln!(f, "assert!(a{loc}.load({}) <= {max});", ord(*o))?
            }
            Op::Panic => writeln!(f, "panic!();")?,
            Op::Guard { loc, panics } => writeln!(
                f,
                "let _g = Guard; // drop: a{loc}.fetch_add(1, Relaxed){}",
                if *panics { "; panic!()" } else { "" }
            )?,
            Op::Recurse { depth } => writeln!(f, "recurse({depth});")?,
            Op::PtrPublish { val, ord: o } => writeln!(
                f,
                "free(ptr.swap(Box::into_raw(Box::new(UnsafeCell::new({val}))), {}));",
                ord(*o)
            )?,
            Op::PtrTake { ord: o, max } => writeln!(
                f,
                "let p = ptr.swap(null, {}); read and free *p{};",
                ord(*o),
                max.map(|m| format!(", assert <= {m}")).unwrap_or_default()
            )?,
            Op::Forget => writeln!(f, "mem::forget(Arc::new(0u8));")?,
            Op::Unbounded { loc } => writeln!(f, "loop {{ a{loc}.fetch_add(1, Relaxed); }}")?,
            Op::Wild => writeln!(f, "read_volatile(0x10 as *const usize);")?,
            Op::Join { thread, expect } => writeln!(
                f,
                "h{thread}.join(){};",
                if *expect { ".expect(..)" } else { "" }
            )?,
        }
    }
    Ok(())
}

impl fmt::Display for Program {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "// explored {}",
            if self.parallel {
                "on two workers with a time budget"
            } else {
                "with an execution budget"
            }
        )?;
        for (t, ops) in self.threads.iter().enumerate() {
            if t == 0 {
                writeln!(f, "main (thread 0):")?;
            } else {
                writeln!(f, "thread {t} (let h{t} = thread::spawn(..)):")?;
            }
            write_ops(f, ops, 1)?;
        }
        Ok(())
    }
}

// ------------------------------------------------------------------- checks

/// How programs are made and explored.
#[derive(Clone, Copy, Debug)]
pub struct Settings {
    /// Executions a program may explore.
    pub executions: usize,
    /// The time budget of a `parallel` program (and a safety net for all).
    pub duration: Duration,
    /// Leave out what makes known bugs of happens show (see
    /// [`avoid_known_bugs`]).
    pub avoid_known_bugs: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            executions: 20_000,
            duration: Duration::from_secs(2),
            avoid_known_bugs: false,
        }
    }
}

/// What a case came to.
#[derive(Debug)]
pub struct Outcome {
    /// Executions explored (blocked ones included).
    pub executions: u64,
    /// The failure's `kind_name`, if any.
    pub failure: Option<&'static str>,
    /// Whether the exploration visited everything.
    pub complete: bool,
    /// What was wrong, if anything.
    pub findings: Vec<String>,
}

/// The known failure kinds, in the order figures are printed.
pub const KINDS: [&str; 9] = [
    "panic",
    "data race",
    "deadlock",
    "leak",
    "loop bound",
    "livelock",
    "stack overflow",
    "invalid memory access",
    "nondeterminism",
];

/// Event bound of the explorations (`max_branches`): a loop bound costs
/// this many events, not the default 100 000 (and replaying its key
/// takes time quadratic in it).
const MAX_BRANCHES: usize = 1_000;

fn builder(p: &Program, settings: Settings) -> Builder {
    let mut b = Builder::new();
    b.diagram(false);
    b.max_branches = MAX_BRANCHES;
    b.max_duration = Some(settings.duration);
    if p.parallel {
        b.workers(2);
    } else {
        b.max_permutations = Some(settings.executions);
        b.workers(1);
    }
    b
}

/// The threads a failure names, to compare a replay with the original.
fn threads_of(k: &FailureKind) -> Vec<usize> {
    match k {
        FailureKind::Panic { thread, .. }
        | FailureKind::LoopBound { thread, .. }
        | FailureKind::Livelock { thread, .. }
        | FailureKind::StackOverflow { thread, .. }
        | FailureKind::InvalidAccess { thread, .. }
        | FailureKind::Nondeterminism { thread, .. } => vec![*thread],
        FailureKind::DataRace { first, second, .. } => vec![first.thread, second.thread],
        FailureKind::Deadlock { threads } => threads.iter().map(|w| w.thread).collect(),
        FailureKind::Leak { .. } => vec![],
    }
}

fn explore(p: &std::sync::Arc<Program>, b: &Builder) -> Result<Report, String> {
    let f = closure(p.clone());
    panic::catch_unwind(AssertUnwindSafe(|| b.explore(f))).map_err(|e| {
        let msg = e
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| e.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "Box<dyn Any>".to_string());
        format!("explore panicked: {msg}")
    })
}

fn render(r: &Report) -> Result<String, String> {
    panic::catch_unwind(AssertUnwindSafe(|| (r.to_string(), format!("{r:?}"))))
        .map(|(s, _)| s)
        .map_err(|_| "the report's Display or Debug panicked".to_string())
}

/// Checks one failure of program `p`.
fn check_failure(p: &Program, f: &Failure, findings: &mut Vec<String>) {
    let name = f.kind_name();
    if !KINDS.contains(&name) {
        findings.push(format!("unknown failure kind {name:?}"));
    }
    let n = p.threads.len();
    if let Some(t) = threads_of(&f.kind).into_iter().find(|&t| t >= n) {
        findings.push(format!("{name} names thread {t}, the program has {n}"));
    }
    if f.headline().trim().is_empty() {
        findings.push(format!("{name}: empty headline"));
    }
    if f.to_string().trim().is_empty() {
        findings.push(format!("{name}: empty rendering"));
    }
    // the main thread creates the shared state first: every failing
    // execution has events
    if f.trace.is_empty() {
        findings.push(format!("{name}: empty trace"));
    }
    if let Some(e) = f.trace.iter().find(|e| e.thread >= n) {
        findings.push(format!("{name}: trace event of thread {}", e.thread));
    }
    if !f.replay.starts_with("h1/") {
        findings.push(format!("{name}: replay key {:?}", f.replay));
    }
    if f.execution == 0 {
        findings.push(format!("{name}: execution number 0"));
    }
    match &f.kind {
        FailureKind::Panic {
            message, thread, ..
        } => {
            // every panic of the program says which thread made it
            let tag = message
                .split_once("fuzz: T")
                .and_then(|(_, rest)| rest.split(' ').next())
                .and_then(|n| n.parse::<usize>().ok());
            match tag {
                None => findings.push(format!(
                    "a panic with a message the program has not: {message:?}"
                )),
                Some(t) if t != *thread => findings.push(format!(
                    "a panic of thread {t} reported as thread {thread}'s: {message:?}"
                )),
                Some(_) => {}
            }
        }
        FailureKind::Deadlock { threads } if threads.is_empty() => {
            findings.push("a deadlock without threads".to_string())
        }
        FailureKind::Nondeterminism { detail, .. } => findings.push(format!(
            "nondeterminism in a deterministic program: {detail}"
        )),
        FailureKind::InvalidAccess { .. }
            if !p.threads.iter().flatten().any(|o| matches!(o, Op::Wild)) =>
        {
            findings.push("an invalid access in a program without one".to_string())
        }
        FailureKind::StackOverflow { .. }
            if !p
                .threads
                .iter()
                .flatten()
                .any(|o| matches!(o, Op::Recurse { .. })) =>
        {
            findings.push("a stack overflow in a program without recursion".to_string())
        }
        _ => {}
    }
}

/// Explores case `case` (program [`generate`]`(case)`) and checks the
/// report and the failure's replay.
pub fn check(case: u64, settings: Settings) -> Outcome {
    check_program(
        &std::sync::Arc::new(generate(case, settings.avoid_known_bugs)),
        settings,
    )
}

/// [`check`] for a given program (a case reduced by hand, say).
pub fn check_program(p: &std::sync::Arc<Program>, settings: Settings) -> Outcome {
    let p = p.clone();
    let mut findings = Vec::new();
    let b = builder(&p, settings);
    let r = match explore(&p, &b) {
        Ok(r) => r,
        Err(e) => {
            return Outcome {
                executions: 0,
                failure: None,
                complete: false,
                findings: vec![e],
            }
        }
    };
    if let Err(e) = render(&r) {
        findings.push(e);
    }
    let mut out = Outcome {
        executions: r.executions + r.blocked,
        failure: r.failure.as_ref().map(Failure::kind_name),
        complete: r.complete,
        findings: Vec::new(),
    };
    if let Some(f) = &r.failure {
        check_failure(&p, f, &mut findings);
        let mut again = builder(&p, settings);
        again.replay(&f.replay);
        match explore(&p, &again) {
            Err(e) => findings.push(format!("replay: {e}")),
            Ok(r2) => {
                if let Err(e) = render(&r2) {
                    findings.push(format!("replay: {e}"));
                }
                match &r2.failure {
                    None => findings.push(format!(
                        "the replay key of a {} gives no failure ({} executions)",
                        f.kind_name(),
                        r2.executions
                    )),
                    Some(g) => {
                        if std::mem::discriminant(&g.kind) != std::mem::discriminant(&f.kind)
                            || threads_of(&g.kind) != threads_of(&f.kind)
                        {
                            findings.push(format!(
                                "the replay key of a {} in threads {:?} gives a {} in threads {:?}",
                                f.kind_name(),
                                threads_of(&f.kind),
                                g.kind_name(),
                                threads_of(&g.kind)
                            ));
                        }
                        check_failure(&p, g, &mut findings);
                    }
                }
            }
        }
    } else if r.executions + r.blocked == 0 {
        findings.push("no execution and no failure".to_string());
    }
    out.findings = findings;
    out
}

/// Regenerates `case`, explores it and describes the result (for
/// `--replay`).
pub fn describe(case: u64, settings: Settings) -> String {
    let p = std::sync::Arc::new(generate(case, settings.avoid_known_bugs));
    let mut s = format!("case {case}:\n{p}\n");
    let mut b = builder(&p, settings);
    b.diagram(true);
    match explore(&p, &b) {
        Ok(r) => s.push_str(&render(&r).unwrap_or_else(|e| e)),
        Err(e) => s.push_str(&e),
    }
    s.push('\n');
    let o = check(case, settings);
    if o.findings.is_empty() {
        s.push_str("checks: no finding\n");
    } else {
        for f in &o.findings {
            s.push_str(&format!("finding: {f}\n"));
        }
    }
    s
}
