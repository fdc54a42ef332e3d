//! One exploration's memory does not grow with its executions: an
//! async single-producer single-consumer ring with wrap-around (the shape
//! that once grew past 24 GB), explored for a million executions, complete
//! and blocked ones, holds the resident set it had after ten thousand.
//!
//! Alone in its test binary: the resident set is the process's.
#![cfg(all(feature = "futures", target_os = "linux"))]

use std::future::poll_fn;
use std::sync::atomic::Ordering::*;
use std::task::Poll;

use happens::cell::UnsafeCell;
use happens::future::{block_on, AtomicWaker};
use happens::model::Builder;
use happens::sync::atomic::AtomicUsize;
use happens::sync::Arc;
use happens::thread;

const CAP: usize = 2;
const ITEMS: usize = 7;

/// A bounded ring: `head` is the consumer's, `tail` the producer's, both
/// counting up and wrapping around the slots.
struct Ring {
    slots: [UnsafeCell<Option<Box<usize>>>; CAP],
    head: AtomicUsize,
    tail: AtomicUsize,
    rx_waker: AtomicWaker,
}

unsafe impl Sync for Ring {}

impl Ring {
    fn new() -> Ring {
        Ring {
            slots: [UnsafeCell::new(None), UnsafeCell::new(None)],
            head: AtomicUsize::new(0),
            tail: AtomicUsize::new(0),
            rx_waker: AtomicWaker::new(),
        }
    }

    /// Pushes `v`, spinning while the ring is full.
    fn send(&self, v: usize) {
        let tail = self.tail.load(Relaxed);
        while tail - self.head.load(Acquire) == CAP {
            thread::yield_now();
        }
        self.slots[tail % CAP].with_mut(|s| unsafe { *s = Some(Box::new(v)) });
        self.tail.store(tail + 1, Release);
        self.rx_waker.wake();
    }

    /// Pops a value, or registers the task to be woken.
    fn poll_recv(&self, cx: &mut std::task::Context<'_>) -> Poll<usize> {
        let head = self.head.load(Relaxed);
        if self.tail.load(Acquire) == head {
            self.rx_waker.register_by_ref(cx.waker());
            if self.tail.load(Acquire) == head {
                return Poll::Pending;
            }
        }
        let v = self.slots[head % CAP].with_mut(|s| unsafe { (*s).take() });
        self.head.store(head + 1, Release);
        Poll::Ready(*v.expect("a sent value"))
    }
}

/// The process's resident set, in KiB.
fn rss_kib() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").expect("/proc/self/statm");
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("resident pages");
    pages * 4
}

#[test]
fn a_million_executions_hold_the_memory_of_ten_thousand() {
    static STARTS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    static AT_1E4: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    static AT_1E6: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let mut b = Builder::new();
    b.diagram(false);
    b.workers(1);
    b.max_permutations = Some(1_000_000);
    let r = b.explore(|| {
        match STARTS.fetch_add(1, SeqCst) + 1 {
            10_000 => AT_1E4.store(rss_kib(), SeqCst),
            1_000_000 => AT_1E6.store(rss_kib(), SeqCst),
            _ => {}
        }
        let ring = Arc::new(Ring::new());
        let tx = ring.clone();
        let producer = thread::spawn(move || {
            for v in 0..ITEMS {
                tx.send(v);
            }
        });
        let mut got = Vec::new();
        while got.len() < ITEMS {
            got.push(block_on(poll_fn(|cx| ring.poll_recv(cx))));
        }
        assert_eq!(got, (0..ITEMS).collect::<Vec<_>>());
        producer.join().unwrap();
    });
    assert!(r.failure.is_none(), "{r}");
    assert!(r.blocked > 0 && r.executions > 0, "{r}");
    let (early, late) = (AT_1E4.load(SeqCst), AT_1E6.load(SeqCst));
    assert!(early > 0 && late > 0, "{r}");
    eprintln!("resident set {early} KiB after 10^4 executions, {late} KiB after 10^6");
    assert!(
        late * 10 <= early * 11,
        "resident set {early} KiB after 10^4 executions, {late} KiB after 10^6"
    );
}
