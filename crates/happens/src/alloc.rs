//! Leak-tracked allocation: memory from [`alloc`] not released with
//! [`dealloc`], and a [`Track`] never dropped, are reported as leaks when
//! every thread finished.

use std::collections::HashMap;
use std::panic::Location;
use std::sync::Mutex;

pub use std::alloc::Layout;

use crate::rt;

/// Track ids of live allocations, by address.
static LIVE: Mutex<Option<HashMap<usize, u64>>> = Mutex::new(None);

fn live() -> std::sync::MutexGuard<'static, Option<HashMap<usize, u64>>> {
    LIVE.lock().unwrap_or_else(|e| e.into_inner())
}

/// # Safety
/// As [`std::alloc::alloc`].
#[track_caller]
pub unsafe fn alloc(layout: Layout) -> *mut u8 {
    let p = std::alloc::alloc(layout);
    if let Some(id) = rt::track("allocation", Location::caller()) {
        live()
            .get_or_insert_with(HashMap::new)
            .insert(p as usize, id);
    }
    p
}

/// # Safety
/// As [`std::alloc::alloc_zeroed`].
#[track_caller]
pub unsafe fn alloc_zeroed(layout: Layout) -> *mut u8 {
    let p = std::alloc::alloc_zeroed(layout);
    if let Some(id) = rt::track("allocation", Location::caller()) {
        live()
            .get_or_insert_with(HashMap::new)
            .insert(p as usize, id);
    }
    p
}

/// # Safety
/// As [`std::alloc::dealloc`].
pub unsafe fn dealloc(ptr: *mut u8, layout: Layout) {
    let id = live().as_mut().and_then(|m| m.remove(&(ptr as usize)));
    rt::untrack(id);
    std::alloc::dealloc(ptr, layout)
}

/// A value that must be dropped before the execution ends.
#[derive(Debug)]
pub struct Track<T> {
    value: T,
    id: Option<u64>,
}

impl<T> Track<T> {
    #[track_caller]
    pub fn new(value: T) -> Track<T> {
        Track {
            value,
            id: rt::track("Track", Location::caller()),
        }
    }
    pub fn get_ref(&self) -> &T {
        &self.value
    }
    pub fn get_mut(&mut self) -> &mut T {
        &mut self.value
    }
    pub fn into_inner(mut self) -> T {
        rt::untrack(self.id.take());
        // SAFETY: `self` is forgotten right after the read.
        let v = unsafe { std::ptr::read(&self.value) };
        std::mem::forget(self);
        v
    }
}

impl<T> Drop for Track<T> {
    fn drop(&mut self) {
        rt::untrack(self.id.take());
    }
}
