//! Under `happens::alloc::Fresh` no allocation of an execution gets the
//! address of one freed in it, so a program that frees a box and allocates
//! another while other threads compare addresses has exactly the
//! executions of the same program leaking the box (84 with one reader,
//! 24,228 with two, GenMC's counts with `-disable-sr`; 12,386 with two
//! alike readers under symmetry reduction; `tests/address_reuse.rs`), and
//! no compare-exchange has
//! to keep an outcome: the system allocator, which `tests/address_reuse.rs`
//! runs under, would make them depend on where it puts the second box.

mod common;

use common::freed::replace_freed;

#[global_allocator]
static ALLOC: happens::alloc::Fresh = happens::alloc::Fresh;

#[test]
fn freed_addresses_are_not_given_again_in_an_execution() {
    for (readers, symmetry, executions) in [(1, true, 84), (2, false, 24_228), (2, true, 12_386)] {
        for free in [false, true] {
            let r = replace_freed(free, readers, symmetry);
            assert!(r.failure.is_none() && r.complete, "{r}");
            assert_eq!(
                (r.executions, r.blocked, r.kept_outcome),
                (executions, 0, 0),
                "{readers} readers, freeing: {free}: {r}"
            );
        }
    }
}

/// Outside a model it is the system allocator: memory freed is reused.
#[test]
fn outside_a_model_it_frees_at_once() {
    let v: Vec<u64> = (0..1000).collect();
    let mut w = v.clone();
    w.extend(0..1000);
    drop(v);
    assert_eq!(w.len(), 2000);
    let b = Box::new([0u8; 64]);
    let a = &*b as *const _ as usize;
    drop(b);
    let c = Box::new([0u8; 64]);
    // the system allocator hands the block just freed to the next
    // allocation of its size
    assert_eq!(&*c as *const _ as usize, a);
}
