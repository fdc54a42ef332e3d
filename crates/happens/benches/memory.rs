//! Memory of a long exploration: runs 10^4, 10^5 and 10^6 executions of a
//! program whose threads block in most executions (a channel made of a
//! `Mutex` and a `Condvar`, five senders, `Arc`-shared) and prints the
//! process's peak resident set size after each. What an exploration holds
//! must not grow with the number of executions. Run with
//! `cargo bench -p happens --bench memory` (Linux: reads `/proc/self/status`).

use std::time::Instant;

use happens::model::Builder;
use happens::sync::{Arc, Condvar, Mutex};
use happens::thread;

/// Peak resident set size of this process, in KiB (`VmHWM`).
fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// Senders: enough for more than a million executions.
const SENDERS: usize = 5;

fn channel() {
    let ch = Arc::new((Mutex::new(Vec::new()), Condvar::new()));
    let senders: Vec<_> = (0..SENDERS)
        .map(|i| {
            let ch = ch.clone();
            thread::spawn(move || {
                let (queue, ready) = &*ch;
                queue.lock().unwrap().push(vec![i; 16]);
                ready.notify_one();
            })
        })
        .collect();
    let (queue, ready) = &*ch;
    let mut got = queue.lock().unwrap();
    while got.len() < SENDERS {
        got = ready.wait(got).unwrap();
    }
    drop(got);
    for s in senders {
        s.join().unwrap();
    }
}

fn main() {
    let small = std::env::args().any(|a| a == "--small");
    let budgets: &[usize] = if small {
        &[1_000, 10_000]
    } else {
        &[10_000, 100_000, 1_000_000]
    };
    // warm up first (the stack pool, the allocator's arenas): what must not
    // grow is what comes after
    let mut warm = Builder::new();
    warm.max_permutations = Some(budgets[0]);
    warm.explore(channel);
    println!(
        "peak RSS after a warm-up of {} executions: {:.2} MiB",
        budgets[0],
        peak_rss_kib() as f64 / 1024.0
    );
    println!(
        "{:>12} {:>12} {:>10} {:>14}",
        "budget", "executions", "seconds", "peak RSS (MiB)"
    );
    for &n in budgets {
        let mut b = Builder::new();
        b.max_permutations = Some(n);
        let start = Instant::now();
        let r = b.explore(channel);
        assert!(r.failure.is_none(), "{r}");
        println!(
            "{n:>12} {:>12} {:>10.1} {:>14.2}",
            r.executions + r.blocked,
            start.elapsed().as_secs_f64(),
            peak_rss_kib() as f64 / 1024.0
        );
    }
}
