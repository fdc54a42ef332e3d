//! Port of loom's `tests/mpsc.rs`: a channel used sequentially and from
//! parallel senders, senders whose messages commute, senders whose order
//! the receiver wrongly relies on (a failure), and dropping the receiver.

mod common;

use common::*;
use happens::sync::mpsc::{channel, RecvError, TryRecvError};
use happens::thread;
use happens::FailureKind;

#[test]
fn basic_sequential_usage() {
    let r = ok(|| {
        let (tx, rx) = channel();
        tx.send(5).unwrap();
        tx.send(6).unwrap();
        assert_eq!(rx.recv().unwrap(), 5);
        assert_eq!(rx.recv().unwrap(), 6);
        assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    });
    assert_eq!(r.executions, 1);
}

#[test]
fn basic_parallel_usage() {
    let r = ok(|| {
        let (tx, rx) = channel();
        let t = thread::spawn(move || tx.send(5).unwrap());
        assert_eq!(rx.recv().unwrap(), 5);
        // the only sender is gone once it finished
        t.join().unwrap();
        assert_eq!(rx.recv(), Err(RecvError));
    });
    // waiting for the message costs nothing, and the receive reads the
    // send's write (the first that makes the message available, not the
    // sender's later drop): 1, none blocked
    assert_eq!((r.executions, r.blocked), (1, 0));
}

#[test]
fn commutative_senders() {
    let (outs, r) = outcomes(|| {
        let (tx, rx) = channel();
        let tx2 = tx.clone();
        let t = thread::spawn(move || tx2.send(1).unwrap());
        tx.send(2).unwrap();
        let sum = rx.recv().unwrap() + rx.recv().unwrap();
        t.join().unwrap();
        sum
    });
    assert_eq!(outs, vec![3]);
    // the two send orders, none blocked
    assert_eq!((r.executions, r.blocked), (2, 0));
}

#[test]
fn non_commutative_senders() {
    let f = fails(|| {
        let (tx, rx) = channel();
        let tx2 = tx.clone();
        let t = thread::spawn(move || tx2.send(1).unwrap());
        tx.send(2).unwrap();
        assert_eq!(rx.recv().unwrap(), 1, "the receiver relied on the order"); // MARK-ORDER
        t.join().unwrap();
    });
    let FailureKind::Panic {
        message,
        thread,
        location,
    } = &f.kind
    else {
        panic!("expected a panic: {f}");
    };
    assert!(
        message.contains("the receiver relied on the order"),
        "{message}"
    );
    assert_eq!(*thread, 0);
    let at = place("loom_mpsc.rs", include_str!("loom_mpsc.rs"), "MARK-ORDER");
    assert!(location.as_ref().unwrap().to_string().contains(&at), "{f}");
}

#[test]
fn drop_receiver() {
    let r = ok(|| {
        let (tx, rx) = channel::<i32>();
        drop(rx);
        assert_eq!(tx.send(1).unwrap_err().0, 1);
    });
    assert_eq!(r.executions, 1);
}

#[test]
fn unreceived_message_leaks() {
    let f = fails(|| {
        let (tx, rx) = channel();
        tx.send(1).unwrap(); // MARK-SEND
        std::mem::forget(rx);
    });
    let FailureKind::Leak { what, allocated } = &f.kind else {
        panic!("expected a leak: {f}");
    };
    assert_eq!(*what, "channel message");
    let at = place("loom_mpsc.rs", include_str!("loom_mpsc.rs"), "MARK-SEND");
    assert!(allocated.to_string().contains(&at), "{allocated}");
}
