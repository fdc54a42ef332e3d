//! The ordering advisor (`Builder::advise`): exact answers on the seed
//! notes' programs and the classic shapes, each checked again by running
//! the program with the advised orderings written in.

mod common;

use std::sync::atomic::Ordering::{self, *};
use std::sync::Arc;

use common::place;
use happens::advise::{Advice, Choice, SiteKind};
use happens::cell::UnsafeCell;
use happens::model::Builder;
use happens::sync::atomic::{fence, AtomicBool, AtomicUsize};
use happens::thread;
use happens::FailureKind;

const SRC: &str = include_str!("advise.rs");

/// A builder that draws no diagrams.
fn quiet() -> Builder {
    let mut b = Builder::new();
    b.diagram(false);
    b
}

fn advise(f: impl Fn() + Sync + Send + 'static) -> Advice {
    quiet().advise(f)
}

/// The advice for the site of `kind` on the line holding `marker`.
#[track_caller]
fn site<'a>(a: &'a Advice, marker: &str, kind: SiteKind) -> &'a happens::advise::SiteAdvice {
    let at = place("advise.rs", SRC, marker);
    a.sites
        .iter()
        .find(|s| s.site.kind == kind && s.site.to_string().contains(&at))
        .unwrap_or_else(|| panic!("no {kind:?} site at {at}:\n{a}"))
}

/// The site's weakest orderings alone, and the orderings whose failures
/// show why (each a failure of `why`'s kind).
#[track_caller]
fn assert_site(a: &Advice, marker: &str, kind: SiteKind, weakest: &[Choice], why: &[Choice]) {
    let s = site(a, marker, kind);
    assert_eq!(s.weakest, weakest, "{marker}:\n{a}");
    let got: Vec<Choice> = s.why.iter().map(|(c, _)| *c).collect();
    assert_eq!(got, why, "{marker}:\n{a}");
}

/// The combination's choice for the site.
#[track_caller]
fn together(a: &Advice, marker: &str, kind: SiteKind) -> Choice {
    let at = place("advise.rs", SRC, marker);
    a.together
        .iter()
        .find(|(s, _)| s.kind == kind && s.to_string().contains(&at))
        .unwrap_or_else(|| panic!("no {kind:?} site at {at}:\n{a}"))
        .1
}

// ---------------------------------------------------------------------------
// The seed notes' spin-lock mutex guarding a plain counter, as the notes
// write it.

struct SpinMutex<T> {
    locked: AtomicBool,
    v: UnsafeCell<T>,
    acquire: Ordering,
    release: Ordering,
}

unsafe impl<T: Send> Sync for SpinMutex<T> {}

impl<T> SpinMutex<T> {
    fn with_lock<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        while self
            .locked
            .compare_exchange_weak(false, true, self.acquire, Relaxed) // LOCK
            .is_err()
        {
            while self.locked.load(Relaxed) {} // WAIT
        }
        let ret = self.v.with_mut(|p| f(unsafe { &mut *p }));
        self.locked.store(false, self.release); // UNLOCK
        ret
    }
}

fn spin_mutex(acquire: Ordering, release: Ordering) -> impl Fn() + Sync + Send + 'static {
    move || {
        let l = Arc::new(SpinMutex {
            locked: AtomicBool::new(false),
            v: UnsafeCell::new(0usize),
            acquire,
            release,
        });
        let hs: Vec<_> = (0..2)
            .map(|_| {
                let l = l.clone();
                thread::spawn(move || l.with_lock(|v| *v += 1))
            })
            .collect();
        for h in hs {
            h.join().unwrap();
        }
        assert_eq!(l.with_lock(|v| *v), 2);
    }
}

#[test]
fn the_seed_mutex_needs_acquire_to_lock_and_release_to_unlock() {
    let a = advise(spin_mutex(Acquire, Release));
    assert!(a.passes, "{a}");
    assert_eq!(a.sites.len(), 4, "{a}");
    // a Relaxed lock or unlock lets the two increments race
    assert_site(
        &a,
        "// LOCK",
        SiteKind::CasSuccess,
        &[Some(Acquire)],
        &[Some(Relaxed)],
    );
    assert_site(
        &a,
        "// UNLOCK",
        SiteKind::Store,
        &[Some(Release)],
        &[Some(Relaxed)],
    );
    for (c, f) in &site(&a, "// LOCK", SiteKind::CasSuccess).why {
        assert_eq!(*c, Some(Relaxed));
        assert!(matches!(f.kind, FailureKind::DataRace { .. }), "{f}");
    }
    // the waits stay Relaxed
    assert_site(&a, "// LOCK", SiteKind::CasFailure, &[Some(Relaxed)], &[]);
    assert_site(&a, "// WAIT", SiteKind::Load, &[Some(Relaxed)], &[]);
    assert!(a.together_passes, "{a}");
    assert_eq!(together(&a, "// LOCK", SiteKind::CasSuccess), Some(Acquire));
    assert_eq!(together(&a, "// UNLOCK", SiteKind::Store), Some(Release));
    // checked by running the weakened program: Relaxed fails, as advised
    let b = quiet();
    assert!(b.explore(spin_mutex(Relaxed, Release)).failure.is_some());
    assert!(b.explore(spin_mutex(Acquire, Relaxed)).failure.is_some());
}

#[test]
fn a_seq_cst_mutex_is_advised_down_to_acquire_and_release() {
    let a = advise(spin_mutex(SeqCst, SeqCst));
    assert!(a.passes, "{a}");
    assert_site(
        &a,
        "// LOCK",
        SiteKind::CasSuccess,
        &[Some(Acquire)],
        &[Some(Relaxed)],
    );
    assert_site(
        &a,
        "// UNLOCK",
        SiteKind::Store,
        &[Some(Release)],
        &[Some(Relaxed)],
    );
    assert!(a.together_passes);
    let b = quiet();
    assert!(b.explore(spin_mutex(Acquire, Release)).failure.is_none());
}

// ---------------------------------------------------------------------------
// Message passing with a plain payload.

struct Payload(UnsafeCell<u32>);

// SAFETY: every access goes through the model, which reports the races.
unsafe impl Sync for Payload {}

fn message_passing(store: Ordering, load: Ordering) -> impl Fn() + Sync + Send + 'static {
    move || {
        let data = Arc::new(Payload(UnsafeCell::new(0)));
        let flag = Arc::new(AtomicBool::new(false));
        let (d2, f2) = (data.clone(), flag.clone());
        let t = thread::spawn(move || {
            d2.0.with_mut(|p| unsafe { *p = 42 });
            f2.store(true, store); // MP-STORE
        });
        if flag.load(load) {
            // MP-LOAD
            assert_eq!(data.0.with(|p| unsafe { *p }), 42);
        }
        t.join().unwrap();
    }
}

#[test]
fn message_passing_needs_release_and_acquire() {
    let a = advise(message_passing(SeqCst, SeqCst));
    assert!(a.passes, "{a}");
    assert_eq!(a.sites.len(), 2, "{a}");
    assert_site(
        &a,
        "// MP-STORE",
        SiteKind::Store,
        &[Some(Release)],
        &[Some(Relaxed)],
    );
    assert_site(
        &a,
        "if flag.load(load)",
        SiteKind::Load,
        &[Some(Acquire)],
        &[Some(Relaxed)],
    );
    assert!(a.together_passes);
    let b = quiet();
    assert!(b
        .explore(message_passing(Release, Acquire))
        .failure
        .is_none());
    assert!(b
        .explore(message_passing(Relaxed, Acquire))
        .failure
        .is_some());
    assert!(b
        .explore(message_passing(Release, Relaxed))
        .failure
        .is_some());
}

// ---------------------------------------------------------------------------
// The seed notes' SeqCst `z` program: z is never 0 only with SeqCst on all
// six flag accesses; the increments of z need nothing.

fn z_program(flags: [Ordering; 6]) -> impl Fn() + Sync + Send + 'static {
    move || {
        let x = Arc::new(AtomicBool::new(false));
        let y = Arc::new(AtomicBool::new(false));
        let z = Arc::new(AtomicUsize::new(0));
        let (x1, y1) = (x.clone(), y.clone());
        let tx = thread::spawn(move || x1.store(true, flags[0])); // Z-TX
        let ty = thread::spawn(move || y1.store(true, flags[1])); // Z-TY
        let (x1, y1, z1) = (x.clone(), y.clone(), z.clone());
        let t1 = thread::spawn(move || {
            while !x1.load(flags[2]) {} // Z-T1-X
            if y1.load(flags[3]) {
                // Z-T1-Y
                z1.fetch_add(1, SeqCst); // Z-T1-ADD
            }
        });
        let (x1, y1, z1) = (x.clone(), y.clone(), z.clone());
        let t2 = thread::spawn(move || {
            while !y1.load(flags[4]) {} // Z-T2-Y
            if x1.load(flags[5]) {
                // Z-T2-X
                z1.fetch_add(1, SeqCst); // Z-T2-ADD
            }
        });
        for t in [tx, ty, t1, t2] {
            t.join().unwrap();
        }
        assert_ne!(z.load(SeqCst), 0); // Z-CHECK
    }
}

#[test]
fn the_z_program_needs_seq_cst_on_its_six_flag_accesses_only() {
    let a = advise(z_program([SeqCst; 6]));
    assert!(a.passes, "{a}");
    assert_eq!(a.sites.len(), 9, "{a}");
    for m in ["// Z-TX", "// Z-TY"] {
        assert_site(&a, m, SiteKind::Store, &[Some(SeqCst)], &[Some(Release)]);
    }
    for m in [
        "// Z-T1-X",
        "if y1.load(flags[3])",
        "// Z-T2-Y",
        "if x1.load(flags[5])",
    ] {
        assert_site(&a, m, SiteKind::Load, &[Some(SeqCst)], &[Some(Acquire)]);
    }
    for m in ["// Z-T1-ADD", "// Z-T2-ADD"] {
        assert_site(&a, m, SiteKind::Rmw, &[Some(Relaxed)], &[]);
    }
    assert_site(&a, "// Z-CHECK", SiteKind::Load, &[Some(Relaxed)], &[]);
    // every weaker flag access lets z stay 0, whichever it is
    for i in 0..6 {
        let mut flags = [SeqCst; 6];
        flags[i] = if i < 2 { Release } else { Acquire };
        let b = quiet();
        let f = b.explore(z_program(flags)).failure.expect("z can be 0");
        assert!(matches!(f.kind, FailureKind::Panic { .. }), "{f}");
    }
    assert!(a.together_passes);
    assert_eq!(together(&a, "// Z-T1-ADD", SiteKind::Rmw), Some(Relaxed));
    assert_eq!(together(&a, "// Z-TX", SiteKind::Store), Some(SeqCst));
}

// ---------------------------------------------------------------------------
// Store buffering with SeqCst fences: the fences stay, the accesses become
// Relaxed.

fn store_buffering(access: Ordering, fences: Choice) -> impl Fn() + Sync + Send + 'static {
    move || {
        let x = Arc::new(AtomicUsize::new(0));
        let y = Arc::new(AtomicUsize::new(0));
        let (x1, y1) = (x.clone(), y.clone());
        let t = thread::spawn(move || {
            x1.store(1, access); // SB-T1-STORE
            if let Some(o) = fences {
                fence(o); // SB-T1-FENCE
            }
            y1.load(access) // SB-T1-LOAD
        });
        y.store(1, access); // SB-T0-STORE
        if let Some(o) = fences {
            fence(o); // SB-T0-FENCE
        }
        let r0 = x.load(access); // SB-T0-LOAD
        let r1 = t.join().unwrap();
        assert!(r0 == 1 || r1 == 1, "both threads read 0");
    }
}

#[test]
fn store_buffering_keeps_its_fences_and_relaxes_its_accesses() {
    let a = advise(store_buffering(SeqCst, Some(SeqCst)));
    assert!(a.passes, "{a}");
    assert_eq!(a.sites.len(), 6, "{a}");
    // alone, with the other accesses SeqCst: an access can be Relaxed, and
    // a fence is not needed at all
    for m in ["// SB-T1-STORE", "// SB-T0-STORE"] {
        assert_site(&a, m, SiteKind::Store, &[Some(Relaxed)], &[]);
    }
    for m in ["// SB-T1-LOAD", "// SB-T0-LOAD"] {
        assert_site(&a, m, SiteKind::Load, &[Some(Relaxed)], &[]);
    }
    for m in ["// SB-T1-FENCE", "// SB-T0-FENCE"] {
        assert_site(&a, m, SiteKind::Fence, &[None], &[]);
    }
    // together: the accesses Relaxed, the fences SeqCst
    assert!(a.together_passes, "{a}");
    for m in ["// SB-T1-STORE", "// SB-T0-STORE"] {
        assert_eq!(together(&a, m, SiteKind::Store), Some(Relaxed), "{a}");
    }
    for m in ["// SB-T1-LOAD", "// SB-T0-LOAD"] {
        assert_eq!(together(&a, m, SiteKind::Load), Some(Relaxed), "{a}");
    }
    for m in ["// SB-T1-FENCE", "// SB-T0-FENCE"] {
        assert_eq!(together(&a, m, SiteKind::Fence), Some(SeqCst), "{a}");
    }
    let b = quiet();
    assert!(b
        .explore(store_buffering(Relaxed, Some(SeqCst)))
        .failure
        .is_none());
    assert!(b
        .explore(store_buffering(Relaxed, Some(AcqRel)))
        .failure
        .is_some());
    assert!(b.explore(store_buffering(Relaxed, None)).failure.is_some());
}

// ---------------------------------------------------------------------------
// An over-strong program: every access SeqCst where Relaxed suffices (the
// joins order everything the check reads).

fn over_strong(o: Ordering) -> impl Fn() + Sync + Send + 'static {
    move || {
        let hits = Arc::new(AtomicUsize::new(0));
        let hs: Vec<_> = (0..2)
            .map(|_| {
                let hits = hits.clone();
                thread::spawn(move || {
                    hits.fetch_add(1, o); // OVER-ADD
                })
            })
            .collect();
        for h in hs {
            h.join().unwrap();
        }
        assert_eq!(hits.load(o), 2); // OVER-CHECK
    }
}

#[test]
fn an_over_strong_program_is_relaxed_everywhere() {
    let a = advise(over_strong(SeqCst));
    assert!(a.passes, "{a}");
    assert_eq!(a.sites.len(), 2, "{a}");
    assert_site(&a, "// OVER-ADD", SiteKind::Rmw, &[Some(Relaxed)], &[]);
    assert_site(&a, "// OVER-CHECK", SiteKind::Load, &[Some(Relaxed)], &[]);
    assert!(a.together.iter().all(|&(_, c)| c == Some(Relaxed)), "{a}");
    assert!(a.together_passes);
    let b = quiet();
    assert!(b.explore(over_strong(Relaxed)).failure.is_none());
}

// ---------------------------------------------------------------------------
// A failing test: which sites, strengthened alone, make it pass.

#[test]
fn a_failing_test_is_told_which_sites_to_strengthen() {
    let a = advise(message_passing(Relaxed, Relaxed));
    assert!(!a.passes, "{a}");
    assert!(a.failure.is_some());
    // neither site alone is enough: both are needed
    assert!(a.strengthen.is_empty(), "{a}");
    let a = advise(message_passing(Release, Relaxed));
    assert!(!a.passes);
    assert_eq!(a.strengthen.len(), 1, "{a}");
    assert_eq!(a.strengthen[0].site.kind, SiteKind::Load);
    assert_eq!(a.strengthen[0].to, Acquire);
    assert!(
        a.to_string().contains("Relaxed -> Acquire makes it pass"),
        "{a}"
    );
}

// ---------------------------------------------------------------------------
// HAPPENS_ADVISE=1: every test `model()` passes is advised, on stderr (this
// binary run again with the variable set, running the child below).

#[test]
#[ignore = "run by the HAPPENS_ADVISE test as a child process"]
fn advise_child() {
    happens::model(message_passing(SeqCst, SeqCst));
}

#[test]
fn happens_advise_advises_every_passing_model() {
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "advise_child", "--ignored", "--nocapture"])
        .env("HAPPENS_ADVISE", "1")
        .output()
        .unwrap();
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("happens advise: the test passes as written; 2 atomic call sites"),
        "{err}"
    );
    let store = place("advise.rs", SRC, "// MP-STORE");
    assert!(
        err.lines()
            .any(|l| l.contains(&store)
                && l.ends_with("store: Release (written SeqCst); Relaxed fails")),
        "{err}"
    );
}

/// The library's own fences (an `Arc` freeing its value, `try_unwrap`) are
/// not sites: only the program's atomics are.
#[test]
fn an_arcs_own_fence_is_not_a_site() {
    let a = advise(|| {
        let n = happens::sync::Arc::new(AtomicUsize::new(0));
        let n2 = n.clone();
        let t = thread::spawn(move || {
            n2.fetch_add(1, SeqCst); // ARC-ADD
        });
        t.join().unwrap();
        let n = happens::sync::Arc::try_unwrap(n).ok().unwrap();
        assert_eq!(n.load(SeqCst), 1); // ARC-CHECK
    });
    assert!(a.passes, "{a}");
    let kinds: Vec<SiteKind> = a.sites.iter().map(|s| s.site.kind).collect();
    assert_eq!(kinds, [SiteKind::Rmw, SiteKind::Load], "{a}");
}
