//! Executions per second of the explorer on a few generated programs, under
//! `rust` and `rc11` (which share all their code but the SC rule's middle
//! term). Run with `cargo bench -p happens-engine`; `-- WORD...` runs only
//! the programs whose name and model (`long SeqCst (3 thr x 8) rc11`)
//! contain every WORD.

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::Instant;

use common::{Prog, I};
use happens_engine::*;

fn bench(name: &str, locs: &[u64], threads: Vec<Vec<I>>) {
    run(name, Rust, locs, &threads);
    run(name, Rc11, locs, &threads);
}

fn run<M: Model>(name: &str, model: M, locs: &[u64], threads: &[Vec<I>]) {
    let m = model.name();
    let full = format!("{name} {m}");
    if !std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .all(|w| full.contains(&w))
    {
        return;
    }
    let mut prog = Prog::new(locs, threads.to_vec());
    let mut ex = Explorer::new(model, Config::default());
    let t0 = Instant::now();
    let stats = ex.run(&mut prog, |_, _| Control::Continue);
    let dt = t0.elapsed().as_secs_f64();
    println!(
        "{name:<28} {m:<4} {:>9} executions {:>8.3} s {:>12.0} exec/s  ({} revisits, at most {} graphs in memory)",
        stats.total(),
        dt,
        stats.total() as f64 / dt,
        stats.revisits,
        stats.peak_frames
    );
}

fn main() {
    use LoadOrd as L;
    use StoreOrd as S;
    use I::*;
    // store buffering with 4 threads, relaxed
    let sb: Vec<Vec<I>> = (0..4)
        .map(|t| {
            vec![
                St(t, 1, S::Relaxed),
                Ld((t + 1) % 4, L::Relaxed),
                Ld((t + 2) % 4, L::Relaxed),
            ]
        })
        .collect();
    bench("SB-4 relaxed (4 thr x 3)", &[0; 4], sb);
    let sbsc: Vec<Vec<I>> = (0..4)
        .map(|t| {
            vec![
                St(t, 1, S::SeqCst),
                Ld((t + 1) % 4, L::SeqCst),
                Ld((t + 2) % 4, L::SeqCst),
            ]
        })
        .collect();
    bench("SB-4 SeqCst (4 thr x 3)", &[0; 4], sbsc);
    let rmw: Vec<Vec<I>> = (0..4)
        .map(|_| {
            vec![
                Add(0, 1, RmwOrd::AcqRel),
                Ld(1, L::Acquire),
                Add(1, 1, RmwOrd::Relaxed),
            ]
        })
        .collect();
    bench("fetch_add (4 thr x 3, RMW)", &[0; 2], rmw);
    let mixed: Vec<Vec<I>> = (0..3)
        .map(|t| {
            vec![
                St(t % 2, t as u64 + 1, S::Release),
                Ld((t + 1) % 2, L::Acquire),
                Add(2, 1, RmwOrd::SeqCst),
                St((t + 1) % 2, 7, S::SeqCst),
                Ld(t % 2, L::SeqCst),
            ]
        })
        .collect();
    bench("mixed SC/RMW (3 thr x 5)", &[0; 3], mixed);
    // a longer SeqCst program: the psc check dominates
    let long_sc: Vec<Vec<I>> = (0..3)
        .map(|t| {
            (0..8)
                .map(|i| {
                    if (i + t) % 3 == 0 {
                        St((i + t) % 3, i as u64 + 1, S::SeqCst)
                    } else {
                        Ld((i * 2 + t) % 3, L::SeqCst)
                    }
                })
                .collect()
        })
        .collect();
    bench("long SeqCst (3 thr x 8)", &[0; 3], long_sc);
    // SC fences between relaxed accesses: psc_F over fence pairs
    let fences: Vec<Vec<I>> = (0..4)
        .map(|t| {
            vec![
                St(t, 1, S::Relaxed),
                F(FenceOrd::SeqCst),
                Ld((t + 1) % 4, L::Relaxed),
                St((t + 2) % 4, 2, S::Relaxed),
                F(FenceOrd::SeqCst),
                Ld((t + 3) % 4, L::Relaxed),
            ]
        })
        .collect();
    bench("SC fences (4 thr x 6)", &[0; 4], fences);
}
