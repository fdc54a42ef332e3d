//! Waiting loops (see "Waiting loops" in the crate docs): a round of a loop
//! is taken for a repetition of an earlier one only when the thread is
//! provably where it was, so no execution a program can reach is hidden.
//!
//! Counts are GenMC v0.11's for the C twins (`genmc -rc11 -disable-sr`;
//! `tests/genmc/README.md`, "Waiting loops"; files `W*.c`): each twin has the same
//! threads, orderings and loops as the Rust program.

mod common;

use std::collections::BTreeSet;
use std::sync::atomic::Ordering::*;

use common::*;
use happens::cell::UnsafeCell;
use happens::model::{Builder, GoingOn};
use happens::sync::atomic::{AtomicBool, AtomicI32, AtomicUsize};
use happens::sync::{Arc, Mutex, RwLock};
use happens::thread;
use happens::FailureKind;

const SRC: &str = include_str!("waiting.rs");

/// `tests/waiting.rs:<line>:` of the line holding `marker`.
fn at(marker: &str) -> String {
    place("waiting.rs", SRC, marker)
}

/// The failure is a panic of thread `thread` at the line of `marker`.
#[track_caller]
fn assert_panic_at(f: &happens::Failure, thread: usize, marker: &str) {
    match &f.kind {
        FailureKind::Panic {
            thread: t,
            location,
            ..
        } => {
            assert_eq!(*t, thread, "{f}");
            assert!(
                location
                    .as_ref()
                    .map(|l| l.to_string())
                    .unwrap_or_default()
                    .contains(&at(marker)),
                "{f}"
            );
        }
        _ => panic!("expected a panic: {f}"),
    }
}

/// The trace events of thread `t` issued on the line of `marker`.
fn trace_at<'a>(f: &'a happens::Failure, t: usize, marker: &str) -> Vec<&'a str> {
    let want = at(marker);
    f.trace
        .iter()
        .filter(|e| e.thread == t && e.at.as_deref().unwrap_or("").contains(&want))
        .map(|e| e.what.as_str())
        .collect()
}

// ---------------------------------------------------------------------------
// One call site read twice by a `for` loop: the loop's iterator is a local
// the old rule could not see, so the second round was taken for a wait and
// made to read what the first read. GenMC: the assertion fails (2 complete
// executions before it with estimation off; 3 in all without the assert).

fn two_reads(check: bool) -> happens::Report {
    Builder::new().explore(move || {
        let x = std::sync::Arc::new(AtomicI32::new(0));
        let x1 = x.clone();
        let t = thread::spawn(move || x1.store(1, Relaxed));
        let mut seen = [0; 2];
        for s in seen.iter_mut() {
            *s = x.load(Relaxed); // TWO-READS
        }
        t.join().unwrap();
        if check {
            assert!(!(seen[0] == 0 && seen[1] == 1)); // TWO-READS-ASSERT
        }
    })
}

#[test]
fn two_reads_at_one_call_site_see_the_store_land_between_them() {
    let r = two_reads(true);
    let f = r
        .failure
        .as_ref()
        .expect("the store between the reads is found");
    assert_panic_at(f, 0, "TWO-READS-ASSERT");
    // the failure names both reads, the first of 0 and the second of 1
    let reads = trace_at(f, 0, "TWO-READS");
    assert_eq!(reads.len(), 2, "{f}");
    assert!(reads[0].contains("-> 0 "), "{f}");
    assert!(reads[1].contains("-> 1 "), "{f}");
    let r = two_reads(false);
    assert!(r.failure.is_none() && r.complete, "{r}");
    assert_eq!((r.executions, r.blocked), (3, 0), "{r}");
}

#[test]
fn three_reads_summed_see_every_sum() {
    // GenMC, three_reads_summed.c: 10 executions, sums 0..=6
    let (sums, r) = outcomes(|| {
        let x = Arc::new(AtomicI32::new(0));
        let x1 = x.clone();
        let t = thread::spawn(move || {
            x1.store(1, Relaxed);
            x1.store(2, Relaxed);
        });
        let mut sum = 0;
        for _ in 0..3 {
            sum += x.load(Relaxed);
        }
        t.join().unwrap();
        sum
    });
    assert_eq!(sums, (0..=6).collect::<Vec<_>>());
    assert_eq!(r.executions, 10, "{r}");
}

#[test]
fn a_counter_read_a_fixed_number_of_times() {
    // GenMC, counter_loop.c: 6 (the old rule gave 3)
    let (seen, r) = outcomes(|| {
        let c = Arc::new(AtomicUsize::new(0));
        let c1 = c.clone();
        let t = thread::spawn(move || {
            c1.fetch_add(1, Relaxed);
            c1.fetch_add(1, Relaxed);
        });
        let mut r = [0; 2];
        for v in r.iter_mut() {
            *v = c.load(Relaxed);
        }
        t.join().unwrap();
        r
    });
    let want: Vec<[usize; 2]> = vec![[0, 0], [0, 1], [0, 2], [1, 1], [1, 2], [2, 2]];
    assert_eq!(seen, want);
    assert_eq!(r.executions, 6, "{r}");
}

// ---------------------------------------------------------------------------
// A bounded spin, then a fallback path. GenMC, bounded_spin_fallback.c: 4
// executions without the bug; with it, the race between the fallback's read
// and the writer's write.

fn bounded_spin(buggy: bool) -> happens::Report {
    Builder::new().explore(move || {
        // shared as the notes share: `Arc`'s counts would add the orders
        // of the drops, which the C twin does not have
        let flag: &'static AtomicBool = Box::leak(Box::new(AtomicBool::new(false)));
        let data: &'static UnsafeCell<i32> = Box::leak(Box::new(UnsafeCell::new(0)));
        let (f1, d1) = (flag, data);
        let reader = thread::spawn(move || {
            for _ in 0..3 {
                if f1.load(Acquire) {
                    return d1.with(|p| unsafe { *p });
                }
            }
            if buggy {
                // fallback: takes the value without waiting for the flag
                return d1.with(|p| unsafe { *p }); // FALLBACK-READ
            }
            -1
        });
        let (f2, d2) = (flag, data);
        let writer = thread::spawn(move || {
            d2.with_mut(|p| unsafe { *p = 42 }); // DATA-WRITE
            f2.store(true, Release);
        });
        let v = reader.join().unwrap();
        writer.join().unwrap();
        assert!(v == 42 || v == -1 || (buggy && v == 0));
    })
}

#[test]
fn a_bounded_spin_with_a_fallback_is_explored_to_its_end() {
    let r = bounded_spin(false);
    assert!(r.failure.is_none() && r.complete, "{r}");
    assert_eq!(r.executions, 4, "{r}");
}

#[test]
fn a_racy_fallback_after_a_bounded_spin_is_found() {
    let r = bounded_spin(true);
    let f = r.failure.as_ref().expect("the fallback's race is found");
    let FailureKind::DataRace { first, second, .. } = &f.kind else {
        panic!("expected a data race: {f}");
    };
    let places = [first.at, second.at].map(|a| a.map(|l| l.to_string()).unwrap_or_default());
    assert!(
        places.iter().any(|p| p.contains(&at("FALLBACK-READ")))
            && places.iter().any(|p| p.contains(&at("DATA-WRITE"))),
        "{f}"
    );
}

// ---------------------------------------------------------------------------
// Polling a flag under a lock: each round takes the lock, reads, and puts
// the lock back as it was, so a round that read the same is a wait. The
// counts are the lock-free version's (GenMC, mutex_poll_3.c -DLOCKFREE: 2;
// the mutex twin gives 2 too, both with `-disable-sr`: the orders of the
// two workers). The workers are alike (one closure, the same `&'static`),
// and with symmetry reduction (the default) one of the two orders is
// explored: 1 each (2 with `Builder::symmetry(false)`).

#[test]
fn polling_a_mutex_guarded_counter_ends_with_the_lock_free_count() {
    let r = ok(|| {
        let done: &'static Mutex<i32> = Box::leak(Box::new(Mutex::new(0)));
        let workers: Vec<_> = (0..2)
            .map(|_| thread::spawn(move || *done.lock().unwrap() += 1))
            .collect();
        loop {
            let g = done.lock().unwrap();
            if *g == 2 {
                break;
            }
            drop(g);
        }
        for w in workers {
            w.join().unwrap();
        }
    });
    assert_eq!(r.executions, 1, "{r}");
    let free = ok(|| {
        let done: &'static AtomicUsize = Box::leak(Box::new(AtomicUsize::new(0)));
        let workers: Vec<_> = (0..2)
            .map(|_| {
                thread::spawn(move || {
                    done.fetch_add(1, Release);
                })
            })
            .collect();
        while done.load(Acquire) != 2 {}
        for w in workers {
            w.join().unwrap();
        }
    });
    assert_eq!(free.executions, 1, "{free}");
}

#[test]
fn polling_under_an_rwlock_and_a_spin_lock_ends() {
    let r = ok(|| {
        let done = Arc::new(RwLock::new(false));
        let d = done.clone();
        let t = thread::spawn(move || *d.write().unwrap() = true);
        while !*done.read().unwrap() {}
        t.join().unwrap();
    });
    assert_eq!(r.executions, 1, "{r}");
    let r = ok(|| {
        struct Spin {
            locked: AtomicBool,
            done: AtomicBool,
        }
        let s = Arc::new(Spin {
            locked: AtomicBool::new(false),
            done: AtomicBool::new(false),
        });
        let s1 = s.clone();
        let t = thread::spawn(move || s1.done.store(true, Release));
        loop {
            while s
                .locked
                .compare_exchange(false, true, Acquire, Relaxed)
                .is_err()
            {}
            let done = s.done.load(Acquire);
            s.locked.store(false, Release);
            if done {
                break;
            }
        }
        t.join().unwrap();
    });
    assert_eq!(r.executions, 1, "{r}");
}

// ---------------------------------------------------------------------------
// The same helper inlined twice into one loop: one call site, two places in
// the code. The second call is not a repetition of the first.

#[inline(always)]
fn is_set(f: &AtomicBool) -> bool {
    f.load(Acquire) // INLINED-READ
}

#[test]
fn one_call_site_in_two_places_of_a_loop_is_not_a_repetition() {
    // The second check is not a repetition of the first: taken for one, its
    // state (another place in the code) differs from a held round to the
    // next, the call site is refuted and explored round by round. The loop
    // then has no end of its own in the exploration's first branch (the
    // flag is never read set), which is reported: a failure, never silence.
    let mut b = Builder::new();
    b.max_branches = 200;
    let r = b.explore(|| {
        let flag = Arc::new(AtomicBool::new(false));
        let f1 = flag.clone();
        let t = thread::spawn(move || f1.store(true, Release));
        loop {
            if is_set(&flag) {
                break;
            }
            if is_set(&flag) {
                panic!("set between the two checks"); // BETWEEN
            }
        }
        t.join().unwrap();
    });
    let f = r.failure.expect("the loop is not taken for a wait");
    match &f.kind {
        FailureKind::Panic { .. } => assert_panic_at(&f, 0, "BETWEEN"),
        FailureKind::LoopBound { thread, .. } => assert_eq!(thread, &0, "{f}"),
        _ => panic!("expected the panic or the loop bound: {f}"),
    }
}

// ---------------------------------------------------------------------------
// State the snapshot does not see: a counter behind a pointer. The rounds
// look alike on the stack; the loop leaves them after three rounds, which a
// repetition never does, and the exploration starts again without taking
// that call site for a repetition.

#[test]
fn a_counter_in_a_box_bounds_the_loop_and_is_seen() {
    let (seen, r) = outcomes(|| {
        let x = Arc::new(AtomicI32::new(0));
        let x1 = x.clone();
        let t = thread::spawn(move || x1.store(1, Relaxed));
        let mut rounds = Box::new(0);
        let mut last = Vec::new();
        while *rounds < 3 {
            *rounds += 1;
            last.push(x.load(Relaxed)); // BOXED
        }
        t.join().unwrap();
        last
    });
    let want: BTreeSet<Vec<i32>> = [[0, 0, 0], [0, 0, 1], [0, 1, 1], [1, 1, 1]]
        .into_iter()
        .map(|v| v.to_vec())
        .collect();
    assert_eq!(seen.into_iter().collect::<BTreeSet<_>>(), want);
    assert_eq!(r.executions, 4, "{r}");
}

#[test]
fn waiting_off_explores_every_round() {
    // with the rule off, the bounded loops give the same states
    let run = |waiting: bool| {
        let seen = std::sync::Arc::new(std::sync::Mutex::new(BTreeSet::new()));
        let s2 = seen.clone();
        let r = Builder::new().waiting(waiting).explore(move || {
            let x = Arc::new(AtomicI32::new(0));
            let x1 = x.clone();
            let t = thread::spawn(move || {
                x1.store(1, Relaxed);
                x1.store(2, Relaxed);
            });
            let mut v = [0; 3];
            for s in v.iter_mut() {
                *s = x.load(Relaxed);
            }
            t.join().unwrap();
            s2.lock().unwrap().insert(v);
        });
        let v = seen.lock().unwrap().clone();
        (v, r.executions)
    };
    assert_eq!(run(true), run(false));
}

// ---------------------------------------------------------------------------
// Spin, then park: a waiter spins a bounded number of rounds on a flag and
// then parks; the setter sets the flag and unparks the waiter if it says it
// sleeps. Done right (the waiter announces its sleep before it checks the
// flag again, all SeqCst: a Dekker pair), no wakeup is lost; with the
// announcement after the check, the setter can look before the waiter
// announces, and the waiter parks forever.

fn spin_then_park(right: bool) -> happens::Report {
    Builder::new().diagram(false).explore(move || {
        let s = Arc::new((AtomicBool::new(false), AtomicBool::new(false)));
        let s2 = s.clone();
        let waiter = thread::spawn(move || {
            let (flag, sleeping) = &*s2;
            let mut spins = 0;
            while !flag.load(SeqCst) {
                if spins < 2 {
                    spins += 1;
                    std::hint::spin_loop();
                    continue;
                }
                if right {
                    sleeping.store(true, SeqCst);
                    if !flag.load(SeqCst) {
                        thread::park();
                    }
                } else if !flag.load(SeqCst) {
                    sleeping.store(true, SeqCst);
                    thread::park(); // MARK-PARK
                }
                sleeping.store(false, SeqCst);
            }
        });
        let (flag, sleeping) = &*s;
        flag.store(true, SeqCst);
        if sleeping.load(SeqCst) {
            waiter.thread().unpark();
        }
        waiter.join().unwrap();
    })
}

#[test]
fn spin_then_park_done_right_passes() {
    let r = spin_then_park(true);
    assert!(r.failure.is_none(), "{r}");
    assert!(r.complete);
    assert_eq!(r.executions, SPIN_PARK_RIGHT, "{r}");
}

#[test]
fn spin_then_park_with_a_lost_wakeup_is_found() {
    let r = spin_then_park(false);
    let f = r.failure.expect("the waiter parks after the setter looked");
    match &f.kind {
        FailureKind::Deadlock { threads } => {
            let parked: Vec<_> = threads
                .iter()
                .map(|w| (w.thread, w.at.map(|l| l.to_string())))
                .collect();
            assert!(
                parked.iter().any(|(t, at)| *t == 1
                    && at
                        .as_deref()
                        .is_some_and(|a| a.contains(&at_marker("MARK-PARK")))),
                "{f}"
            );
        }
        _ => panic!("expected a deadlock: {f}"),
    }
}

fn at_marker(m: &str) -> String {
    at(m)
}

/// Done right, every access SeqCst, so executions are the waiter's reads
/// of the flag and the setter's read of `sleeping`: the waiter sees the
/// flag set in its first, second or third spin (3, the setter reading
/// `sleeping` never set); or after announcing its sleep, at its second
/// look (the setter reads `sleeping` before the announcement, during it,
/// or after the waiter took it back: 3); or it parks, and the setter must
/// read the announcement and unpark it (1). The spins count rounds, so no
/// round of the spin is a repetition of another.
const SPIN_PARK_RIGHT: u64 = 7;

// ---------------------------------------------------------------------------
// What only a loop's first round changes. The state a round starts in is
// compared from the second held round on, never between the first two (a
// compiler lays the first round out apart, with dead values the rounds do
// not share), and memory behind a pointer is not seen at all. So a thread
// whose rounds read a value that was overwritten, when nothing else can
// run, goes on reading the new value (`moved_on`): what the loop does after
// going round is explored, in debug and release builds alike.

/// A waiter that notes, in `waited`, that it went round; `boxed` keeps the
/// note behind a pointer. Three threads: a setter, the waiter and main.
/// GenMC finds the assertion on the C twin (`W7_waited_flag.c`).
fn waited_flag(boxed: bool, going_on: GoingOn) -> happens::Report {
    let mut b = Builder::new();
    b.going_on = going_on;
    b.explore(move || {
        let flag = Arc::new(AtomicBool::new(false));
        let f1 = flag.clone();
        let setter = thread::spawn(move || f1.store(true, Release));
        let f2 = flag.clone();
        let waiter = thread::spawn(move || {
            if boxed {
                let mut waited = Box::new(false);
                while !f2.load(Acquire) {
                    *waited = true;
                }
                assert!(!*waited, "went round"); // WAITED-BOX
            } else {
                let mut waited = false;
                while !f2.load(Acquire) {
                    waited = true;
                }
                assert!(!waited, "went round"); // WAITED-LOCAL
            }
        });
        setter.join().unwrap();
        waiter.join().unwrap();
    })
}

#[test]
fn a_flag_only_the_first_round_sets_is_seen() {
    let cases = [(false, "WAITED-LOCAL"), (true, "WAITED-BOX")];
    for ((boxed, marker), going_on) in cases
        .into_iter()
        .flat_map(|c| [(c, GoingOn::Exhaustive), (c, GoingOn::OneSchedule)])
    {
        let r = waited_flag(boxed, going_on);
        let f = r.failure.as_ref().expect("the waiter goes round once");
        assert_panic_at(f, 2, marker);
        // the failing execution: the waiter's loop read `false`, then `true`
        let reads: Vec<_> = f
            .trace
            .iter()
            .filter(|e| e.thread == 2 && e.what.starts_with("load"))
            .map(|e| e.what.as_str())
            .collect();
        assert!(reads.len() >= 2, "{f}");
        assert!(reads[0].contains("-> 0 "), "{f}");
        assert!(reads.last().unwrap().contains("-> 1 "), "{f}");
    }
}

/// A retry loop around a weak compare-exchange, as people write it: the
/// retry is taken when the exchange fails, spuriously or not. One thread is
/// enough: a weak exchange may fail although the value matched.
fn weak_retry(check: bool) -> happens::Report {
    Builder::new().explore(move || {
        let x = Arc::new(AtomicUsize::new(0));
        let mut retries = 0;
        let mut cur = x.load(Relaxed);
        while let Err(now) = x.compare_exchange_weak(cur, cur + 1, AcqRel, Relaxed) {
            cur = now;
            retries += 1;
        }
        if check {
            assert_eq!(retries, 0, "retried"); // WEAK-RETRY
        }
        assert_eq!(x.load(Relaxed), 1);
    })
}

#[test]
fn a_retry_after_a_spurious_failure_is_seen() {
    let r = weak_retry(true);
    let f = r
        .failure
        .as_ref()
        .expect("a weak exchange may fail spuriously");
    assert_panic_at(f, 0, "WEAK-RETRY");
    // without the check: one execution (the exchange succeeds at once); the
    // one that fails spuriously and retries is not counted (GenMC counts
    // first tries only) but is explored
    let r = weak_retry(false);
    assert!(r.failure.is_none() && r.complete, "{r}");
    assert_eq!((r.executions, r.blocked), (1, 1), "{r}");
}

/// A loop whose rounds count in a local never repeats (its state differs
/// from round to round), and nothing bounds it: happens does not pass it
/// silently, it reports the loop (a false alarm when another thread is
/// sure to end it; an unbounded loop has no end to explore).
#[test]
fn a_loop_that_counts_its_rounds_is_reported_not_passed() {
    let mut b = Builder::new();
    b.max_branches = 2_000;
    let r = b.explore(|| {
        let flag = Arc::new(AtomicBool::new(false));
        let f1 = flag.clone();
        let setter = thread::spawn(move || f1.store(true, Release));
        let mut rounds = 0u32;
        while !flag.load(Acquire) {
            rounds += 1;
        }
        assert_ne!(rounds, 1); // COUNTED
        setter.join().unwrap();
    });
    // its rounds are refuted as repetitions 8 times (each held round's
    // state differs), then none repeats, and the first execution's loop
    // runs to the bound: reported as a loop bound in thread 0
    let f = r.failure.as_ref().expect("the loop is reported");
    assert_eq!(
        f.kind,
        FailureKind::LoopBound {
            thread: 0,
            bound: 2_000
        },
        "{f}"
    );
    assert_eq!(f.execution, 1, "{f}");
}

/// What the waiter does after going round is read by a thread that ran
/// before it went on: only an exhaustive exploration of what follows
/// (`GoingOn::Exhaustive`) has that read revisited; the default runs it in
/// one schedule and says so in the report (`Report::one_schedule`).
fn read_after_going_round(going_on: GoingOn) -> happens::Report {
    let mut b = Builder::new();
    b.going_on = going_on;
    b.explore(|| {
        let flag = Arc::new(AtomicBool::new(false));
        let data = Arc::new(AtomicUsize::new(0));
        let (f1, d1) = (flag.clone(), data.clone());
        let waiter = thread::spawn(move || {
            let mut waited = false;
            while !f1.load(Acquire) {
                waited = true;
            }
            if waited {
                d1.store(1, Relaxed);
            }
        });
        flag.store(true, Release);
        assert_eq!(data.load(Relaxed), 0, "the waiter went round"); // READ-AFTER
        waiter.join().unwrap();
    })
}

#[test]
fn what_follows_going_round_is_explored_or_run_once() {
    let r = read_after_going_round(GoingOn::Exhaustive);
    let f = r.failure.as_ref().expect("main reads the waiter's store");
    assert_panic_at(f, 0, "READ-AFTER");
    assert_eq!(r.one_schedule, 0, "{r}");
    // in one schedule, main has read `data` before the waiter goes on: the
    // one blocked execution is where the waiter went on, and the report
    // says what followed ran in one schedule
    let r = read_after_going_round(GoingOn::OneSchedule);
    assert!(r.failure.is_none() && r.complete, "{r}");
    assert_eq!((r.executions, r.blocked, r.one_schedule), (1, 1, 1), "{r}");
    let text = r.to_string();
    assert!(
        text.ends_with(
            "; in 1 of the blocked a waiting loop went on and what followed ran in one \
             schedule (HAPPENS_GOING_ON=all explores them all)"
        ),
        "{text}"
    );
}

// ---------------------------------------------------------------------------
// crossbeam-utils' `Backoff`, as its users wait with it: its step grows by
// one per `snooze` up to a limit, so the first rounds differ in the
// thread's state (refuted as repetitions), then repeat. A refuted call site
// repeats only in the state the read it repeats was in, so the wait is
// found once the step stops growing, and the loop is not reported as
// endless.

const SPIN_LIMIT: u32 = 6;
const YIELD_LIMIT: u32 = 10;

struct Backoff {
    step: std::cell::Cell<u32>,
}

impl Backoff {
    fn new() -> Self {
        Backoff {
            step: std::cell::Cell::new(0),
        }
    }

    fn snooze(&self) {
        if self.step.get() <= SPIN_LIMIT {
            for _ in 0..1 << self.step.get() {
                std::hint::spin_loop();
            }
        } else {
            thread::yield_now();
        }
        if self.step.get() <= YIELD_LIMIT {
            self.step.set(self.step.get() + 1);
        }
    }
}

fn backoff_wait(ready_store: std::sync::atomic::Ordering) -> happens::Report {
    Builder::new().explore(move || {
        let ready = Arc::new(AtomicBool::new(false));
        let data = Arc::new(UnsafeCell::new(0usize));
        let (r2, d2) = (ready.clone(), data.clone());
        let producer = thread::spawn(move || {
            d2.with_mut(|p| unsafe { *p = 42 }); // BACKOFF-WRITE
            r2.store(true, ready_store);
        });
        let backoff = Backoff::new();
        while !ready.load(Acquire) {
            backoff.snooze();
        }
        let v = data.with(|p| unsafe { *p }); // BACKOFF-READ
        assert_eq!(v, 42);
        producer.join().unwrap();
    })
}

#[test]
fn a_backoff_wait_ends() {
    let r = backoff_wait(Release);
    assert!(r.failure.is_none() && r.complete, "{r}");
    // `ready` read set after 0 to 11 snoozes: 12 states of the step (it
    // stops at 11); from then on a round repeats the one before it, and
    // the execution where the consumer waits until the producer is done
    // goes on reading `true` (`moved_on`, counted as blocked)
    assert_eq!((r.executions, r.blocked), (12, 1), "{r}");
}

#[test]
fn a_backoff_wait_on_a_relaxed_flag_races() {
    let r = backoff_wait(Relaxed);
    let f = r.failure.as_ref().expect("the flag does not synchronise");
    match &f.kind {
        FailureKind::DataRace { first, second, .. } => {
            let ats = [first.at, second.at].map(|a| a.map(|l| l.to_string()));
            assert!(
                ats.iter()
                    .any(|a| a.as_ref().is_some_and(|a| a.contains(&at("BACKOFF-WRITE")))),
                "{f}"
            );
            assert!(
                ats.iter()
                    .any(|a| a.as_ref().is_some_and(|a| a.contains(&at("BACKOFF-READ")))),
                "{f}"
            );
        }
        _ => panic!("expected a data race: {f}"),
    }
}
