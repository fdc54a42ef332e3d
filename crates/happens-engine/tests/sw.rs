//! Synchronises-with (`sw.rs`), the one definition the from-scratch checks
//! and the pictures share: the edges of a release sequence continued by an
//! RMW and read through fences, exactly; and on random programs, the `hb`
//! the reference builds from it equals the graph's clocks.

mod common;

use common::{random_program, Prog, Rng, I};
use happens_engine::sw::{every, sw_edges, sync_edges, Sync};
use happens_engine::*;

/// Every execution of `threads` under RC11 (no races stop it).
fn executions(threads: Vec<Vec<I>>, nlocs: usize, mut each: impl FnMut(&Graph)) {
    let mut p = Prog::new(&vec![0; nlocs], threads);
    Explorer::new(Rc11, Config::default()).run(&mut p, |e, _| {
        each(e.graph);
        Control::Continue
    });
}

/// The `n`-th event of `thread` (after its `Start`) that `pick` accepts.
fn nth(g: &Graph, thread: usize, n: usize, pick: impl Fn(&EventKind) -> bool) -> EventId {
    let t = ThreadId::from_index(thread);
    let i = (0..g.thread_len(t))
        .filter(|&i| pick(&g.thread_events(t)[i].kind))
        .nth(n)
        .expect("such an event");
    EventId::new(t, i)
}

#[test]
fn release_sequence_through_an_rmw_and_fences() {
    use I::*;
    let threads = vec![
        vec![
            F(FenceOrd::Release),
            St(0, 1, StoreOrd::Release),
            Add(0, 1, RmwOrd::Relaxed),
        ],
        vec![
            Ld(0, LoadOrd::Relaxed),
            F(FenceOrd::Acquire),
            F(FenceOrd::Acquire),
        ],
    ];
    let mut seen = 0;
    executions(threads, 1, |g| {
        let read = nth(g, 2, 0, EventKind::is_read);
        if g.read(read).unwrap().val != 2 {
            return;
        }
        seen += 1;
        let fence = |t, n| nth(g, t, n, |k| matches!(k, EventKind::Fence(_)));
        let (rel, acq1, acq2) = (fence(1, 0), fence(2, 0), fence(2, 1));
        let store = nth(
            g,
            1,
            0,
            |k| matches!(k, EventKind::Write(w) if w.kind == WriteKind::Store),
        );
        let rmw = nth(
            g,
            1,
            0,
            |k| matches!(k, EventKind::Write(w) if w.kind == WriteKind::Rmw),
        );
        let sync = |src, tgt, write| Sync {
            src,
            tgt,
            write,
            read,
        };
        // the store heads the sequence the RMW continues; the RMW's own
        // write heads one too, released only by the fence before it
        let mut want = vec![
            sync(store, acq1, store),
            sync(store, acq2, store),
            sync(rel, acq1, store),
            sync(rel, acq2, store),
            sync(rel, acq1, rmw),
            sync(rel, acq2, rmw),
        ];
        want.sort();
        assert_eq!(every(g), want);
        // a picture draws the sides nearest each carrier (sorted: the
        // fence comes first in its thread)
        assert_eq!(
            sync_edges(g),
            vec![sync(rel, acq1, rmw), sync(store, acq1, store)]
        );
        assert_eq!(sw_edges(g), vec![(rel, acq1), (store, acq1)]);
    });
    assert_eq!(seen, 1);
}

#[test]
fn reference_hb_is_the_clocks() {
    for seed in 0..150u64 {
        let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
        let nthreads = 2 + (seed % 2) as usize;
        let threads = random_program(&mut rng, nthreads, 3, 2);
        executions(threads, 2, |g| {
            let (b, hb) = model::rc11::happens_before(g);
            for (x, &a) in b.ids.iter().enumerate() {
                for (y, &c) in b.ids.iter().enumerate() {
                    assert_eq!(hb.get(x, y), g.hb(a, c), "seed {seed}: hb({a:?}, {c:?})");
                }
            }
        });
    }
}
