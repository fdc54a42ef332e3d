//! Port of loom's `tests/thread_api.rs`: the initial thread, many and
//! alternating joins, unique `ThreadId`s, names, `Builder::stack_size`, and
//! `park`/`unpark` with std's token semantics.

mod common;

use common::*;
use happens::sync::atomic::{AtomicBool, Ordering::*};
use happens::sync::Arc;
use happens::thread;

#[test]
fn initial_thread() {
    let r = ok(|| {
        let me = thread::current();
        assert_eq!(me.name(), Some("main"));
        assert_eq!(me.id(), thread::current().id());
    });
    assert_eq!(r.executions, 1);
}

#[test]
fn many_joins() {
    let r = ok(|| {
        let hs: Vec<_> = (0..4).map(|i| thread::spawn(move || i * 10)).collect();
        let got: Vec<i32> = hs.into_iter().map(|h| h.join().unwrap()).collect();
        assert_eq!(got, vec![0, 10, 20, 30]);
    });
    assert_eq!(r.executions, 1);
}

#[test]
fn alt_join() {
    let r = ok(|| {
        let a = thread::spawn(|| thread::spawn(|| 1).join().unwrap() + 1);
        let b = thread::spawn(|| 3);
        assert_eq!(b.join().unwrap(), 3);
        assert_eq!(a.join().unwrap(), 2);
    });
    assert_eq!(r.executions, 1);
}

#[test]
fn threads_have_unique_ids() {
    let r = ok(|| {
        let me = thread::current().id();
        let hs: Vec<_> = (0..3)
            .map(|_| thread::spawn(|| thread::current().id()))
            .collect();
        let mut ids: Vec<_> = hs.into_iter().map(|h| h.join().unwrap()).collect();
        ids.push(me);
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 4);
    });
    assert_eq!(r.executions, 1);
}

#[test]
fn thread_names() {
    let r = ok(|| {
        let t = thread::Builder::new()
            .name("worker".to_string())
            .spawn(|| thread::current().name().map(str::to_string))
            .unwrap();
        assert_eq!(t.thread().name(), Some("worker"));
        assert_eq!(t.join().unwrap().as_deref(), Some("worker"));
        let anon = thread::spawn(|| thread::current().name().map(str::to_string));
        assert_eq!(anon.join().unwrap(), None);
    });
    assert_eq!(r.executions, 1);
}

#[test]
fn thread_stack_size() {
    let r = ok(|| {
        let t = thread::Builder::new()
            .stack_size(1 << 16)
            .spawn(|| 7)
            .unwrap();
        assert_eq!(t.join().unwrap(), 7);
    });
    assert_eq!(r.executions, 1);
}

#[test]
fn park_unpark_loom() {
    // unpark before park: the token makes park return at once
    let r = ok(|| {
        thread::current().unpark();
        thread::park();
    });
    assert_eq!(r.executions, 1);
}

#[test]
fn park_unpark_std() {
    // a token set twice is one token: the second park waits for the flag
    let r = ok(|| {
        let main = thread::current();
        let flag = Arc::new(AtomicBool::new(false));
        let f2 = flag.clone();
        let t = thread::spawn(move || {
            main.unpark();
            main.unpark();
            f2.store(true, Release);
            main.unpark();
        });
        while !flag.load(Acquire) {
            thread::park();
        }
        t.join().unwrap();
    });
    // which unpark each park's token comes from and which flag value each
    // round reads (8); a park waits for its token without executions of
    // its own: none blocked
    assert_eq!((r.executions, r.blocked), (8, 0));
}
