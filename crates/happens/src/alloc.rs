//! Leak-tracked allocation: memory from [`alloc`] not released with
//! [`dealloc`], and a [`Track`] never dropped, are reported as leaks when
//! every thread finished. And [`Fresh`], a global allocator that gives no
//! allocation the address of one freed in the same execution.

use std::alloc::{GlobalAlloc, System};
use std::cell::Cell;
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

/// A global allocator under which no allocation made in an execution gets
/// the address of one freed earlier in the same execution: what the
/// program frees while a model runs is handed back to the system allocator
/// only when the execution ends. Outside a model it is the system
/// allocator.
///
/// Pointers inside a model are real addresses (see
/// [`AtomicPtr`](crate::sync::atomic::AtomicPtr)), and the system allocator
/// gives a freed allocation's address to the next one of its size in one
/// run and not in another. A program that compares a pointer to freed
/// memory with a new one (a hazard-pointer or epoch scheme's retired list,
/// a compare-exchange on a freed node's address) then sees them equal in
/// one run only: a compare-exchange keeps its first outcome
/// ([`Report::kept_outcome`](crate::model::Report::kept_outcome)), and the
/// number of executions depends on the allocator. Under `Fresh` two
/// allocations of one execution are never equal, as in GenMC, whose counts
/// such programs then have:
///
/// ```
/// #[global_allocator]
/// static ALLOC: happens::alloc::Fresh = happens::alloc::Fresh;
/// # fn main() {}
/// ```
///
/// In a test crate, this goes at the top of the test file (one global
/// allocator per binary); memory freed in an execution stays allocated
/// until it ends.
#[derive(Clone, Copy, Debug, Default)]
pub struct Fresh;

// SAFETY: every block comes from `System` and goes back to it, once: a
// block freed during an execution is held (`Held`) and freed when it ends.
unsafe impl GlobalAlloc for Fresh {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        System.alloc(layout)
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        System.alloc_zeroed(layout)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if !rt::hold_freed(ptr, layout) {
            System.dealloc(ptr, layout)
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if !rt::in_execution() {
            return System.realloc(ptr, layout, new_size);
        }
        // in place, the system allocator may move it into a block freed in
        // this execution: a new one, and the old one held
        let new = Layout::from_size_align_unchecked(new_size, layout.align());
        let q = System.alloc(new);
        if !q.is_null() {
            std::ptr::copy_nonoverlapping(ptr, q, layout.size().min(new_size));
            self.dealloc(ptr, layout);
        }
        q
    }
}

/// The blocks freed during one execution under [`Fresh`], in a buffer of
/// the system allocator's (the global allocator must not call itself).
pub(crate) struct Held {
    buf: Cell<*mut (usize, Layout)>,
    len: Cell<usize>,
    cap: Cell<usize>,
}

impl Held {
    pub(crate) const fn new() -> Self {
        Held {
            buf: Cell::new(std::ptr::null_mut()),
            len: Cell::new(0),
            cap: Cell::new(0),
        }
    }

    fn layout(cap: usize) -> Layout {
        Layout::array::<(usize, Layout)>(cap).expect("a buffer of blocks")
    }

    /// Keeps the block `ptr` of `layout` until [`Held::release`]; false if
    /// no room could be made (the caller frees it).
    ///
    /// # Safety
    /// `ptr` is a block of `System` of `layout`, being freed.
    pub(crate) unsafe fn push(&self, ptr: *mut u8, layout: Layout) -> bool {
        let (len, cap) = (self.len.get(), self.cap.get());
        if len == cap {
            let more = (cap * 2).max(64);
            let p = if cap == 0 {
                System.alloc(Self::layout(more))
            } else {
                System.realloc(
                    self.buf.get().cast(),
                    Self::layout(cap),
                    Self::layout(more).size(),
                )
            };
            if p.is_null() {
                return false;
            }
            self.buf.set(p.cast());
            self.cap.set(more);
        }
        self.buf.get().add(len).write((ptr as usize, layout));
        self.len.set(len + 1);
        true
    }

    /// Frees every block held (the execution ended).
    pub(crate) fn release(&self) {
        let buf = self.buf.get();
        for i in 0..self.len.get() {
            // SAFETY: pushed by `push`, each once, and not freed since
            unsafe {
                let (p, l) = buf.add(i).read();
                System.dealloc(p as *mut u8, l);
            }
        }
        self.len.set(0);
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        self.release();
        if self.cap.get() > 0 {
            // SAFETY: allocated by `push` with this capacity
            unsafe { System.dealloc(self.buf.get().cast(), Self::layout(self.cap.get())) }
        }
    }
}
