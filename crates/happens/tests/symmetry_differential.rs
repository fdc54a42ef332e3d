//! Symmetry reduction hides nothing: on generated programs whose threads
//! are spawned in a loop from one closure over an `Arc` (two to four of
//! them, as people write `for _ in 0..n { let s = s.clone(); spawn(move ||
//! ...) }`), the final states and the failures found with
//! `Builder::symmetry(true)` are those found with it off, and no more
//! executions are explored with it on.
//!
//! The threads run one generated script: loads, stores of constants and of
//! what they read, `fetch_add`s, swaps, strong and weak compare-exchanges,
//! fences, in every ordering; branches on what they read (so that like
//! threads go different ways); a `Mutex`; a plain `UnsafeCell` write (a
//! data race when two threads reach it unordered); the seed notes' spin
//! lock (a weak compare-exchange retried around a `while load` loop, no
//! hint) around one of them. Main may run a script
//! of its own while they run, and may tell them apart, which symmetry must
//! notice and give up for: join one and read before joining the others,
//! (a quarter of the programs spawn them in a `thread::scope` instead,
//! borrowing the state, joined when the scope ends)
//! or a thread may ask for its own `id` and act on it. Sometimes an
//! unlike thread (another closure) runs beside them. After joining, main
//! reads every location: the final state.

mod common;

use std::collections::BTreeSet;
use std::sync::{Arc as StdArc, Mutex as StdMutex};

use common::Rng;
use happens::cell::UnsafeCell;
use happens::model::Builder;
use happens::sync::atomic::{fence, AtomicUsize, Ordering};
use happens::sync::{Arc, Mutex};
use happens::thread;

const ORDS: [Ordering; 5] = [
    Ordering::Relaxed,
    Ordering::Acquire,
    Ordering::Release,
    Ordering::AcqRel,
    Ordering::SeqCst,
];

#[derive(Clone, Debug)]
enum Op {
    Load(usize, Ordering),
    Store(usize, Val, Ordering),
    FetchAdd(usize, Ordering),
    Swap(usize, Val, Ordering),
    Cas {
        loc: usize,
        expected: usize,
        new: Val,
        success: Ordering,
        failure: Ordering,
        weak: bool,
    },
    Fence(Ordering),
    /// `if reg == v { then } else { else_ }`
    If(usize, Vec<Op>, Vec<Op>),
    /// `*m.lock() += 1` when `add`, else `= reg`.
    Lock(bool),
    /// A plain write of the cell.
    Cell,
    /// The seed notes' spin lock around `ops`: a weak compare-exchange
    /// retried, with a `while locked.load(Relaxed) {}` inside, no hint.
    SpinLock(Vec<Op>),
    /// `if thread::current().id() is odd { ops }`: a thread that learns
    /// which one it is.
    ById(Vec<Op>),
}

#[derive(Clone, Copy, Debug)]
enum Val {
    Const(usize),
    /// What the thread read last, plus one.
    Reg,
}

// SAFETY: the cell's accesses are modelled; the data races the generated
// programs make are what the test compares.
unsafe impl Sync for Shared {}

struct Shared {
    x: [AtomicUsize; 3],
    locked: AtomicUsize,
    m: Mutex<usize>,
    cell: UnsafeCell<usize>,
}

#[derive(Debug)]
struct Program {
    /// How many like threads.
    n: usize,
    like: Vec<Op>,
    /// Main's operations after spawning them, before joining.
    main: Vec<Op>,
    /// An unlike thread's.
    other: Option<Vec<Op>>,
    /// Main joins the first like thread and loads `x[0]` before joining
    /// the others.
    join_then_read: bool,
    /// What main does before each spawn of a like thread, besides cloning
    /// the `Arc`: nothing, or one operation (a Relaxed one makes its
    /// location look different to the threads spawned after; an acquire
    /// or SeqCst one makes them unlike).
    between: Option<Op>,
    /// The like threads are scoped (`thread::scope`, borrowing), joined
    /// when the scope ends.
    scoped: bool,
}

fn ordering_for_load(rng: &mut Rng) -> Ordering {
    [Ordering::Relaxed, Ordering::Acquire, Ordering::SeqCst][rng.below(3)]
}

fn ordering_for_store(rng: &mut Rng) -> Ordering {
    [Ordering::Relaxed, Ordering::Release, Ordering::SeqCst][rng.below(3)]
}

fn val(rng: &mut Rng) -> Val {
    if rng.below(3) == 0 {
        Val::Reg
    } else {
        Val::Const(1 + rng.below(2))
    }
}

fn ops(rng: &mut Rng, len: usize, depth: usize, cell: bool) -> Vec<Op> {
    (0..len)
        .map(|_| {
            let loc = rng.below(3);
            match rng.below(if depth > 0 { 12 } else { 10 }) {
                0 | 1 => Op::Load(loc, ordering_for_load(rng)),
                2 => Op::Store(loc, val(rng), ordering_for_store(rng)),
                3 => Op::FetchAdd(loc, ORDS[rng.below(5)]),
                4 => Op::Swap(loc, val(rng), ORDS[rng.below(5)]),
                5 | 6 => Op::Cas {
                    loc,
                    expected: rng.below(2),
                    new: val(rng),
                    success: ORDS[rng.below(5)],
                    failure: ordering_for_load(rng),
                    weak: rng.below(2) == 0,
                },
                7 => Op::Fence(
                    [Ordering::Acquire, Ordering::Release, Ordering::SeqCst][rng.below(3)],
                ),
                8 => Op::Lock(rng.below(2) == 0),
                9 if cell => Op::Cell,
                9 => Op::Load(loc, ordering_for_load(rng)),
                10 => {
                    let v = rng.below(2);
                    let (a, b) = (1 + rng.below(2), rng.below(2));
                    Op::If(
                        v,
                        ops(rng, a, depth - 1, cell),
                        ops(rng, b, depth - 1, cell),
                    )
                }
                11 if rng.below(2) == 0 => Op::SpinLock(ops(rng, 1, 0, cell)),
                _ if rng.below(4) == 0 => Op::ById(ops(rng, 1, depth - 1, cell)),
                _ => Op::If(1, ops(rng, 1, depth - 1, cell), Vec::new()),
            }
        })
        .collect()
}

fn program(seed: u64) -> Program {
    let mut rng = Rng::new(seed);
    let cell = rng.below(4) == 0;
    let n = 2 + rng.below(if seed % 5 == 0 { 3 } else { 2 });
    let len = if n == 4 { 2 } else { 2 + rng.below(2) };
    Program {
        n,
        like: ops(&mut rng, len, 1, cell),
        main: if rng.below(3) == 0 {
            ops(&mut rng, 1, 0, false)
        } else {
            Vec::new()
        },
        other: (rng.below(4) == 0).then(|| {
            let len = 1 + rng.below(2);
            ops(&mut rng, len, 0, false)
        }),
        join_then_read: rng.below(6) == 0,
        between: match rng.below(6) {
            0 | 1 => Some(Op::FetchAdd(rng.below(3), Ordering::Relaxed)),
            2 => Some(Op::Store(rng.below(3), Val::Const(2), Ordering::Relaxed)),
            3 => Some(Op::Load(rng.below(3), Ordering::Acquire)),
            _ => None,
        },
        scoped: rng.below(4) == 0,
    }
}

fn store_val(v: Val, reg: usize) -> usize {
    match v {
        Val::Const(c) => c,
        Val::Reg => reg + 1,
    }
}

fn run(ops: &[Op], s: &Shared, reg: &mut usize) {
    for op in ops {
        match op {
            Op::Load(l, o) => *reg = s.x[*l].load(*o),
            Op::Store(l, v, o) => s.x[*l].store(store_val(*v, *reg), *o),
            Op::FetchAdd(l, o) => *reg = s.x[*l].fetch_add(1, *o),
            Op::Swap(l, v, o) => *reg = s.x[*l].swap(store_val(*v, *reg), *o),
            Op::Cas {
                loc,
                expected,
                new,
                success,
                failure,
                weak,
            } => {
                let new = store_val(*new, *reg);
                let r = if *weak {
                    s.x[*loc].compare_exchange_weak(*expected, new, *success, *failure)
                } else {
                    s.x[*loc].compare_exchange(*expected, new, *success, *failure)
                };
                *reg = r.unwrap_or_else(|v| v + 10);
            }
            Op::Fence(o) => fence(*o),
            Op::If(v, a, b) => {
                if *reg == *v {
                    run(a, s, reg)
                } else {
                    run(b, s, reg)
                }
            }
            Op::Lock(add) => {
                let mut g = s.m.lock().unwrap();
                if *add {
                    *g += 1;
                } else {
                    *g = *reg;
                }
            }
            Op::Cell => s.cell.with_mut(|p| unsafe { *p = 1 }),
            Op::SpinLock(a) => {
                while s
                    .locked
                    .compare_exchange_weak(0, 1, Ordering::Acquire, Ordering::Relaxed)
                    .is_err()
                {
                    while s.locked.load(Ordering::Relaxed) != 0 {}
                }
                run(a, s, reg);
                s.locked.store(0, Ordering::Release);
            }
            Op::ById(a) => {
                let id = format!("{:?}", thread::current().id());
                if id.as_bytes()[id.len() - 2] % 2 == 1 {
                    run(a, s, reg)
                }
            }
        }
    }
}

type States = BTreeSet<[usize; 4]>;

/// Programs with more executions than this (without symmetry) are left
/// out, so that the test runs in seconds.
const MAX_EXECUTIONS: usize = 5_000;

/// The final states, the failure's kind if one was found, and the number
/// of executions (blocked included); `None` for a program with more than
/// [`MAX_EXECUTIONS`].
fn explore(p: &StdArc<Program>, symmetry: bool) -> Option<(States, Option<String>, u64)> {
    let seen = StdArc::new(StdMutex::new(States::new()));
    let (p2, s2) = (p.clone(), seen.clone());
    let mut b = Builder::new();
    b.workers(1).symmetry(symmetry).diagram(false);
    b.max_permutations = Some(MAX_EXECUTIONS);
    let r = b.explore(move || {
        let p = p2.clone();
        let s = Arc::new(Shared {
            x: [
                AtomicUsize::new(0),
                AtomicUsize::new(0),
                AtomicUsize::new(0),
            ],
            locked: AtomicUsize::new(0),
            m: Mutex::new(0),
            cell: UnsafeCell::new(0),
        });
        let other = p.other.clone().map(|o| {
            let s = s.clone();
            thread::spawn(move || run(&o, &s, &mut 0))
        });
        let mut first = 0;
        if p.scoped {
            // borrowing `s` and `p`, joined when the scope ends
            thread::scope(|sc| {
                for _ in 0..p.n {
                    if let Some(op) = &p.between {
                        run(std::slice::from_ref(op), &s, &mut 0);
                    }
                    sc.spawn(|| run(&p.like, &s, &mut 0));
                }
                run(&p.main, &s, &mut 0);
            });
        } else {
            let mut hs: Vec<_> = (0..p.n)
                .map(|_| {
                    let (s, p) = (s.clone(), p.clone());
                    if let Some(op) = &p.between {
                        run(std::slice::from_ref(op), &s, &mut 0);
                    }
                    thread::spawn(move || run(&p.like, &s, &mut 0))
                })
                .collect();
            run(&p.main, &s, &mut 0);
            if p.join_then_read {
                hs.remove(0).join().unwrap();
                first = s.x[0].load(Ordering::Relaxed);
            }
            for h in hs {
                h.join().unwrap();
            }
        }
        if let Some(o) = other {
            o.join().unwrap();
        }
        let state = [
            s.x[0].load(Ordering::Relaxed) * 100 + first,
            s.x[1].load(Ordering::Relaxed),
            s.x[2].load(Ordering::Relaxed),
            *s.m.lock().unwrap(),
        ];
        s2.lock().unwrap().insert(state);
    });
    if !r.complete && r.failure.is_none() {
        return None;
    }
    let states = seen.lock().unwrap().clone();
    Some((
        states,
        r.failure.map(|f| f.kind_name().to_string()),
        r.executions + r.blocked,
    ))
}

#[test]
fn symmetric_threads_reach_the_states_and_failures_of_all_executions() {
    let programs: u64 = std::env::var("SYMMETRY_PROGRAMS").map_or(2_000, |v| v.parse().unwrap());
    let (mut fewer, mut failing, mut told_apart, mut large) = (0, 0, 0, 0);
    for seed in 0..programs {
        let p = StdArc::new(program(seed));
        let t = std::time::Instant::now();
        let Some((off, f_off, n_off)) = explore(&p, false) else {
            large += 1;
            continue;
        };
        let (on, f_on, n_on) = explore(&p, true).expect("no more executions than without");
        if std::env::var("SYMMETRY_VERBOSE").is_ok() {
            eprintln!("{seed}: {n_on} / {n_off} {:?}", t.elapsed());
        }
        assert_eq!(f_on, f_off, "program {seed}: {p:#?}");
        if f_off.is_none() {
            assert_eq!(on, off, "program {seed}: {p:#?}");
            assert!(n_on <= n_off, "program {seed}: {n_on} > {n_off}");
            fewer += u64::from(n_on < n_off);
        } else {
            failing += 1;
        }
        told_apart += u64::from(p.join_then_read || format!("{p:?}").contains("ById"));
    }
    eprintln!(
        "{programs} programs: {fewer} explored fewer executions with symmetry, {failing} \
         failing, {told_apart} telling like threads apart, {large} too large"
    );
    assert!(
        large < programs / 8,
        "{large} of {programs} programs too large"
    );
    // the reduction did something, on programs of every kind
    assert!(fewer > programs / 3, "{fewer} of {programs} explored fewer");
    assert!(failing > 30, "{failing} failing programs");
    assert!(told_apart > 100, "{told_apart} programs tell threads apart");
}
