//! Programs from a case number: the generator.

use super::*;

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
