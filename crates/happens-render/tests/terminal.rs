//! Snapshot tests of the terminal diagram on classic shapes. Each test picks
//! the execution with the stated register values, so the snapshot is of a
//! known execution; the snapshots were reviewed by eye against the seed
//! style (boxes in program order, values in modification order, lines from
//! writes and to reads, arrows for synchronisation).

mod common;

use common::*;
use happens_engine::*;
use happens_render::*;
use I::*;

fn term(g: &Graph, l: &Labels, m: &Marks) -> String {
    render_terminal(g, l, m, &TermOptions::default())
}

fn sb() -> Vec<Vec<I>> {
    vec![
        vec![St(0, 1, StoreOrd::Relaxed), Ld(1, LoadOrd::Relaxed)],
        vec![St(1, 1, StoreOrd::Relaxed), Ld(0, LoadOrd::Relaxed)],
    ]
}

fn mp(w: StoreOrd, r: LoadOrd) -> Vec<Vec<I>> {
    vec![
        vec![St(0, 1, StoreOrd::Relaxed), St(1, 1, w)],
        vec![Ld(1, r), Ld(0, LoadOrd::Relaxed)],
    ]
}

#[test]
fn sb_relaxed_both_zero() {
    let ex = explore(&[0, 0], sb());
    let g = find(&ex, &[&[0], &[0]]);
    let out = term(&g, &labels(&g, &["x", "y"], true), &no_marks());
    assert!(!out.contains("synchronises-with"), "{out}");
    insta::assert_snapshot!(out);
}

#[test]
fn mp_relaxed_stale_read_marked_failing() {
    let ex = explore(&[0, 0], mp(StoreOrd::Relaxed, LoadOrd::Relaxed));
    let g = find(&ex, &[&[], &[1, 0]]);
    let l = labels(&g, &["x", "y"], true);
    let r2 = EventId::new(ThreadId(2), 2);
    assert!(matches!(g.kind(r2), EventKind::Read(r) if r.val == 0));
    let m = Marks {
        races: vec![],
        failing: vec![r2],
    };
    let out = term(&g, &l, &m);
    assert!(
        out.contains("failed at: P1: r2 = x.load(Relaxed) = 0"),
        "{out}"
    );
    assert!(
        out.contains("╔"),
        "the failing read has a double box:\n{out}"
    );
    insta::assert_snapshot!(out);
}

#[test]
fn mp_release_acquire_synchronises() {
    let ex = explore(&[0, 0], mp(StoreOrd::Release, LoadOrd::Acquire));
    let g = find(&ex, &[&[], &[1, 1]]);
    let out = term(&g, &labels(&g, &["x", "y"], true), &no_marks());
    assert!(
        out.contains("P0: y.store(1, Release) → P1: r1 = y.load(Acquire) = 1"),
        "{out}"
    );
    assert!(out.contains("─→ r1"), "arrow into the acquire load:\n{out}");
    insta::assert_snapshot!(out);
}

#[test]
fn mp_release_acquire_ascii() {
    let ex = explore(&[0, 0], mp(StoreOrd::Release, LoadOrd::Acquire));
    let g = find(&ex, &[&[], &[1, 1]]);
    let opts = TermOptions {
        ascii: true,
        ..TermOptions::default()
    };
    let out = render_terminal(&g, &labels(&g, &["x", "y"], true), &no_marks(), &opts);
    assert!(out.is_ascii(), "{out}");
    insta::assert_snapshot!(out);
}

/// Thread 1 locks (CAS Acquire) and unlocks (store Release) with a write to
/// the data in between; thread 2 locks by reading the unlock, then reads the
/// data.
fn mutex() -> Vec<Vec<I>> {
    vec![
        vec![
            Cas(0, 0, 1, RmwOrd::Acquire, LoadOrd::Relaxed),
            St(1, 1, StoreOrd::NonAtomic),
            St(0, 0, StoreOrd::Release),
        ],
        vec![
            Cas(0, 0, 1, RmwOrd::Acquire, LoadOrd::Relaxed),
            Ld(1, LoadOrd::NonAtomic),
        ],
    ]
}

#[test]
fn mutex_handover() {
    let ex = explore(&[0, 0], mutex());
    let g = find(&ex, &[&[0], &[0, 1]]);
    assert!(race::races(&g).is_empty());
    let mut l = labels(&g, &["locked", "data"], false);
    // as a front-end would label them from the source
    for t in [1, 2] {
        l.event_text
            .push((EventId::new(ThreadId(t), 1), "locked.cas(0, 1)".to_string()));
    }
    let out = term(&g, &l, &no_marks());
    assert!(
        out.contains("P0: locked.store(0, Release) → P1: locked.cas(0, 1) = Ok(0)"),
        "{out}"
    );
    assert!(out.contains('╭'), "fits as a diagram:\n{out}");
    insta::assert_snapshot!(out);
}

#[test]
fn data_race_marks_both_accesses() {
    let t = vec![
        vec![St(0, 1, StoreOrd::NonAtomic)],
        vec![Ld(0, LoadOrd::NonAtomic)],
    ];
    let ex = explore(&[0], t);
    let g = find(&ex, &[&[], &[0]]);
    let marks = Marks::from_races(&g);
    assert_eq!(marks.races.len(), 1);
    let out = term(&g, &labels(&g, &["x"], false), &marks);
    assert!(out.contains("data race: "), "{out}");
    assert_eq!(out.matches('╔').count(), 2, "both accesses boxed:\n{out}");
    insta::assert_snapshot!(out);
}

#[test]
fn too_narrow_becomes_a_list() {
    let ex = explore(&[0, 0], mp(StoreOrd::Release, LoadOrd::Acquire));
    let g = find(&ex, &[&[], &[1, 1]]);
    let opts = TermOptions {
        width: 40,
        ascii: false,
    };
    let out = render_terminal(&g, &labels(&g, &["x", "y"], true), &no_marks(), &opts);
    assert!(!out.contains('╭'), "{out}");
    assert!(out.contains("use --svg FILE"), "{out}");
    insta::assert_snapshot!(out);
}
