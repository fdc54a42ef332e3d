//! A real lock-free structure under the model: a Treiber stack (AtomicPtr
//! head, nodes from `Box::into_raw`, `compare_exchange_weak` retry loops).
//! Two threads push while the main thread pops. With a Release publishing
//! CAS the popped values are exactly the pushed ones; with a Relaxed one,
//! the concurrent pop's read of a node's value races with its
//! initialisation (the node's creation by the pushing thread). The weak CAS loops may fail spuriously, once per value
//! seen, so the exploration stays finite.

use std::ptr;

use happens::model::Builder;
use happens::sync::atomic::{AtomicPtr, Ordering, Ordering::*};
use happens::sync::Arc;
use happens::thread;
use happens::FailureKind;

struct Node {
    value: happens::cell::UnsafeCell<u32>,
    next: *mut Node,
}

struct Stack {
    head: AtomicPtr<Node>,
    publish: Ordering,
}

// SAFETY: nodes are handed over through `head`; the model checks the races.
unsafe impl Send for Stack {}
unsafe impl Sync for Stack {}

impl Stack {
    fn push(&self, v: u32) {
        let n = Box::into_raw(Box::new(Node {
            value: happens::cell::UnsafeCell::new(0), // MARK-NEW
            next: ptr::null_mut(),
        }));
        unsafe { (*n).value.with_mut(|p| *p = v) }; // MARK-INIT
        let mut head = self.head.load(Relaxed);
        loop {
            unsafe { (*n).next = head };
            match self
                .head
                .compare_exchange_weak(head, n, self.publish, Relaxed)
            {
                Ok(_) => return,
                Err(h) => head = h,
            }
        }
    }

    fn pop(&self) -> Option<u32> {
        let mut head = self.head.load(Acquire);
        loop {
            if head.is_null() {
                return None;
            }
            let next = unsafe { (*head).next };
            match self
                .head
                .compare_exchange_weak(head, next, Acquire, Acquire)
            {
                Ok(_) => {
                    let n = unsafe { Box::from_raw(head) };
                    return Some(n.value.with(|p| unsafe { *p })); // MARK-READ
                }
                Err(h) => head = h,
            }
        }
    }
}

/// Two threads push 1 and 2 while the main thread pops once; after the
/// joins, the rest is popped. Every value comes out exactly once.
fn run(publish: Ordering) -> happens::Report {
    Builder::new().explore(move || {
        let s = Arc::new(Stack {
            head: AtomicPtr::new(ptr::null_mut()),
            publish,
        });
        let ts: Vec<_> = (1..=2)
            .map(|v| {
                let s = s.clone();
                thread::spawn(move || s.push(v))
            })
            .collect();
        let mut got: Vec<u32> = s.pop().into_iter().collect();
        for t in ts {
            t.join().unwrap();
        }
        while let Some(v) = s.pop() {
            got.push(v);
        }
        got.sort();
        assert_eq!(got, vec![1, 2]);
    })
}

#[test]
fn release_acquire_stack_is_correct() {
    let r = run(Release);
    assert!(r.failure.is_none(), "{}", r.failure.unwrap());
    assert!(r.complete);
    println!("{r}");
}

#[test]
fn relaxed_publication_races() {
    let r = run(Relaxed);
    let f = r.failure.expect("a Relaxed CAS does not publish the node");
    let FailureKind::DataRace { first, second, .. } = &f.kind else {
        panic!("expected a data race, got {f}");
    };
    // the node's value: created by a pusher (its initialisation is that
    // thread's write), read by the main thread's pop
    let line = |marker: &str| {
        include_str!("treiber_stack.rs")
            .lines()
            .position(|l| l.contains(marker) && !l.contains("line("))
            .unwrap()
            + 1
    };
    let (w, r) = (line("MARK-NEW"), line("MARK-READ"));
    let at = |a: &happens::Access| a.at.map(|l| l.to_string()).unwrap_or_default();
    let kind = |a: &happens::Access| a.kind.to_string();
    let (mut ats, mut kinds) = (vec![at(first), at(second)], vec![kind(first), kind(second)]);
    ats.sort();
    kinds.sort();
    assert_eq!(kinds, ["read", "write"], "{f}");
    assert!(
        ats.iter()
            .any(|a| a.contains(&format!("treiber_stack.rs:{w}:"))),
        "{f}"
    );
    assert!(
        ats.iter()
            .any(|a| a.contains(&format!("treiber_stack.rs:{r}:"))),
        "{f}"
    );
}
