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
    assert!(out.contains("failed at: P1: r2 = x rlx → 0"), "{out}");
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
    assert!(out.contains("P0: y = 1 rel → P1: r1 = y acq → 1"), "{out}");
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
    let l = labels(&g, &["locked", "data"], false);
    let out = term(&g, &l, &no_marks());
    // the failure ordering is not the one derived from Acquire: it is shown
    assert!(
        out.contains("P0: locked = 0 rel → P1: cas 0→1 acq/rlx"),
        "{out}"
    );
    assert!(out.contains('╭'), "fits as a diagram:\n{out}");
    insta::assert_snapshot!(out);
}

/// A front-end's own event text replaces the compact label (the value read
/// is appended as ` = …`), and source text shows in the list form.
#[test]
fn front_end_text_and_source() {
    let ex = explore(&[0, 0], mutex());
    let g = find(&ex, &[&[0], &[0, 1]]);
    let mut l = labels(&g, &["locked", "data"], false);
    for t in [1, 2] {
        let cas = EventId::new(ThreadId(t), 1);
        l.event_text.push((cas, "locked.cas(0, 1)".to_string()));
        l.event_source.push((
            cas,
            "while locked.compare_exchange(0, 1, Acquire, Relaxed).is_err()".to_string(),
        ));
        l.event_lines.push((cas, 7));
    }
    let out = term(&g, &l, &no_marks());
    assert!(
        out.contains("P0: locked = 0 rel → P1: locked.cas(0, 1) = Ok(0) (line 7)"),
        "{out}"
    );
    let narrow = TermOptions {
        width: 30,
        ascii: false,
    };
    let list = render_terminal(&g, &l, &no_marks(), &narrow);
    assert!(
        list.contains(
            "locked.cas(0, 1) = Ok(0)  \
             (line 7: while locked.compare_exchange(0, 1, Acquire, Relaxed).is_err())"
        ),
        "{list}"
    );
}

/// Every kind of compact label, in both forms.
#[test]
fn compact_labels() {
    let t = vec![
        vec![
            St(0, 1, StoreOrd::Release),
            St(1, 5, StoreOrd::NonAtomic),
            F(FenceOrd::SeqCst),
        ],
        vec![
            Ld(0, LoadOrd::Acquire),
            Ld(1, LoadOrd::NonAtomic),
            Add(0, 2, RmwOrd::AcqRel),
            Cas(0, 7, 8, RmwOrd::AcqRel, LoadOrd::Acquire),
        ],
    ];
    let ex = explore(&[0, 0], t);
    let g = find(&ex, &[&[], &[1, 5, 1, 3]]);
    let mut l = labels(&g, &["x", "y"], false);
    l.event_dest
        .push((EventId::new(ThreadId(2), 1), "r0".to_string()));
    let all = |columns: bool, ascii: bool| -> Vec<String> {
        let l = &l;
        let loc = |id: LocId| ["x", "y"][id.index()].to_string();
        let thread = |t: ThreadId| format!("P{}", t.0 - 1);
        let names = label::Names {
            loc: &loc,
            thread: &thread,
        };
        let form = label::Form { columns, ascii };
        g.events()
            .filter(|(e, _)| e.thread != ThreadId(0))
            .filter(|(_, ev)| !matches!(ev.kind, EventKind::Start { .. } | EventKind::Finish))
            .map(|(e, _)| {
                let dest = l
                    .event_dest
                    .iter()
                    .find(|(x, _)| *x == e)
                    .map(|(_, d)| d.as_str());
                label::compact(&g, e, dest, &names, form)
            })
            .collect()
    };
    assert_eq!(
        all(false, false),
        [
            "x = 1 rel",
            "y = 5",
            "fence sc",
            "r0 = x acq → 1",
            "y → 5",
            "fetch_add 2 acqrel → 1",
            "↳ x = 3",
            "cas 7→8 acqrel → 3 ✗",
        ]
    );
    assert_eq!(
        all(true, false),
        [
            "store 1 rel",
            "write 5",
            "fence sc",
            "r0 = load acq → 1",
            "read → 5",
            "fetch_add 2 acqrel → 1",
            "↳ 3",
            "cas 7→8 acqrel → 3 ✗",
        ]
    );
    assert_eq!(all(false, true)[7], "cas 7->8 acqrel -> 3 failed");
}

#[test]
fn data_race_marks_both_accesses() {
    let t = vec![
        vec![St(0, 1, StoreOrd::NonAtomic)],
        vec![Ld(0, LoadOrd::NonAtomic)],
    ];
    let ex = explore(&[0], t);
    let g = find(&ex, &[&[], &[0]]);
    let marks = Marks::from_races(&race::races(&g));
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

/// Two writers and two readers that each count what they saw (the
/// `acqrel_z` shape).
fn counters() -> Vec<Vec<I>> {
    vec![
        vec![St(0, 1, StoreOrd::Release)],
        vec![St(1, 1, StoreOrd::Release)],
        vec![
            Ld(0, LoadOrd::Acquire),
            Ld(1, LoadOrd::Acquire),
            Add(2, 1, RmwOrd::Relaxed),
        ],
        vec![
            Ld(1, LoadOrd::Acquire),
            Ld(0, LoadOrd::Acquire),
            Add(2, 1, RmwOrd::Relaxed),
        ],
    ]
}

/// A diagram too wide for the width is laid out tightly before it becomes a
/// list: no spare columns in the gutters, and reads wider than their column
/// needs get the value read on a second line.
#[test]
fn too_wide_is_laid_out_tightly() {
    let ex = explore(&[0, 0, 0], counters());
    let g = find(&ex, &[&[], &[], &[1, 1, 0], &[1, 1, 1]]);
    let l = labels(&g, &["x", "y", "z"], true);
    let unbounded = TermOptions {
        width: usize::MAX,
        ascii: false,
    };
    let wide = render_terminal(&g, &l, &no_marks(), &unbounded);
    let widest = |s: &str| s.lines().map(|l| l.chars().count()).max().unwrap_or(0);
    let opts = TermOptions::default();
    assert!(widest(&wide) > opts.width, "{wide}");
    let out = render_terminal(&g, &l, &no_marks(), &opts);
    assert!(widest(&out) <= opts.width, "{out}");
    assert!(out.contains('╭'), "still a diagram:\n{out}");
    assert!(wide.contains(" fetch_add 1 rlx → 0 │"), "{wide}");
    assert!(out.contains(" fetch_add 1 rlx │"), "{out}");
    // the lines under the diagram keep whole labels
    assert!(out.contains("P0: x = 1 rel → P2: r1 = x acq → 1"), "{out}");
    insta::assert_snapshot!(out);
}

/// A front-end can leave events out (`Labels::elided_events`): they are not
/// drawn, and `⋮` on their thread's line marks where they were (before a
/// box, between two, after the last); a left-out write keeps its value in
/// its location's column, with the text the front-end gives it
/// (`Labels::value_text`). A location's name may span two lines.
#[test]
fn elided_events_are_marked() {
    let ex = explore(&[0, 0, 0], counters());
    let g = find(&ex, &[&[], &[], &[1, 1, 0], &[1, 1, 1]]);
    let mut l = labels(&g, &["x", "y", "z"], true);
    // P0 and P1 (threads 1, 2) are not drawn; P2 (thread 3) keeps only
    // its second read, P3 (thread 4) only its first
    l.hidden_threads.extend([ThreadId(1), ThreadId(2)]);
    let p2 = |i| EventId::new(ThreadId(3), i);
    let p3 = |i| EventId::new(ThreadId(4), i);
    l.elided_events
        .extend([p2(1), p2(3), p2(4), p3(2), p3(3), p3(4)]);
    let store_x = EventId::new(ThreadId(1), 1);
    l.value_text.push((store_x, "1@P0".to_string()));
    l.loc_names.retain(|(id, _)| *id != LocId(2));
    l.loc_names.push((LocId(2), "counter\nz".to_string()));
    let out = term(&g, &l, &no_marks());
    // lines of boxes and value cells (not the lines under the diagram)
    let drawn = |s: &str| {
        out.lines()
            .filter(|l| l.contains(s) && l.contains('│'))
            .count()
    };
    assert_eq!(drawn("r2 = y acq → 1"), 1, "{out}");
    assert_eq!(drawn("r3 = y acq → 1"), 1, "{out}");
    assert_eq!(drawn(" = x acq"), 0, "{out}");
    assert_eq!(drawn("fetch_add"), 0, "{out}");
    assert_eq!(drawn("1@P0"), 1, "{out}");
    // one `⋮` before P2's box and one after it; one after P3's
    assert_eq!(out.matches('⋮').count(), 3, "{out}");
    assert!(out.lines().next().unwrap().contains("counter"), "{out}");
    assert!(out.lines().nth(1).unwrap().contains(" z "), "{out}");
    insta::assert_snapshot!(out);
}

/// `try_render_terminal` says how wide a diagram that does not fit would
/// be, with the list form in its place.
#[test]
fn too_wide_says_how_wide() {
    let ex = explore(&[0, 0], mp(StoreOrd::Release, LoadOrd::Acquire));
    let g = find(&ex, &[&[], &[1, 1]]);
    let l = labels(&g, &["x", "y"], true);
    let narrow = TermOptions {
        width: 40,
        ascii: false,
    };
    let w = try_render_terminal(&g, &l, &no_marks(), &narrow).unwrap_err();
    let fits = try_render_terminal(&g, &l, &no_marks(), &TermOptions::default()).unwrap();
    let widest = fits.lines().map(|l| l.chars().count()).max().unwrap();
    // the tight layout is narrower than the one that fits in 100
    assert!(w.width > 40 && w.width <= widest, "{} {widest}", w.width);
    assert!(w.list.starts_with("P0:\n"), "{}", w.list);
    assert!(!w.list.contains('╭'), "{}", w.list);
}
