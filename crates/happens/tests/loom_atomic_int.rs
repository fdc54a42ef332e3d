//! Port of loom's `tests/atomic_int.rs`: the same tests for every integer
//! atomic, stamped out by a macro. `compare_exchange_weak` (ignored in loom,
//! whose weak CAS never fails spuriously) may fail spuriously here.

mod common;

use common::*;
use happens::sync::atomic::*;
use happens::sync::Arc;
use happens::thread;

macro_rules! test_int {
    ($($m:ident $A:ident $t:ty;)*) => {$(
        mod $m {
            use super::*;

            #[test]
            fn xor() {
                let r = ok(|| {
                    let a = $A::new(0b0110 as $t);
                    assert_eq!(a.fetch_xor(0b0011, Ordering::Relaxed), 0b0110);
                    assert_eq!(a.load(Ordering::Relaxed), 0b0101);
                });
                assert_eq!(r.executions, 1);
            }

            #[test]
            fn max() {
                let r = ok(|| {
                    let a = $A::new(5 as $t);
                    assert_eq!(a.fetch_max(3, Ordering::Relaxed), 5);
                    assert_eq!(a.fetch_max(9, Ordering::Relaxed), 5);
                    assert_eq!(a.load(Ordering::Relaxed), 9);
                });
                assert_eq!(r.executions, 1);
            }

            #[test]
            fn min() {
                let r = ok(|| {
                    let a = $A::new(5 as $t);
                    assert_eq!(a.fetch_min(9, Ordering::Relaxed), 5);
                    assert_eq!(a.fetch_min(3, Ordering::Relaxed), 5);
                    assert_eq!(a.load(Ordering::Relaxed), 3);
                });
                assert_eq!(r.executions, 1);
            }

            #[test]
            fn compare_exchange() {
                // two threads race to move 0 to their own value: one wins
                let (outs, r) = outcomes(|| {
                    let a = Arc::new($A::new(0 as $t));
                    let a2 = a.clone();
                    let t = thread::spawn(move || {
                        a2.compare_exchange(0, 1, Ordering::AcqRel, Ordering::Acquire)
                    });
                    let mine = a.compare_exchange(0, 2, Ordering::AcqRel, Ordering::Acquire);
                    (mine, t.join().unwrap(), a.load(Ordering::Relaxed))
                });
                assert_eq!(outs, vec![(Ok(0), Err(2), 2), (Err(1), Ok(0), 1)]);
                assert_eq!(r.executions, 2);
            }

            #[test]
            fn fetch_update() {
                let (outs, r) = outcomes(|| {
                    let a = Arc::new($A::new(1 as $t));
                    let a2 = a.clone();
                    let t = thread::spawn(move || a2.fetch_add(1, Ordering::Relaxed));
                    let doubled =
                        a.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |v| Some(v * 2));
                    t.join().unwrap();
                    (doubled, a.load(Ordering::Relaxed))
                });
                // (1 * 2) + 1 or (1 + 1) * 2. A stale first read makes the
                // compare-exchange fail and the loop go round: that
                // execution is not counted (GenMC's count for the C twin of
                // a fetch_update loop, tests/genmc/I_fetch_update.c, counts
                // only the executions whose first try succeeds)
                assert_eq!(outs, vec![(Ok(1), 3), (Ok(2), 4)]);
                assert_eq!(r.executions, 2);
            }

            #[test]
            fn compare_exchange_weak() {
                let (outs, r) = outcomes(|| {
                    let a = $A::new(0 as $t);
                    a.compare_exchange_weak(0, 1, Ordering::Relaxed, Ordering::Relaxed)
                });
                // succeeds, or fails spuriously although the value matched
                assert_eq!(outs, vec![Ok(0), Err(0)]);
                assert_eq!(r.executions, 2);
            }
        }
    )*};
}

test_int! {
    atomic_u8 AtomicU8 u8;
    atomic_u16 AtomicU16 u16;
    atomic_u32 AtomicU32 u32;
    atomic_u64 AtomicU64 u64;
    atomic_usize AtomicUsize usize;
    atomic_i8 AtomicI8 i8;
    atomic_i16 AtomicI16 i16;
    atomic_i32 AtomicI32 i32;
    atomic_i64 AtomicI64 i64;
    atomic_isize AtomicIsize isize;
}

#[test]
fn signed_min_max_use_the_sign() {
    let r = ok(|| {
        let a = AtomicI8::new(-5);
        assert_eq!(a.fetch_max(3, Ordering::Relaxed), -5);
        assert_eq!(a.fetch_min(-100, Ordering::Relaxed), 3);
        assert_eq!(a.load(Ordering::Relaxed), -100);
        let u = AtomicU8::new(250);
        assert_eq!(u.fetch_add(10, Ordering::Relaxed), 250);
        assert_eq!(u.load(Ordering::Relaxed), 4);
    });
    assert_eq!(r.executions, 1);
}
