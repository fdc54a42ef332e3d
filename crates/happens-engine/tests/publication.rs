//! Objects created in any thread and published through an atomic, against
//! brute force.
//!
//! A family of programs: thread A creates a location `L` (its `Alloc`, a
//! plain or an atomic object), may write it again, may fence, and stores 1
//! to `flag`; thread B loads `flag`, may fence, and only if it read 1
//! accesses `L` (a load or a store, plain or atomic); thread C may store 2
//! to `flag`. Every ordering combination is run. For each program, every
//! candidate execution is enumerated (each read from any write to its
//! location, each location's writes in any order), kept if the from-scratch
//! RC11 checker accepts it, and marked racy if two conflicting accesses of
//! different threads, one non-atomic, are unordered by a happens-before
//! computed from its definition (`rc11::happens_before`, no clocks) — the
//! creation being one of those accesses. The explorer must visit exactly
//! that set, each graph once, with the same race verdicts: every race with
//! an initialisation is found, and none is reported where publication
//! orders it.

use std::collections::{BTreeMap, BTreeSet};

use happens_engine::model::rc11;
use happens_engine::*;

#[derive(Clone, Copy, Debug)]
enum Access {
    Load(LoadOrd),
    Store(StoreOrd),
}

#[derive(Clone, Copy, Debug)]
struct Case {
    atomic_obj: bool,
    rewrite: Option<StoreOrd>,
    fence_a: Option<FenceOrd>,
    publish: StoreOrd,
    observe: LoadOrd,
    fence_b: Option<FenceOrd>,
    access: Access,
    third: bool,
}

/// The program of a case, as a front-end would run it.
struct Pub {
    case: Case,
    flag: Option<LocId>,
    obj: Option<LocId>,
    kids: Vec<ThreadId>,
    pc: [usize; 4],
    seen: Option<u64>,
    accessed: bool,
}

impl Pub {
    fn new(case: Case) -> Self {
        Pub {
            case,
            flag: None,
            obj: None,
            kids: vec![],
            pc: [0; 4],
            seen: None,
            accessed: false,
        }
    }

    /// The operations of child `k` (0 = A, 1 = B, 2 = C) from step `pc`.
    fn child(&mut self, k: usize, reply: Reply) -> Op {
        let c = self.case;
        let flag = self.flag.unwrap();
        let pc = self.pc[k + 1];
        self.pc[k + 1] += 1;
        match k {
            0 => {
                if let Reply::Loc(l) = reply {
                    self.obj = Some(l);
                }
                let mut ops = vec![Op::Alloc {
                    init: 42,
                    atomic: c.atomic_obj,
                }];
                if let Some(o) = c.rewrite {
                    ops.push(Op::Store {
                        loc: LocId(u32::MAX),
                        val: 43,
                        ord: o,
                    });
                }
                if let Some(f) = c.fence_a {
                    ops.push(Op::Fence(f));
                }
                ops.push(Op::Store {
                    loc: flag,
                    val: 1,
                    ord: c.publish,
                });
                match ops.get(pc).copied() {
                    Some(Op::Store { val: 43, ord, .. }) => Op::Store {
                        loc: self.obj.unwrap(),
                        val: 43,
                        ord,
                    },
                    Some(op) => op,
                    None => Op::Finish,
                }
            }
            1 => {
                if pc == 0 {
                    return Op::Load {
                        loc: flag,
                        ord: c.observe,
                    };
                }
                if pc == 1 {
                    self.seen = reply.val();
                    if let Some(f) = c.fence_b {
                        return Op::Fence(f);
                    }
                }
                if !self.accessed && self.seen == Some(1) {
                    self.accessed = true;
                    // the object is known only through the flag
                    let obj = self.obj.expect("B read 1, so A created the object");
                    return match c.access {
                        Access::Load(ord) => Op::Load { loc: obj, ord },
                        Access::Store(ord) => Op::Store {
                            loc: obj,
                            val: 7,
                            ord,
                        },
                    };
                }
                Op::Finish
            }
            _ => {
                if pc == 0 {
                    Op::Store {
                        loc: flag,
                        val: 2,
                        ord: StoreOrd::Relaxed,
                    }
                } else {
                    Op::Finish
                }
            }
        }
    }
}

impl Pub {
    /// The next operation of thread `t`, given the reply to its last.
    fn op(&mut self, t: ThreadId, reply: Reply) -> Op {
        if t == ThreadId(0) {
            match reply {
                Reply::Loc(l) => self.flag = Some(l),
                Reply::Spawned(c) => self.kids.push(c),
                _ => {}
            }
            let n = if self.case.third { 3 } else { 2 };
            return if self.flag.is_none() {
                Op::Alloc {
                    init: 0,
                    atomic: true,
                }
            } else if self.kids.len() < n {
                Op::Spawn { like: None }
            } else {
                Op::Finish
            };
        }
        let k = self.kids.iter().position(|&c| c == t).unwrap();
        self.child(k, reply)
    }
}

impl Program for Pub {
    fn reset(&mut self) {
        *self = Pub::new(self.case);
    }

    fn step(&mut self, t: ThreadId, reply: Reply, _: Made) -> Issue {
        self.op(t, reply).into()
    }
}

/// A graph's `rf` and `co`, and whether it has a race.
type Fp = (Vec<(EventId, EventId)>, Vec<Vec<EventId>>, bool);

fn fingerprint(g: &Graph, racy: bool) -> Fp {
    let rf = g
        .events()
        .filter_map(|(e, ev)| ev.kind.as_read().map(|r| (e, r.rf)))
        .collect();
    let co = g.locations().map(|(_, l)| l.co.clone()).collect();
    (rf, co, racy)
}

/// Races from the definition: conflicting accesses of different threads,
/// one of them non-atomic, unordered by `hb` (from `rc11::happens_before`).
fn racy_by_definition(g: &Graph) -> bool {
    let (b, hb) = rc11::happens_before(g);
    let n = b.len();
    (0..n).any(|x| {
        (0..n).any(|y| {
            let (kx, ky) = (&b.kinds[x], &b.kinds[y]);
            x != y
                && b.ids[x].thread != b.ids[y].thread
                && kx.loc().is_some()
                && kx.loc() == ky.loc()
                && (kx.is_write() || ky.is_write())
                && (kx.is_non_atomic() || ky.is_non_atomic())
                && !hb.get(x, y)
                && !hb.get(y, x)
        })
    })
}

fn explored(case: Case) -> Vec<Fp> {
    let mut ex = Explorer::new(
        Rc11,
        Config {
            stop_on_race: false,
            check_full: true,
            replay_porf_order: true,
            ..Config::default()
        },
    );
    let mut out = vec![];
    let stats = ex.run(&mut Pub::new(case), |e, _| {
        assert_eq!(*e.status, Status::Complete, "{case:?}");
        out.push(fingerprint(e.graph, !e.races.is_empty()));
        Control::Continue
    });
    assert_eq!(stats.errors, 0, "{case:?}");
    out
}

/// Every consistent graph of the case, by enumeration: the choices are
/// B's read of `flag`, B's read of `L` (if it reads 1 and loads), and the
/// orders of `flag`'s and `L`'s writes; each candidate is built in program
/// order with the thread numbering the explorer uses (main 0, A 1, B 2, C 3).
fn brute_force(case: Case) -> BTreeSet<Fp> {
    let mut out = BTreeSet::new();
    // B reads flag from: the creation (0), A's store (1), C's store (2)
    let flag_sources: &[u64] = if case.third { &[0, 1, 2] } else { &[0, 1] };
    for &src in flag_sources {
        // orders of the two flag stores (A's first or C's first)
        let flag_orders: &[bool] = if case.third { &[true, false] } else { &[true] };
        for &a_first in flag_orders {
            // B's load of L reads the creation or A's rewrite; B's store of
            // L goes before or after A's rewrite
            let obj_choices: &[bool] = if case.rewrite.is_some() {
                &[false, true]
            } else {
                &[false]
            };
            for &late in obj_choices {
                if let Some(g) = build(case, src, a_first, late) {
                    if rc11::check_full(&g).is_ok() {
                        let racy = racy_by_definition(&g);
                        out.insert(fingerprint(&g, racy));
                    }
                }
            }
        }
    }
    out
}

/// Builds one candidate: B reads `flag` from `src`; A's flag store is
/// `co`-before C's when `a_first`; B's load of `L` reads A's rewrite (or
/// B's store goes after it) when `late`. `None` when the candidate is not a
/// graph (a choice that names an event that does not exist).
fn build(case: Case, src: u64, a_first: bool, late: bool) -> Option<Graph> {
    let (main, a, b, c) = (ThreadId(0), ThreadId(1), ThreadId(2), ThreadId(3));
    let mut g = Graph::new();
    let flag = g.new_loc(main);
    let flag0 = g.push(
        main,
        write(flag, 0, StoreOrd::Relaxed, WriteKind::Alloc),
        None,
    );
    let kids: Vec<ThreadId> = if case.third {
        vec![a, b, c]
    } else {
        vec![a, b]
    };
    for &k in &kids {
        assert_eq!(g.new_thread_id(), k);
        let sp = g.push(main, EventKind::Spawn { child: k }, None);
        g.push(
            k,
            EventKind::Start {
                parent: sp,
                like: None,
            },
            None,
        );
    }
    g.push(main, EventKind::Finish, None);
    // A
    let obj = g.new_loc(a);
    let ord0 = if case.atomic_obj {
        StoreOrd::Relaxed
    } else {
        StoreOrd::NonAtomic
    };
    let obj0 = g.push(a, write(obj, 42, ord0, WriteKind::Alloc), None);
    let rewrite = case
        .rewrite
        .map(|o| g.push(a, write(obj, 43, o, WriteKind::Store), Some(0)));
    if let Some(f) = case.fence_a {
        g.push(a, EventKind::Fence(f), None);
    }
    let flag_a = g.push(a, write(flag, 1, case.publish, WriteKind::Store), Some(0));
    g.push(a, EventKind::Finish, None);
    // C
    let flag_c = case.third.then(|| {
        let after = if a_first { 1 } else { 0 };
        let e = g.push(
            c,
            write(flag, 2, StoreOrd::Relaxed, WriteKind::Store),
            Some(after),
        );
        g.push(c, EventKind::Finish, None);
        e
    });
    // B
    let (w, val) = match src {
        0 => (flag0, 0),
        1 => (flag_a, 1),
        _ => (flag_c?, 2),
    };
    g.push(b, read(flag, case.observe, w, val), None);
    if let Some(f) = case.fence_b {
        g.push(b, EventKind::Fence(f), None);
    }
    if val == 1 {
        match case.access {
            Access::Load(ord) => {
                let (w, v) = match (late, rewrite) {
                    (true, Some(r)) => (r, 43),
                    (true, None) => return None,
                    (false, _) => (obj0, 42),
                };
                g.push(b, read(obj, ord, w, v), None);
            }
            Access::Store(ord) => {
                let after = if late && rewrite.is_some() { 1 } else { 0 };
                g.push(b, write(obj, 7, ord, WriteKind::Store), Some(after));
            }
        }
    } else if late {
        return None;
    }
    g.push(b, EventKind::Finish, None);
    Some(g)
}

fn write(loc: LocId, val: u64, ord: StoreOrd, kind: WriteKind) -> EventKind {
    EventKind::Write(Write {
        loc,
        ord,
        val,
        kind,
    })
}

fn read(loc: LocId, ord: LoadOrd, rf: EventId, val: u64) -> EventKind {
    EventKind::Read(Read {
        loc,
        ord,
        access: ReadAccess::Load,
        rf,
        val,
        spurious: false,
        repeat: false,
        moved: false,
        until: None,
    })
}

fn cases() -> Vec<Case> {
    let mut v = vec![];
    let accesses = [
        Access::Load(LoadOrd::NonAtomic),
        Access::Load(LoadOrd::Relaxed),
        Access::Store(StoreOrd::NonAtomic),
        Access::Store(StoreOrd::Relaxed),
    ];
    for atomic_obj in [false, true] {
        for rewrite in [None, Some(StoreOrd::NonAtomic), Some(StoreOrd::Relaxed)] {
            for (fence_a, publish) in [
                (None, StoreOrd::Relaxed),
                (None, StoreOrd::Release),
                (Some(FenceOrd::Release), StoreOrd::Relaxed),
            ] {
                for (observe, fence_b) in [
                    (LoadOrd::Relaxed, None),
                    (LoadOrd::Acquire, None),
                    (LoadOrd::Relaxed, Some(FenceOrd::Acquire)),
                ] {
                    for access in accesses {
                        for third in [false, true] {
                            v.push(Case {
                                atomic_obj,
                                rewrite,
                                fence_a,
                                publish,
                                observe,
                                fence_b,
                                access,
                                third,
                            });
                        }
                    }
                }
            }
        }
    }
    v
}

#[test]
fn objects_created_in_threads_explore_as_brute_force_finds() {
    let (mut racy_cases, mut total) = (0, 0);
    for case in cases() {
        let got = explored(case);
        let set: BTreeSet<Fp> = got.iter().cloned().collect();
        assert_eq!(set.len(), got.len(), "a graph visited twice: {case:?}");
        let want = brute_force(case);
        assert_eq!(set, want, "{case:?}");
        racy_cases += want.iter().any(|f| f.2) as usize;
        total += 1;
    }
    // the family has both kinds: published with and without happens-before
    assert_eq!(total, 432);
    assert!(
        racy_cases > 0 && racy_cases < total,
        "{racy_cases} of {total}"
    );
}

#[test]
fn relaxed_publication_races_with_the_initialisation() {
    // plain object, published Relaxed, read plainly: the read races with
    // the creating write; with Release/Acquire it does not
    let case = |publish, observe| Case {
        atomic_obj: false,
        rewrite: None,
        fence_a: None,
        publish,
        observe,
        fence_b: None,
        access: Access::Load(LoadOrd::NonAtomic),
        third: false,
    };
    let racy = |c| {
        explored(c)
            .iter()
            .filter(|f| f.2)
            .map(|f| f.0.clone())
            .collect::<Vec<_>>()
    };
    let r = racy(case(StoreOrd::Relaxed, LoadOrd::Relaxed));
    assert_eq!(r.len(), 1);
    // the racy execution: B read flag = 1 and then L's creation
    let reads: BTreeMap<EventId, EventId> = r[0].iter().copied().collect();
    assert!(reads
        .values()
        .any(|w| w.thread == ThreadId(1) && w.index == 1));
    assert!(racy(case(StoreOrd::Release, LoadOrd::Acquire)).is_empty());
}
