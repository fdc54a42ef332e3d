//! One `Mutex` + one `Condvar` used in both directions, as crates write a
//! hand-off: the producer puts `Some(key)` under the lock, notifies, and
//! waits `while` the slot is full; the consumer waits `while` it is empty,
//! takes, and notifies. A wakeup goes only to a thread that was waiting
//! when it was handed out (`std`'s semantics): a consumer that starts
//! waiting after the producer's notification cannot take the wakeup meant
//! for the producer and leave it waiting forever.

mod common;

use common::place;
use happens::model::Builder;
use happens::sync::{Arc, Condvar, Mutex};
use happens::thread;
use happens::FailureKind;

const SRC: &str = include_str!("condvar_handoff.rs");

fn handoff(while_loop: bool, spurious: bool) -> happens::Report {
    let mut b = Builder::new();
    b.diagram(false).spurious_wakeups = spurious;
    b.explore(move || {
        let s = Arc::new((Mutex::new(None::<u32>), Condvar::new()));
        let s2 = s.clone();
        let consumer = thread::spawn(move || {
            let (m, cv) = &*s2;
            let mut got = Vec::new();
            for _ in 0..2 {
                let mut g = m.lock().unwrap();
                if while_loop {
                    while g.is_none() {
                        g = cv.wait(g).unwrap();
                    }
                } else if g.is_none() {
                    g = cv.wait(g).unwrap();
                }
                got.push(g.take().unwrap()); // MARK-TAKE
                drop(g);
                cv.notify_one();
            }
            got
        });
        let (m, cv) = &*s;
        for key in 1..=2 {
            let mut g = m.lock().unwrap();
            *g = Some(key);
            cv.notify_one();
            while g.is_some() {
                g = cv.wait(g).unwrap();
            }
        }
        assert_eq!(consumer.join().unwrap(), vec![1, 2]);
    })
}

#[test]
fn a_two_item_handoff_through_one_condvar_passes() {
    // happens' own count (GenMC models no condition variables): the orders
    // in which the two threads take the lock, with each notification
    // reaching a waiter or finding none; no execution deadlocks (before,
    // the consumer's second wait took the wakeup meant for the producer)
    let r = handoff(true, false);
    assert!(r.failure.is_none(), "{r}");
    assert!(r.complete);
    assert_eq!((r.executions, r.blocked), (21, 0), "{r}");
    // and with spurious wakeups: the `while` loops absorb them
    let r = handoff(true, true);
    assert!(r.failure.is_none(), "{r}");
}

#[test]
fn an_if_instead_of_while_is_found_under_spurious_wakeups() {
    let r = handoff(false, true);
    let f = r.failure.expect("a spurious wakeup leaves the slot empty");
    match &f.kind {
        FailureKind::Panic {
            thread: 1,
            location: Some(l),
            message,
        } => {
            assert!(
                l.to_string().ends_with(&format!(
                    "{}35",
                    place("condvar_handoff.rs", SRC, "MARK-TAKE")
                )),
                "{f}"
            );
            assert!(message.contains("`None`"), "{f}");
        }
        _ => panic!("expected the consumer's unwrap to fail: {f}"),
    }
    // without spurious wakeups the `if` happens to suffice: every wakeup
    // comes with an item
    let r = handoff(false, false);
    assert!(r.failure.is_none(), "{r}");
}
