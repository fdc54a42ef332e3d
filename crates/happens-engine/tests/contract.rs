//! The contract between a front-end and the engine: each operation is
//! issued with a site, which every event it becomes carries, in added and
//! in replayed events alike; the reply comes with `Made`, the thread's
//! events the operation became (an RMW two, a compare-exchange two when it
//! succeeds, a thread's start one), and an RMW's reply with the value it
//! wrote. A front-end that keeps one record per event, as the library's
//! runtime does, stays in step with the graph by `Made` alone.

use std::collections::BTreeSet;

use happens_engine::*;

/// Main allocates `x`, spawns A and B. A: `fetch_add(1)`, then
/// `compare_exchange(1, 5)`, then a load. B: a store of 7. Each operation
/// is issued at its own site (100 × thread + its number), and the program
/// checks every reply and `Made` against what the operation must become,
/// counting the events it was told of per thread.
#[derive(Default)]
struct Prog {
    x: Option<LocId>,
    kids: Vec<ThreadId>,
    step: [usize; 3],
    /// The events each thread was told of, and what each thread issued
    /// last (to check its reply against).
    told: [u32; 3],
    last: [Option<Op>; 3],
    /// (A's RMW reply, A's compare-exchange reply, A's load)
    seen: Vec<(Reply, Reply, Val)>,
    cur: (Option<Reply>, Option<Reply>),
}

fn me(p: &Prog, t: ThreadId) -> usize {
    if t == ThreadId(0) {
        0
    } else {
        1 + p.kids.iter().position(|&k| k == t).unwrap()
    }
}

impl Program for Prog {
    fn reset(&mut self) {
        *self = Prog::default();
    }

    fn step(&mut self, t: ThreadId, reply: Reply, made: Made) -> Issue {
        if let Reply::Spawned(c) = reply {
            self.kids.push(c);
        }
        let i = me(self, t);
        // the events it was told of so far are the indices before these
        assert_eq!(
            made.first, self.told[i],
            "thread {i}: made starts after the last"
        );
        let expected = match (self.last[i], reply) {
            (None, Reply::Start) => u32::from(i != 0),
            (Some(Op::Rmw { op, .. }), Reply::Rmw { old, new }) => {
                assert_eq!(new, op.apply(old), "an RMW's reply says what it wrote");
                2
            }
            (Some(Op::Cas { .. }), Reply::Cas { ok, .. }) => 1 + u32::from(ok),
            (Some(_), _) => 1,
            (None, r) => panic!("first reply {r:?}"),
        };
        assert_eq!(made.events, expected, "thread {i} after {:?}", self.last[i]);
        self.told[i] += made.events;
        if let Reply::Loc(l) = reply {
            self.x = Some(l);
        }
        let x = self.x.unwrap_or_default();
        self.step[i] += 1;
        let n = self.step[i];
        let op = match (i, n) {
            (0, 1) => Op::Alloc {
                init: 0,
                atomic: true,
            },
            (0, 2 | 3) => Op::Spawn { like: None },
            (1, 1) => Op::Rmw {
                loc: x,
                op: RmwOp {
                    kind: RmwKind::Add,
                    operand: 1,
                    width: Width::U64,
                },
                ord: RmwOrd::Relaxed,
            },
            (1, 2) => {
                self.cur.0 = Some(reply);
                Op::Cas {
                    loc: x,
                    expected: 1,
                    new: 5,
                    success: RmwOrd::Relaxed,
                    failure: LoadOrd::Relaxed,
                    weak: false,
                }
            }
            (1, 3) => {
                self.cur.1 = Some(reply);
                Op::Load {
                    loc: x,
                    ord: LoadOrd::Relaxed,
                }
            }
            (1, 4) => {
                let (a, b) = self.cur;
                self.seen
                    .push((a.unwrap(), b.unwrap(), reply.val().unwrap()));
                Op::Finish
            }
            (2, 1) => Op::Store {
                loc: x,
                val: 7,
                ord: StoreOrd::Relaxed,
            },
            _ => Op::Finish,
        };
        self.last[i] = Some(op);
        Issue {
            op,
            site: Site(100 * i as u64 + n as u64),
        }
    }
}

#[test]
fn every_event_carries_its_operations_site_and_made_counts_them() {
    let mut states = BTreeSet::new();
    let mut ex = Explorer::new(Rc11, Config::default());
    let stats = ex.run(&mut Prog::default(), |e, p| {
        assert_eq!(*e.status, Status::Complete);
        let g = e.graph;
        for (i, &t) in [ThreadId(0)].iter().chain(&p.kids).enumerate() {
            // the engine told each thread of every event but its last
            // (`Finish` is not answered)
            assert_eq!(p.told[i] as usize + 1, g.thread_len(t), "thread {i}");
            let sites: Vec<u64> = g.thread_events(t).iter().map(|ev| ev.site.0).collect();
            let a_cas_ok = p
                .seen
                .first()
                .is_some_and(|s| matches!(s.1, Reply::Cas { ok: true, .. }));
            let expected: Vec<u64> = match i {
                0 => vec![1, 2, 3, 4],
                // Start, the RMW's two events, the compare-exchange's one
                // or two, the load, Finish
                1 if a_cas_ok => vec![0, 101, 101, 102, 102, 103, 104],
                1 => vec![0, 101, 101, 102, 103, 104],
                _ => vec![0, 201, 202],
            };
            assert_eq!(sites, expected, "thread {i}");
        }
        states.insert(format!("{:?}", p.seen[0]));
        Control::Continue
    });
    // A's RMW reads 0 or B's 7. After 0, B's store can only come after
    // A's write of 1 in co (nothing comes between an RMW and what it
    // read): the compare-exchange reads 1 and writes 5, which the load
    // reads or B's 7 after it; or it reads B's 7 and fails, and so does the
    // load. After 7, it reads A's own 8 and fails
    let rmw = |old| Reply::Rmw { old, new: old + 1 };
    let cas = |old| Reply::Cas { old, ok: old == 1 };
    let expected: BTreeSet<String> = [
        (rmw(0), cas(1), 5),
        (rmw(0), cas(1), 7),
        (rmw(0), cas(7), 7),
        (rmw(7), cas(8), 8),
    ]
    .iter()
    .map(|s| format!("{s:?}"))
    .collect();
    assert_eq!(states, expected);
    assert_eq!(stats.complete, 4);
}
