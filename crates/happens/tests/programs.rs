//! Programs written the way people write them: the seed notes' programs as
//! the notes write them, and shapes from real crates (boxes published
//! through `AtomicPtr`, objects made in loops and in spawned threads, retry
//! loops without hints, tagged pointers, waiting loops with and without
//! backoff). Each test states its exact verdict: the kind of failure and
//! the source lines it names, or the number of complete executions.
//!
//! The counts are GenMC's for the C twin of each program
//! (`tests/genmc/*.c`, `genmc -rc11 -disable-sr`, GenMC v0.11.0; the table
//! is in `tests/genmc/README.md`). GenMC's *spin-assume* makes a loop round
//! that failed and changed nothing a blocked execution, and so does the
//! waiting rule here: such executions are in `report.blocked`, never in
//! `report.executions`. Shared state that must not add executions of its
//! own goes through `Box::leak` (as the notes do) or `thread::scope`: an
//! `Arc`'s reference count is a modelled atomic, and the orders in which
//! threads drop their clones are executions of their own.

mod common;

use std::collections::BTreeSet;
use std::ptr;
use std::sync::atomic::Ordering::{self, *};
use std::time::{Duration, Instant};

use common::*;
use happens::cell::UnsafeCell;
use happens::model::Builder;
use happens::sync::atomic::{AtomicBool, AtomicPtr, AtomicUsize};
use happens::sync::Arc;
use happens::thread;
use happens::FailureKind;

const SRC: &str = include_str!("programs.rs");

/// `file:line:` of the line holding `marker`.
fn at(marker: &str) -> String {
    place("programs.rs", SRC, marker)
}

/// The failure is a data race between a `kind_a` access on the line of
/// `a` and a `kind_b` access on the line of `b` (in either order).
#[track_caller]
fn assert_race(f: &happens::Failure, a: (&str, &str), b: (&str, &str)) {
    let FailureKind::DataRace { first, second, .. } = &f.kind else {
        panic!("expected a data race: {f}");
    };
    let got = |x: &happens::Access| {
        let at = x.at.map(|l| l.to_string()).unwrap_or_default();
        (x.kind.to_string(), at)
    };
    let want = |(kind, m): (&str, &str)| (kind.to_string(), at(m));
    let ok = |w: &(String, String), g: &(String, String)| w.0 == g.0 && g.1.contains(&w.1);
    let (wa, wb, g1, g2) = (want(a), want(b), got(first), got(second));
    assert!(
        (ok(&wa, &g1) && ok(&wb, &g2)) || (ok(&wa, &g2) && ok(&wb, &g1)),
        "{f}"
    );
}

// ---------------------------------------------------------------------------
// The seed notes' spin-lock mutex, as written: a weak compare-exchange in the
// outer loop, a read-only inner loop with `yield_now`, no hint in the outer
// loop; the notes share it with `Box::leak`.

struct Mutex<T> {
    locked: AtomicBool,
    v: UnsafeCell<T>,
    acquire: Ordering,
    release: Ordering,
}

unsafe impl<T> Sync for Mutex<T> where T: Send {}

impl<T> Mutex<T> {
    fn new(t: T, acquire: Ordering, release: Ordering) -> Self {
        Mutex {
            locked: AtomicBool::new(false),
            v: UnsafeCell::new(t),
            acquire,
            release,
        }
    }

    fn with_lock<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        while self
            .locked
            .compare_exchange_weak(false, true, self.acquire, Ordering::Relaxed)
            .is_err()
        {
            while self.locked.load(Ordering::Relaxed) {
                thread::yield_now();
            }
        }
        let ret = self.v.with_mut(|v| f(unsafe { &mut *v })); // MARK-CRITICAL
        self.locked.store(false, self.release);
        ret
    }
}

fn seed_mutex(threads: usize, acquire: Ordering, release: Ordering) -> happens::Report {
    seed_mutex_with(threads, acquire, release, true)
}

fn seed_mutex_with(
    threads: usize,
    acquire: Ordering,
    release: Ordering,
    symmetry: bool,
) -> happens::Report {
    Builder::new().symmetry(symmetry).explore(move || {
        let l: &'static _ = Box::leak(Box::new(Mutex::new(0, acquire, release)));
        let handles: Vec<_> = (0..threads)
            .map(|_| thread::spawn(move || l.with_lock(|v| *v += 1)))
            .collect();
        for handle in handles {
            handle.join().unwrap()
        }
        assert_eq!(l.with_lock(|v| *v), threads);
    })
}

#[test]
fn seed_mutex_as_written_counts_the_lock_orders() {
    // GenMC, A_spin_mutex.c with `-disable-sr`: 2, 6 and 24 complete
    // executions; the threads are alike (one closure, the same lock), and
    // with symmetry reduction every lock order is the image of the one in
    // which they lock in the order they were spawned: 1
    for (n, complete) in [(2, 2), (3, 6), (4, 24)] {
        for (symmetry, complete) in [(false, complete), (true, 1)] {
            let r = seed_mutex_with(n, Acquire, Release, symmetry);
            assert!(r.failure.is_none(), "{r}");
            assert!(r.complete);
            assert_eq!(r.executions, complete, "{n} threads: {r}");
        }
    }
}

#[test]
fn seed_mutex_shared_through_an_arc() {
    // as people write it: `Arc`-shared, one clone per spawned thread. The
    // reference count is an atomic too, so the orders of the drops are
    // executions of their own: GenMC's count for the C twin with the
    // count's RMWs (A2_spin_mutex_arc.c) is 5 for 2 threads, 57 for 3
    // (with `-disable-sr`, and with its defaults: the count's increment
    // between the spawns hides the symmetry from it). With symmetry
    // reduction one lock order, and the drops in every place after it: 3
    // and 15 ((2n-1)!!, as for `tests/symmetry.rs`'s counter)
    for (n, symmetry, complete) in [(2, false, 5), (3, false, 57), (2, true, 3), (3, true, 15)] {
        let r = Builder::new().symmetry(symmetry).explore(move || {
            let l = Arc::new(Mutex::new(0, Acquire, Release));
            let handles: Vec<_> = (0..n)
                .map(|_| {
                    let l = l.clone();
                    thread::spawn(move || l.with_lock(|v| *v += 1))
                })
                .collect();
            for handle in handles {
                handle.join().unwrap()
            }
            assert_eq!(l.with_lock(|v| *v), n);
        });
        assert!(r.failure.is_none(), "{r}");
        assert!(r.complete);
        assert_eq!(r.executions, complete, "{n} threads: {r}");
    }
}

#[test]
fn seed_mutex_all_relaxed_races_in_the_critical_section() {
    let r = seed_mutex(2, Relaxed, Relaxed);
    let f = r
        .failure
        .expect("a Relaxed lock does not order the critical sections");
    assert_race(&f, ("write", "MARK-CRITICAL"), ("write", "MARK-CRITICAL"));
}

/// The notes' first mutex: wait until unlocked, then store (not atomic).
struct LoadStoreMutex {
    locked: AtomicBool,
    v: UnsafeCell<u32>,
}

unsafe impl Sync for LoadStoreMutex {}

#[test]
fn notes_load_then_store_mutex_races() {
    let f = fails(|| {
        let l: &'static _ = Box::leak(Box::new(LoadStoreMutex {
            locked: AtomicBool::new(false),
            v: UnsafeCell::new(0),
        }));
        let ts: Vec<_> = (0..2)
            .map(|_| {
                thread::spawn(move || {
                    while l.locked.load(Relaxed) {}
                    l.locked.store(true, Relaxed);
                    l.v.with_mut(|v| unsafe { *v += 1 }); // MARK-LS-CRITICAL
                    l.locked.store(false, Relaxed);
                })
            })
            .collect();
        for t in ts {
            t.join().unwrap();
        }
    });
    assert_race(
        &f,
        ("write", "MARK-LS-CRITICAL"),
        ("write", "MARK-LS-CRITICAL"),
    );
}

#[test]
fn strong_cas_spin_lock_without_a_hint() {
    // GenMC, B_strong_cas_lock.c: 2 with `-disable-sr`; the two threads
    // are alike, and with symmetry reduction one lock order is explored
    let r = Builder::new().explore(|| {
        let l: &'static AtomicBool = Box::leak(Box::new(AtomicBool::new(false)));
        let v: &'static UnsafeCell<u32> = Box::leak(Box::new(UnsafeCell::new(0)));
        struct S(&'static UnsafeCell<u32>);
        unsafe impl Send for S {}
        let ts: Vec<_> = (0..2)
            .map(|_| {
                let s = S(v);
                thread::spawn(move || {
                    let s = s;
                    while l.compare_exchange(false, true, Acquire, Relaxed).is_err() {}
                    s.0.with_mut(|v| unsafe { *v += 1 });
                    l.store(false, Release);
                })
            })
            .collect();
        for t in ts {
            t.join().unwrap();
        }
        assert_eq!(v.with(|v| unsafe { *v }), 2);
    });
    assert!(r.failure.is_none(), "{r}");
    assert_eq!(r.executions, 1, "{r}");
}

// ---------------------------------------------------------------------------
// Lazy initialisation with `AtomicPtr` (the notes' `get_data`), three threads
// racing to initialise.

struct Data(UnsafeCell<u64>);

fn generate_data() -> Data {
    Data(UnsafeCell::new(42)) // MARK-GENERATE
}

/// The notes' `get_data`, with the orderings as parameters. A `static`
/// holds the pointer, as in the notes (`const_new`: creating an atomic
/// inside an execution is an event, so `new` is not `const`).
fn get_data(
    ptr: &'static AtomicPtr<Data>,
    load: Ordering,
    success: Ordering,
    failure: Ordering,
) -> &'static Data {
    let mut p = ptr.load(load);
    if p.is_null() {
        p = Box::into_raw(Box::new(generate_data()));
        if let Err(e) = ptr.compare_exchange(ptr::null_mut(), p, success, failure) {
            // Safety: p comes from Box::into_raw right above,
            // and wasn't shared with any other thread.
            drop(unsafe { Box::from_raw(p) });
            p = e;
        }
    }
    // Safety: p is not null and points to a properly initialized value.
    unsafe { &*p }
}

static PTR: AtomicPtr<Data> = AtomicPtr::const_new(ptr::null_mut());
static RELAXED_PTR: AtomicPtr<Data> = AtomicPtr::const_new(ptr::null_mut());

#[test]
fn lazy_initialisation_with_three_threads() {
    // GenMC, D_lazy_init.c (with the failure ordering applied, see its
    // README): 12
    let r = Builder::new().explore(|| {
        let ts: Vec<_> = (0..3)
            .map(|_| {
                thread::spawn(|| {
                    let d = get_data(&PTR, Acquire, Release, Acquire);
                    d.0.with(|v| unsafe { *v })
                })
            })
            .collect();
        for t in ts {
            assert_eq!(t.join().unwrap(), 42);
        }
        // the winner's box, for the next execution
        drop(unsafe { Box::from_raw(PTR.swap(ptr::null_mut(), Acquire)) });
    });
    assert!(r.failure.is_none(), "{r}");
    assert!(r.complete);
    assert_eq!(r.executions, 12, "{r}");
}

#[test]
fn lazy_initialisation_all_relaxed_races_with_the_initialisation() {
    let f = fails(|| {
        let ts: Vec<_> = (0..3)
            .map(|_| {
                thread::spawn(|| {
                    let d = get_data(&RELAXED_PTR, Relaxed, Relaxed, Relaxed);
                    d.0.with(|v| unsafe { *v }) // MARK-LAZY-READ
                })
            })
            .collect();
        for t in ts {
            t.join().unwrap();
        }
    });
    // the read of another thread's box races with its creation
    assert_race(&f, ("write", "MARK-GENERATE"), ("read", "MARK-LAZY-READ"));
}

// ---------------------------------------------------------------------------
// A box published through an `AtomicPtr`.

fn publish(store: Ordering, load: Ordering) -> happens::Report {
    Builder::new().explore(move || {
        let slot = Arc::new(AtomicPtr::<UnsafeCell<u32>>::new(ptr::null_mut()));
        let s2 = slot.clone();
        let t = thread::spawn(move || {
            let p = Box::into_raw(Box::new(UnsafeCell::new(42))); // MARK-BOX
            s2.store(p, store);
        });
        let p = slot.load(load);
        if !p.is_null() {
            let v = unsafe { &*p }.with(|v| unsafe { *v }); // MARK-BOX-READ
            assert_eq!(v, 42);
        }
        t.join().unwrap();
        let p = slot.swap(ptr::null_mut(), Relaxed);
        drop(unsafe { Box::from_raw(p) });
    })
}

#[test]
fn box_published_with_release_acquire() {
    // GenMC, E_box_publish.c: 2 (the load reads null, or the pointer)
    let r = publish(Release, Acquire);
    assert!(r.failure.is_none(), "{r}");
    assert_eq!(r.executions, 2, "{r}");
}

#[test]
fn box_published_relaxed_races_with_its_initialisation() {
    let f = publish(Relaxed, Relaxed).failure.expect("a race");
    assert_race(&f, ("write", "MARK-BOX"), ("read", "MARK-BOX-READ"));
}

// ---------------------------------------------------------------------------
// Objects made together: in `array::from_fn`, in a loop, in spawned threads.

#[test]
fn cells_from_one_array_from_fn() {
    let (outs, r) = outcomes(|| {
        let cells: [UnsafeCell<usize>; 3] = std::array::from_fn(|_| UnsafeCell::new(0));
        thread::scope(|s| {
            for (i, c) in cells.iter().enumerate().rev() {
                struct C<'a>(&'a UnsafeCell<usize>);
                unsafe impl Send for C<'_> {}
                let c = C(c);
                s.spawn(move || {
                    let c = c;
                    c.0.with_mut(|v| unsafe { *v = i + 1 })
                });
            }
        });
        cells
            .iter()
            .map(|c| c.with(|v| unsafe { *v }))
            .sum::<usize>()
    });
    assert_eq!(outs, vec![6]);
    assert_eq!(r.executions, 1);
}

fn sb_ring(ord: Ordering) -> (Vec<Vec<usize>>, happens::Report) {
    outcomes(move || {
        let xs: Vec<AtomicUsize> = (0..3).map(|_| AtomicUsize::new(0)).collect();
        thread::scope(|s| {
            let hs: Vec<_> = (0..3)
                .map(|i| {
                    let xs = &xs;
                    s.spawn(move || {
                        xs[i].store(1, ord);
                        xs[(i + 1) % 3].load(ord)
                    })
                })
                .collect();
            hs.into_iter().map(|h| h.join().unwrap()).collect()
        })
    })
}

#[test]
fn store_buffering_ring_over_atomics_made_in_a_loop() {
    // GenMC, F_sb_ring3.c: 8 Relaxed, 7 SeqCst
    let (outs, r) = sb_ring(Relaxed);
    assert_eq!(outs.len(), 8);
    assert_eq!(r.executions, 8);
    let (outs, r) = sb_ring(SeqCst);
    assert!(!outs.contains(&vec![0, 0, 0]));
    assert_eq!((outs.len(), r.executions), (7, 7));
}

#[test]
fn objects_made_in_spawned_threads_and_returned_through_join() {
    let (outs, r) = outcomes(|| {
        let hs: Vec<_> = (0..3)
            .map(|i| {
                thread::spawn(move || {
                    let a = AtomicUsize::new(i);
                    a.fetch_add(10, Relaxed);
                    (a, Box::new(UnsafeCell::new(i * 100)))
                })
            })
            .collect();
        let objs: Vec<_> = hs.into_iter().map(|h| h.join().unwrap()).collect();
        objs.iter()
            .map(|(a, c)| a.load(Relaxed) + c.with(|v| unsafe { *v }))
            .collect::<Vec<_>>()
    });
    assert_eq!(outs, vec![vec![10, 111, 212]]);
    assert_eq!(r.executions, 1);
}

#[test]
fn tagged_pointer_compare_exchanged_into_an_atomic_ptr() {
    // GenMC, G_tagged_ptr.c: 2
    let (outs, r) = outcomes(|| {
        let slot: &'static AtomicPtr<UnsafeCell<u32>> =
            Box::leak(Box::new(AtomicPtr::new(ptr::null_mut())));
        let t = thread::spawn(move || {
            let p = Box::into_raw(Box::new(UnsafeCell::new(7)));
            let tagged = p.map_addr(|a| a | 1);
            slot.compare_exchange(ptr::null_mut(), tagged, Release, Relaxed)
                .unwrap();
        });
        let seen = slot.load(Acquire);
        let v = if seen.is_null() {
            None
        } else {
            assert_eq!(seen.addr() & 1, 1);
            let p = seen.map_addr(|a| a & !1);
            Some(unsafe { &*p }.with(|v| unsafe { *v }))
        };
        t.join().unwrap();
        let p = slot.load(Relaxed).map_addr(|a| a & !1);
        drop(unsafe { Box::from_raw(p) });
        v
    });
    assert_eq!(outs, vec![None, Some(7)]);
    assert_eq!(r.executions, 2);
}

// ---------------------------------------------------------------------------
// A Treiber stack: weak compare-exchange loops without hints.

struct Node {
    value: u32,
    next: *mut Node,
}

struct Stack {
    head: AtomicPtr<Node>,
}

unsafe impl Sync for Stack {}

impl Stack {
    fn push(&self, value: u32) {
        let n = Box::into_raw(Box::new(Node {
            value,
            next: ptr::null_mut(),
        }));
        let mut head = self.head.load(Relaxed);
        loop {
            unsafe { (*n).next = head };
            match self.head.compare_exchange_weak(head, n, Release, Relaxed) {
                Ok(_) => break,
                Err(h) => head = h,
            }
        }
    }

    fn pop(&self) -> Option<u32> {
        let mut head = self.head.load(Acquire);
        while !head.is_null() {
            let next = unsafe { (*head).next };
            match self
                .head
                .compare_exchange_weak(head, next, Acquire, Acquire)
            {
                Ok(_) => return Some(unsafe { Box::from_raw(head) }.value),
                Err(h) => head = h,
            }
        }
        None
    }
}

#[test]
fn treiber_stack_pops_every_push_order() {
    // GenMC, H_treiber.c: 6, one per pop order
    let (outs, r) = outcomes(|| {
        let s: &'static Stack = Box::leak(Box::new(Stack {
            head: AtomicPtr::new(ptr::null_mut()),
        }));
        let a = thread::spawn(move || {
            s.push(1);
            s.push(2);
        });
        let b = thread::spawn(move || {
            s.push(3);
            s.push(4);
        });
        a.join().unwrap();
        b.join().unwrap();
        let mut popped = Vec::new();
        while let Some(v) = s.pop() {
            popped.push(v);
        }
        popped
    });
    // every interleaving of 1 before 2 and 3 before 4, popped last first
    let want: BTreeSet<Vec<u32>> = [
        [2, 1, 4, 3],
        [2, 4, 1, 3],
        [2, 4, 3, 1],
        [4, 2, 1, 3],
        [4, 2, 3, 1],
        [4, 3, 2, 1],
    ]
    .into_iter()
    .map(|v| v.to_vec())
    .collect();
    assert_eq!(outs.into_iter().collect::<BTreeSet<_>>(), want);
    assert_eq!(r.executions, 6, "{r}");
}

#[test]
fn fetch_update_from_three_threads() {
    // GenMC, I_fetch_update.c: 6 (a failed try goes round the loop)
    let (outs, r) = outcomes(|| {
        let x = AtomicUsize::new(0);
        thread::scope(|s| {
            for _ in 0..3 {
                s.spawn(|| x.fetch_update(SeqCst, SeqCst, |v| Some(v + 1)).unwrap());
            }
        });
        x.load(SeqCst)
    });
    assert_eq!(outs, vec![3]);
    assert_eq!(r.executions, 6);
}

// ---------------------------------------------------------------------------
// The waiting rule: what is a waiting loop and what is not.

#[test]
fn a_lone_yield_before_unpark_is_no_deadlock() {
    let r = Builder::new().explore(|| {
        let me = thread::current();
        let t = thread::spawn(move || {
            thread::yield_now();
            me.unpark();
        });
        thread::park();
        t.join().unwrap();
    });
    assert!(r.failure.is_none(), "{r}");
    // park returns after the unpark: one execution (the one where it
    // found no token yet waited, and is blocked)
    assert_eq!(r.executions, 1, "{r}");
}

#[test]
fn a_ring_buffer_push_moves_to_the_next_slot() {
    // a full slot makes the push try the next one: each round touches
    // another location, so it is no waiting loop
    let (outs, r) = outcomes(|| {
        let full: Vec<AtomicBool> = (0..4).map(|i| AtomicBool::new(i < 2)).collect();
        let mut tail = 0;
        loop {
            if full[tail]
                .compare_exchange(false, true, Acquire, Relaxed)
                .is_ok()
            {
                break;
            }
            tail = (tail + 1) % full.len();
            happens::hint::spin_loop();
        }
        tail
    });
    assert_eq!(outs, vec![2]);
    assert_eq!(r.executions, 1);
}

#[test]
fn a_single_threaded_loop_until_a_deadline() {
    let r = Builder::new().explore(|| {
        let deadline = Instant::now() + Duration::from_millis(2);
        while Instant::now() < deadline {
            thread::yield_now();
        }
        // a bounded loop over a flag nobody sets ends on its own count
        let flag = AtomicBool::new(false);
        let mut tries = 0;
        while !flag.load(Acquire) && tries < 100 {
            tries += 1;
            happens::hint::spin_loop();
        }
        assert_eq!(tries, 100);
    });
    assert!(r.failure.is_none(), "{r}");
    assert_eq!(r.executions, 1);
}

/// A waiter that spins a few times (a backoff) and then parks, and a
/// notifier that sets `ready` and unparks the waiter if it said it sleeps.
/// With `SeqCst` on both sides (a store then a load each: Dekker) one of
/// them sees the other; with Acquire/Release both may miss each other and
/// the wakeup is lost.
fn spin_then_park(store: Ordering, load: Ordering) -> happens::Report {
    Builder::new().explore(move || {
        let ready = Arc::new(AtomicBool::new(false));
        let sleeping = Arc::new(AtomicBool::new(false));
        let (r2, s2) = (ready.clone(), sleeping.clone());
        let waiter = thread::spawn(move || {
            let mut step = 0;
            while !r2.load(Acquire) {
                if step < 6 {
                    step += 1;
                    happens::hint::spin_loop();
                    continue;
                }
                s2.store(true, store);
                if !r2.load(load) {
                    thread::park(); // MARK-PARK
                }
                s2.store(false, Relaxed);
            }
        });
        ready.store(true, store);
        if sleeping.load(load) {
            waiter.thread().unpark();
        }
        waiter.join().unwrap(); // MARK-JOIN
    })
}

#[test]
fn spin_then_park_with_a_lost_wakeup_is_found() {
    let r = spin_then_park(Release, Acquire);
    let f = r.failure.expect("the wakeup can be lost");
    let FailureKind::Deadlock { threads } = &f.kind else {
        panic!("expected a deadlock: {f}");
    };
    let waits = |t: usize, m: &str| {
        threads.iter().any(|w| {
            w.thread == t
                && w.at
                    .map(|l| l.to_string())
                    .unwrap_or_default()
                    .contains(&at(m))
        })
    };
    assert!(waits(1, "MARK-PARK") && waits(0, "MARK-JOIN"), "{f}");
}

#[test]
fn spin_then_park_done_right_passes() {
    let r = spin_then_park(SeqCst, SeqCst);
    assert!(r.failure.is_none(), "{r}");
    assert!(r.complete);
}

// ---------------------------------------------------------------------------
// Many objects, addresses in integers, statics that hold them.

#[test]
fn ten_thousand_objects_in_one_thread() {
    let r = ok(|| {
        let atomics: Vec<AtomicUsize> = (0..5_000).map(AtomicUsize::new).collect();
        let cells: Vec<UnsafeCell<usize>> = (0..5_000).map(UnsafeCell::new).collect();
        let sum: usize = atomics.iter().map(|a| a.load(Relaxed)).sum::<usize>()
            + cells
                .iter()
                .map(|c| c.with(|v| unsafe { *v }))
                .sum::<usize>();
        assert_eq!(sum, 2 * (4_999 * 5_000 / 2));
    });
    assert_eq!(r.executions, 1);
}

/// A list whose head is a tagged pointer kept in an `AtomicUsize`, as
/// crossbeam-epoch keeps them; its `Drop` frees the nodes.
struct List {
    head: AtomicUsize,
}

struct Entry {
    value: usize,
    next: usize,
}

impl List {
    fn push(&self, value: usize) {
        let e = Box::into_raw(Box::new(Entry { value, next: 0 })) as usize;
        let mut head = self.head.load(Relaxed);
        loop {
            unsafe { (*(e as *mut Entry)).next = head & !1 };
            match self
                .head
                .compare_exchange_weak(head, e | 1, Release, Relaxed)
            {
                Ok(_) => return,
                Err(h) => head = h,
            }
        }
    }

    fn sum(&self) -> usize {
        let mut p = self.head.load(Acquire) & !1;
        let mut sum = 0;
        while p != 0 {
            let e = unsafe { &*(p as *const Entry) };
            sum += e.value;
            p = e.next;
        }
        sum
    }
}

impl Drop for List {
    fn drop(&mut self) {
        let mut p = *self.head.get_mut() & !1;
        while p != 0 {
            let e = unsafe { Box::from_raw(p as *mut Entry) };
            p = e.next;
        }
    }
}

happens::lazy_static! {
    static ref LIST: List = List { head: AtomicUsize::new(0) };
}

#[test]
fn tagged_pointers_in_an_atomic_usize_held_by_a_lazy_static() {
    let (outs, r) = outcomes(|| {
        let ts: Vec<_> = (1..=2)
            .map(|v| thread::spawn(move || LIST.push(v)))
            .collect();
        for t in ts {
            t.join().unwrap();
        }
        LIST.sum()
    });
    assert_eq!(outs, vec![3]);
    // the two push orders
    assert_eq!(r.executions, 2, "{r}");
}

#[test]
fn pointer_arithmetic_and_tag_bits_on_an_atomic_ptr() {
    let (outs, r) = outcomes(|| {
        let data: &'static [u64; 4] = Box::leak(Box::new([10, 11, 12, 13]));
        let base = data.as_ptr() as *mut u64;
        let p = AtomicPtr::new(base);
        let q = Arc::new(p);
        let q2 = q.clone();
        let t = thread::spawn(move || {
            q2.fetch_ptr_add(2, AcqRel);
        });
        // a tag in the low bit, set and cleared again
        let untagged = q.fetch_or(1, AcqRel);
        let tagged = q.fetch_and(!1, AcqRel);
        assert_eq!((untagged.addr() & 1, tagged.addr() & 1), (0, 1));
        t.join().unwrap();
        let end = q.load(Acquire);
        let byte = q.fetch_byte_add(8, AcqRel);
        assert_eq!(byte, end);
        // both orders of the add and the tag end at the third element
        unsafe { *end }
    });
    assert_eq!(outs, vec![12]);
    // the add before the tag, after it, or between setting and clearing it
    assert_eq!(r.executions, 3);
}
