//! `app`'s loom test: `dep`'s type and `dep`'s trait impl for
//! `loom::sync::atomic::AtomicUsize`, used on an atomic created here. It
//! compiles only when `app` and `dep` see one `loom`, and runs under
//! whichever `loom` the graph has (loom itself, or happens through the
//! `[patch.crates-io]` line of the workspace).

#![cfg(loom)]

use app::{both_taken, Counter, Tickets};
use loom::sync::atomic::AtomicUsize;
use loom::sync::Arc;
use loom::thread;

#[test]
fn tickets_from_two_threads() {
    loom::model(|| {
        let shared = Arc::new((Counter::new(), AtomicUsize::new(0)));
        let s2 = shared.clone();
        let t = thread::spawn(move || (s2.0.add(), s2.1.take_ticket()));
        let mine = (shared.0.add(), shared.1.take_ticket());
        let theirs = t.join().unwrap();
        // the two threads got different tickets from each dispenser
        assert_ne!(mine.0, theirs.0);
        assert_ne!(mine.1, theirs.1);
        assert_eq!(both_taken(&shared.0, &shared.1), (2, 2));
    });
}

#[test]
fn a_ticket_publishes_what_came_before_it() {
    use loom::cell::UnsafeCell;
    loom::model(|| {
        let shared = Arc::new((UnsafeCell::new(0u32), AtomicUsize::new(0)));
        let s2 = shared.clone();
        let t = thread::spawn(move || {
            s2.0.with_mut(|p| unsafe { *p = 42 });
            s2.1.take_ticket(); // Release
        });
        if shared.1.taken() == 1 {
            // Acquire: the write above happens before this read
            assert_eq!(shared.0.with(|p| unsafe { *p }), 42);
        }
        t.join().unwrap();
    });
}
