//! Per-execution overhead of the runtime: explores small programs and
//! prints the time per execution. Run with `cargo bench -p happens`.

use std::time::Instant;

use happens::model::Builder;
use happens::sync::atomic::{AtomicUsize, Ordering::*};
use happens::sync::{Arc, Mutex};
use happens::thread;

fn measure(name: &str, f: impl Fn() + Sync + Send + 'static + Clone) {
    // warm up the stack pool and caches
    Builder::new().explore(f.clone());
    let start = Instant::now();
    let mut execs = 0;
    let mut rounds = 0;
    while start.elapsed().as_millis() < 500 || rounds < 3 {
        let r = Builder::new().explore(f.clone());
        assert!(r.failure.is_none());
        execs += r.executions;
        rounds += 1;
    }
    let per = start.elapsed().as_secs_f64() * 1e6 / execs as f64;
    println!("{name:<28} {execs:>8} executions  {per:>8.2} µs/execution");
}

fn main() {
    measure("2 threads, 3 fetch_add", || {
        let n = Arc::new(AtomicUsize::new(0));
        let hs: Vec<_> = (0..3)
            .map(|_| {
                let n = n.clone();
                thread::spawn(move || n.fetch_add(1, Relaxed))
            })
            .collect();
        for h in hs {
            h.join().unwrap();
        }
    });
    measure("store buffering (relaxed)", || {
        let x = Arc::new(AtomicUsize::new(0));
        let y = Arc::new(AtomicUsize::new(0));
        let (x2, y2) = (x.clone(), y.clone());
        let t = thread::spawn(move || {
            x2.store(1, Relaxed);
            y2.load(Relaxed)
        });
        y.store(1, Relaxed);
        x.load(Relaxed);
        t.join().unwrap();
    });
    measure("mutex, 3 threads", || {
        let m = Arc::new(Mutex::new(0));
        let hs: Vec<_> = (0..3)
            .map(|_| {
                let m = m.clone();
                thread::spawn(move || *m.lock().unwrap() += 1)
            })
            .collect();
        for h in hs {
            h.join().unwrap();
        }
    });
}
