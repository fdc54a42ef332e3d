//! A modelled object dropped while another thread can still reach it: the
//! Treiber stack that frees what it pops, as people first write it, and a
//! slot two threads take a box from without an atomic take. Run natively,
//! such a program reads freed memory or frees it twice, and the system
//! allocator then corrupts its heap (this stack used to hang the
//! exploration after glibc's "corrupted double-linked list"). The model
//! drops an object's locations with it: the use, or the second drop, is
//! the failure, and the thread stops there, before the allocator sees it.

mod common;

use std::ptr;

use happens::model::Builder;
use happens::sync::atomic::{AtomicPtr, AtomicUsize, Ordering::*};
use happens::sync::Arc;
use happens::thread;
use happens::FailureKind;

struct Node {
    value: usize,
    next: AtomicPtr<Node>,
}

struct Stack {
    head: AtomicPtr<Node>,
}

impl Stack {
    fn push(&self, value: usize) {
        let node = Box::into_raw(Box::new(Node {
            value,
            next: AtomicPtr::new(ptr::null_mut()), // MARK: node made
        }));
        loop {
            let head = self.head.load(Relaxed);
            unsafe { (*node).next.store(head, Relaxed) };
            if self
                .head
                .compare_exchange_weak(head, node, Release, Relaxed)
                .is_ok()
            {
                return;
            }
        }
    }

    fn pop(&self) -> Option<usize> {
        loop {
            let head = self.head.load(Acquire);
            if head.is_null() {
                return None;
            }
            let next = unsafe { (*head).next.load(Relaxed) }; // MARK: reads next
            if self
                .head
                .compare_exchange_weak(head, next, Relaxed, Relaxed) // MARK: unlinks
                .is_ok()
            {
                let node = unsafe { Box::from_raw(head) };
                return Some(node.value);
            }
        }
    }
}

impl Drop for Stack {
    fn drop(&mut self) {
        while self.pop().is_some() {}
    }
}

/// `tests/use_after_free.rs:<line>:` of the line holding `marker`.
fn at(marker: &str) -> String {
    common::place(
        "use_after_free.rs",
        include_str!("use_after_free.rs"),
        marker,
    )
}

#[test]
fn a_treiber_stack_that_frees_what_it_pops() {
    let r = Builder::new().explore(|| {
        let s = Arc::new(Stack {
            head: AtomicPtr::new(ptr::null_mut()),
        });
        s.push(1);
        s.push(2);
        let handles: Vec<_> = (0..3)
            .map(|i| {
                let s = s.clone();
                thread::spawn(move || {
                    if i == 0 {
                        s.push(3);
                    } else {
                        s.pop();
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
    });
    let f = r
        .failure
        .expect("a popper reads the next of a node another one freed");
    assert_eq!(f.kind_name(), "use after free", "{f}");
    let FailureKind::UseAfterFree {
        thread,
        object,
        twice,
        at: at_,
        dropped_by,
        dropped_after,
    } = &f.kind
    else {
        unreachable!()
    };
    assert!(!twice);
    // the two poppers, one reading what the other freed
    assert!(
        [*thread, *dropped_by] == [2, 3] || [*thread, *dropped_by] == [3, 2],
        "{f}"
    );
    let origin = object.origin.expect("an object of the program");
    assert_eq!(origin.kind, "AtomicPtr", "{f}");
    assert!(
        origin.created.to_string().contains(&at("MARK: node made")),
        "{f}"
    );
    let used = at_.unwrap().to_string();
    assert!(used.contains(&at("MARK: reads next")), "{f}");
    assert!(
        dropped_after
            .unwrap()
            .to_string()
            .contains(&at("MARK: unlinks")),
        "{f}"
    );
    assert!(f.to_string().starts_with("use after free: thread "), "{f}");
}

/// A box handed over in a slot (a `static`, as a global handoff is
/// written); each taker checks the slot, then clears it, instead of taking
/// it with one `swap`.
static SLOT: AtomicPtr<AtomicUsize> = AtomicPtr::const_new(ptr::null_mut());

fn take_twice(atomic_take: bool) -> happens::Report {
    Builder::new().explore(move || {
        let boxed = Box::new(AtomicUsize::new(7)); // MARK: boxed
        SLOT.store(Box::into_raw(boxed), Release);
        let takers: Vec<_> = (0..2)
            .map(|_| {
                thread::spawn(move || {
                    let p = if atomic_take {
                        SLOT.swap(ptr::null_mut(), AcqRel)
                    } else {
                        let p = SLOT.load(Acquire);
                        SLOT.store(ptr::null_mut(), Release);
                        p
                    };
                    if !p.is_null() {
                        drop(unsafe { Box::from_raw(p) });
                    }
                })
            })
            .collect();
        for t in takers {
            t.join().unwrap();
        }
    })
}

#[test]
fn two_threads_free_one_box() {
    let f = take_twice(false).failure.expect("both take the box");
    assert_eq!(f.kind_name(), "double free", "{f}");
    let FailureKind::UseAfterFree {
        thread,
        object,
        twice,
        dropped_by,
        ..
    } = &f.kind
    else {
        unreachable!()
    };
    assert!(twice);
    assert!(
        [*thread, *dropped_by] == [1, 2] || [*thread, *dropped_by] == [2, 1],
        "{f}"
    );
    let origin = object.origin.expect("an object of the program");
    assert_eq!(origin.kind, "AtomicUsize", "{f}");
    assert!(
        origin.created.to_string().contains(&at("MARK: boxed")),
        "{f}"
    );
    assert!(f.to_string().starts_with("double free: thread "), "{f}");
}

#[test]
fn taking_with_one_swap_frees_it_once() {
    let r = take_twice(true);
    assert!(r.failure.is_none() && r.complete, "{r}");
    // which taker's swap comes first in the slot's modification order
    // (the other one swaps null out, and frees nothing): 2, but the takers
    // are alike (one closure, nothing captured), and with symmetry
    // reduction the execution where the second spawned swaps first is the
    // image of the one explored: 1
    assert_eq!((r.executions, r.blocked), (1, 0), "{r}");
}

/// The state machine of oneshot 0.2.1's async channel, where dropping a
/// receiver that was polled while the sender sends frees the channel under
/// the sender (faern/oneshot#87, open; its loom suite passes under loom):
/// the receiver swaps in `DISCONNECTED`, sees the sender's `UNPARKING`,
/// then waits for the sender's final state, but its own `DISCONNECTED`
/// is already there to be read.
mod oneshot_shape {
    use super::*;
    use happens::cell::UnsafeCell;
    use happens::sync::atomic::AtomicU8;

    const RECEIVING: u8 = 0;
    const UNPARKING: u8 = 1;
    const DISCONNECTED: u8 = 2;
    const EMPTY: u8 = 3;
    const MESSAGE: u8 = 4;

    struct Channel {
        state: AtomicU8,
        waker: UnsafeCell<usize>,
    }

    struct Ptr(*mut Channel);
    unsafe impl Send for Ptr {}

    fn send(p: Ptr) {
        let channel = unsafe { &*p.0 };
        if channel.state.fetch_add(1, AcqRel) == RECEIVING {
            // UNPARKING: the receiver waits for the final state
            let _waker = channel.waker.with(|w| unsafe { *w });
            channel.state.swap(MESSAGE, AcqRel); // MARK: final state
        }
    }

    fn drop_receiver(p: *mut Channel) {
        let channel = unsafe { &*p };
        match channel.state.swap(DISCONNECTED, AcqRel) {
            UNPARKING => {
                loop {
                    match channel.state.load(Relaxed) {
                        MESSAGE | DISCONNECTED => break,
                        _ => {}
                    }
                }
                happens::sync::atomic::fence(Acquire); // MARK: frees after
                drop(unsafe { Box::from_raw(p) });
            }
            MESSAGE | DISCONNECTED => drop(unsafe { Box::from_raw(p) }),
            _ => {}
        }
    }

    #[test]
    fn an_async_receiver_dropped_during_a_send() {
        let f = Builder::new()
            .explore(|| {
                let p = Box::into_raw(Box::new(Channel {
                    state: AtomicU8::new(EMPTY), // MARK: channel state
                    waker: UnsafeCell::new(0),
                }));
                // polled once: a waker stored, the channel receiving
                let channel = unsafe { &*p };
                channel.waker.with_mut(|w| unsafe { *w = 1 });
                channel
                    .state
                    .compare_exchange(EMPTY, RECEIVING, Release, Relaxed)
                    .unwrap();
                let sender = Ptr(p);
                let t = thread::spawn(move || send(sender));
                drop_receiver(p);
                t.join().unwrap();
            })
            .failure
            .expect("the receiver frees the channel while the sender is in it");
        assert_eq!(f.kind_name(), "use after free", "{f}");
        let FailureKind::UseAfterFree {
            thread,
            object,
            at: used,
            dropped_by,
            dropped_after,
            ..
        } = &f.kind
        else {
            unreachable!()
        };
        assert_eq!((*thread, *dropped_by, f.execution), (1, 0, 2), "{f}");
        let created = object.origin.expect("an object of the program").created;
        assert!(
            created.to_string().contains(&at("MARK: channel state")),
            "{f}"
        );
        assert!(
            used.unwrap().to_string().contains(&at("MARK: final state")),
            "{f}"
        );
        assert!(
            dropped_after
                .unwrap()
                .to_string()
                .contains(&at("MARK: frees after")),
            "{f}"
        );
    }
}
