//! Modelled threads: `spawn`, `scope`, `Builder`, `JoinHandle`, `current`,
//! `park`/`unpark`, `yield_now`, `sleep`, and `thread_local!`'s `LocalKey`.
//!
//! A spawned closure becomes a coroutine of the runtime; the engine numbers
//! threads (0 is the model's main closure). A panic in any modelled thread
//! fails the execution, so `join` always returns `Ok`.

use std::fmt;
use std::marker::PhantomData;
use std::panic::Location;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use happens_engine::{
    LocId, Op, Reply, RmwKind, RmwOp, RmwOrd, StoreOrd, Then, ThreadId as EngineTid, Until, Width,
};

pub use std::thread::{panicking, AccessError, Result};

use crate::rt;

/// A unique identifier of a modelled thread (within one execution).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ThreadId(u64);

impl fmt::Debug for ThreadId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ThreadId({})", self.0)
    }
}

/// A handle to a modelled thread.
#[derive(Clone)]
pub struct Thread {
    index: usize,
    name: Option<Arc<str>>,
}

impl fmt::Debug for Thread {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Thread")
            .field("id", &self.id())
            .field("name", &self.name())
            .finish()
    }
}

impl Thread {
    pub fn id(&self) -> ThreadId {
        told_apart(self.index);
        ThreadId(self.index as u64 + 1)
    }
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }
    /// Makes the thread's park token available (a release store).
    #[track_caller]
    pub fn unpark(&self) {
        told_apart(self.index);
        let at = Location::caller();
        rt::op(
            Op::Store {
                loc: rt::park_token(self.index, at),
                val: 1,
                ord: StoreOrd::Release,
            },
            at,
        );
    }
}

/// Where a finished thread leaves its result for `join`. A `std` mutex (not
/// a `RefCell`): a handle is `Send` and `Sync` when `T: Send`, as loom's
/// (`Arc<Mutex<Option<thread::Result<T>>>>`), and unwind-safe.
struct Slot<T>(Mutex<Option<T>>);

impl<T> Slot<T> {
    fn new() -> Self {
        Slot(Mutex::new(None))
    }
    fn put(&self, v: T) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = Some(v);
    }
    fn take(&self) -> Option<T> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).take()
    }
}

/// Owned permission to join a modelled thread.
pub struct JoinHandle<T> {
    child: usize,
    result: Arc<Slot<T>>,
    thread: Thread,
}

impl<T> fmt::Debug for JoinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinHandle")
            .field("thread", &self.thread)
            .finish()
    }
}

impl<T> JoinHandle<T> {
    /// Waits for the thread to finish and returns its result.
    #[track_caller]
    pub fn join(self) -> Result<T> {
        rt::op(Op::Join(EngineTid(self.child as u32)), Location::caller());
        let v = self.result.take();
        match v {
            Some(v) => Ok(v),
            // a destructor joining while its execution is torn down
            None if rt::tearing_down() => Err(Box::new("the execution ended")),
            None => panic!("happens: joined thread left no result"),
        }
    }
    pub fn thread(&self) -> &Thread {
        &self.thread
    }
    /// Whether the thread finished (an unsynchronized observation: always
    /// `false` until joined, which is a valid answer).
    pub fn is_finished(&self) -> bool {
        false
    }
}

/// A use of thread `index`'s identity: if it is one of a group of like
/// threads, they are told apart (see "Symmetric threads" below).
fn told_apart(index: usize) {
    if rt::in_model() {
        rt::with(|c| {
            let mut st = c.st.borrow_mut();
            if st.threads.get(index).is_some_and(|t| t.alike) {
                st.told_apart = true;
            }
        });
    }
}

// # Symmetric threads
//
// Threads spawned one after the other by one thread, from the same code
// with equal captured bytes (the same `Arc`, the same references, equal
// numbers), whose result carries nothing (`()`) and that have no name, run
// the same code on equal inputs: the engine is told that the later is like
// the earlier (`Op::Spawn`'s `like`) and explores one of two executions
// that differ only by swapping them (`happens_engine`'s `symmetry.rs`,
// which also checks what the spawning thread did in between and that
// whoever joins one joins them all before anything else). A capture that
// differs (a loop index, a `Box`, a `Vec`) makes the threads unlike. What
// the engine cannot see is a thread learning which one it is: `Thread::id`
// and `Thread::unpark` on one of them sets `told_apart`, and the
// exploration starts again without the reduction.
//
// "The same code" is the closure's `TypeId`, and for a scoped closure,
// which is not `'static`, the address of `run::<F, T>`, a function that
// runs a closure of type `F`: one per closure type (or fewer, where the
// linker folds identical functions: then the code is the same,
// relocations included, and so is what it does on equal bytes).

/// Runs a scoped closure; its address stands for `F`'s code.
fn run<F: FnOnce() -> T, T>(f: F) -> T {
    f()
}

/// What `f` runs, for symmetry: `None` if a twin could be told apart by its
/// result or its name.
fn spawned<F: FnOnce() -> T, T>(f: &F, name: &Option<String>, code: rt::Code) -> rt::Spawned {
    if std::mem::size_of::<T>() != 0 || name.is_some() {
        return None;
    }
    let n = std::mem::size_of::<F>();
    let mut bytes = vec![std::mem::MaybeUninit::<u8>::uninit(); n].into_boxed_slice();
    // SAFETY: copies `f`'s `n` bytes (padding included, as `MaybeUninit`)
    // into a buffer of `n` bytes; nothing reads them as `u8` in Rust.
    unsafe {
        std::ptr::copy_nonoverlapping(f as *const F as *const _, bytes.as_mut_ptr(), n);
    }
    Some((code, bytes))
}

/// Whether two spawned closures are alike: same type, same bytes. The
/// bytes are compared by `memcmp`, outside Rust's abstract machine, since
/// a closure's padding is uninitialised: padding that differs only makes
/// two alike threads unlike, which is always sound.
fn alike(a: &rt::Spawned, b: &rt::Spawned) -> bool {
    extern "C" {
        fn memcmp(a: *const u8, b: *const u8, n: usize) -> i32;
    }
    match (a, b) {
        (Some((ta, ba)), Some((tb, bb))) => {
            ta == tb
                && ba.len() == bb.len()
                // SAFETY: both buffers hold `len` bytes.
                && unsafe { memcmp(ba.as_ptr().cast(), bb.as_ptr().cast(), ba.len()) } == 0
        }
        _ => false,
    }
}

/// Registers `body` as the next thread and spawns it.
#[track_caller]
fn spawn_raw(body: Box<dyn FnOnce()>, name: Option<String>, what: rt::Spawned) -> Thread {
    let at = Location::caller();
    let name_arc: Option<Arc<str>> = name.as_deref().map(Arc::from);
    let like = rt::with(|c| {
        let mut st = c.st.borrow_mut();
        let cur = st.current;
        st.threads[cur].pending_spawn = Some((body, name));
        match &st.threads[cur].last_spawn {
            Some((prev, w)) if alike(w, &what) => Some(*prev),
            _ => None,
        }
    });
    let like_tid = like.map(|p| EngineTid(p as u32));
    let child = match rt::op(Op::Spawn { like: like_tid }, at) {
        Reply::Spawned(c) => c.index(),
        r => panic!("happens: unexpected reply {r:?} to Spawn"),
    };
    rt::with(|c| {
        let mut st = c.st.borrow_mut();
        let cur = st.current;
        st.threads[cur].last_spawn = Some((child, what));
        if let Some(p) = like {
            st.threads[p].alike = true;
            st.threads[child].alike = true;
        }
    });
    Thread {
        index: child,
        name: name_arc,
    }
}

#[track_caller]
fn spawn_inner<F, T>(f: F, name: Option<String>) -> JoinHandle<T>
where
    F: FnOnce() -> T + 'static,
    T: 'static,
{
    let result = Arc::new(Slot::new());
    let r2 = result.clone();
    let what = spawned::<F, T>(&f, &name, rt::Code::Type(std::any::TypeId::of::<F>()));
    let thread = spawn_raw(
        Box::new(move || {
            let v = f();
            r2.put(v);
        }),
        name,
        what,
    );
    JoinHandle {
        child: thread.index,
        result,
        thread,
    }
}

/// Spawns a modelled thread.
#[track_caller]
pub fn spawn<F, T>(f: F) -> JoinHandle<T>
where
    F: FnOnce() -> T + 'static,
    T: 'static,
{
    spawn_inner(f, None)
}

/// Thread factory (names; the stack size is the runtime's pooled size).
#[derive(Debug, Default)]
pub struct Builder {
    name: Option<String>,
    stack_size: Option<usize>,
}

impl Builder {
    pub fn new() -> Builder {
        Builder::default()
    }
    pub fn name(mut self, name: String) -> Builder {
        self.name = Some(name);
        self
    }
    /// Accepted for compatibility; modelled threads use pooled stacks of
    /// [`crate::model::Builder::stack_size`].
    pub fn stack_size(mut self, size: usize) -> Builder {
        self.stack_size = Some(size);
        self
    }
    #[track_caller]
    pub fn spawn<F, T>(self, f: F) -> std::io::Result<JoinHandle<T>>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        Ok(spawn_inner(f, self.name))
    }
    #[track_caller]
    pub fn spawn_scoped<'scope, 'env, F, T>(
        self,
        scope: &'scope Scope<'scope, 'env>,
        f: F,
    ) -> std::io::Result<ScopedJoinHandle<'scope, T>>
    where
        F: FnOnce() -> T + Send + 'scope,
        T: Send + 'scope,
    {
        Ok(scope.spawn_named(f, self.name))
    }
}

/// A scope for spawning threads that borrow from the enclosing stack.
///
/// `Send` and `Sync` (a scoped thread may spawn into the scope it runs
/// in), not `UnwindSafe`: as `std`'s.
pub struct Scope<'scope, 'env: 'scope> {
    unjoined: Mutex<Vec<usize>>,
    _scope: PhantomData<&'scope mut &'scope ()>,
    _env: PhantomData<&'env mut &'env ()>,
}

/// Owned permission to join a scoped thread.
///
/// `Send` and `Sync` when `T: Send`, neither `UnwindSafe` nor
/// `RefUnwindSafe`: as `std`'s.
pub struct ScopedJoinHandle<'scope, T> {
    inner: JoinHandle<T>,
    unjoined: &'scope Mutex<Vec<usize>>,
    _not_unwind_safe: PhantomData<dyn Send + Sync + Unpin>,
}

impl<T> ScopedJoinHandle<'_, T> {
    #[track_caller]
    pub fn join(self) -> Result<T> {
        let c = self.inner.child;
        unjoined(self.unjoined).retain(|&x| x != c);
        self.inner.join()
    }
    pub fn thread(&self) -> &Thread {
        &self.inner.thread
    }
}

impl<'scope> Scope<'scope, '_> {
    /// Spawns a thread that may borrow from outside the scope.
    #[track_caller]
    pub fn spawn<F, T>(&'scope self, f: F) -> ScopedJoinHandle<'scope, T>
    where
        F: FnOnce() -> T + Send + 'scope,
        T: Send + 'scope,
    {
        self.spawn_named(f, None)
    }

    #[track_caller]
    fn spawn_named<F, T>(&'scope self, f: F, name: Option<String>) -> ScopedJoinHandle<'scope, T>
    where
        F: FnOnce() -> T + Send + 'scope,
        T: Send + 'scope,
    {
        let result = Arc::new(Slot::new());
        let r2 = result.clone();
        let code = rt::Code::Fn(run::<F, T> as fn(F) -> T as usize);
        let what = spawned::<F, T>(&f, &name, code);
        let body: Box<dyn FnOnce() + 'scope> = Box::new(move || {
            let v = f();
            r2.put(v);
        });
        // SAFETY: `scope` joins every thread before it returns, and an
        // execution torn down early never resumes the coroutine (no code of
        // the closure runs after its borrows end).
        let body: Box<dyn FnOnce() + 'static> = unsafe { std::mem::transmute(body) };
        let thread = spawn_raw(body, name, what);
        unjoined(&self.unjoined).push(thread.index);
        ScopedJoinHandle {
            inner: JoinHandle {
                child: thread.index,
                result,
                thread,
            },
            unjoined: &self.unjoined,
            _not_unwind_safe: PhantomData,
        }
    }
}

fn unjoined(m: &Mutex<Vec<usize>>) -> std::sync::MutexGuard<'_, Vec<usize>> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Creates a scope; every thread spawned in it is joined before it returns.
#[track_caller]
pub fn scope<'env, F, T>(f: F) -> T
where
    F: for<'scope> FnOnce(&'scope Scope<'scope, 'env>) -> T,
{
    let s = Scope {
        unjoined: Mutex::new(Vec::new()),
        _scope: PhantomData,
        _env: PhantomData,
    };
    let r = f(&s);
    // one at a time: a thread joined here may have spawned another into
    // the scope
    loop {
        let next = {
            let mut left = unjoined(&s.unjoined);
            (!left.is_empty()).then(|| left.remove(0))
        };
        let Some(c) = next else { break };
        rt::op(Op::Join(EngineTid(c as u32)), Location::caller());
    }
    r
}

/// The current modelled thread.
#[track_caller]
pub fn current() -> Thread {
    let (index, name) = rt::with(|c| {
        let st = c.st.borrow();
        let name = st.threads[st.current].name.clone();
        // like std, the model's main thread is called "main"
        let name = name.or_else(|| (st.current == 0).then(|| "main".to_string()));
        (st.current, name)
    });
    Thread {
        index,
        name: name.as_deref().map(Arc::from),
    }
}

/// A scheduling hint. Not an operation of the model: every interleaving is
/// explored anyway, and a loop that waits is recognised by what it does
/// (see "Waiting loops" in the crate docs), so a hint neither blocks a
/// thread nor makes an execution of its own.
#[track_caller]
pub fn yield_now() {}

/// Like [`yield_now`]: time does not exist in the model.
#[track_caller]
pub fn sleep(_dur: Duration) {}

/// Blocks until the thread's token is made available by `unpark`.
#[track_caller]
pub fn park() {
    if rt::tearing_down() {
        return;
    }
    let at = Location::caller();
    let t = current();
    // wait for the token (no executions of its own), then take it
    let loc = rt::park_token(t.index, at);
    if rt::spurious_wakeup() {
        // it takes the token if one is there, or returns without (spurious)
        take_token(loc, at);
        return;
    }
    let then = Then::Rmw {
        op: RmwOp {
            kind: RmwKind::Swap,
            operand: 0,
            width: Width::U64,
        },
        ord: RmwOrd::Acquire,
    };
    crate::sync::raw::await_at(loc, Until::Is(1), then, "an unpark", at);
}

/// Like [`park`], but may also return without a token (the timeout).
#[track_caller]
pub fn park_timeout(_dur: Duration) {
    let at = Location::caller();
    take_token(rt::park_token(current().index, at), at);
}

fn take_token(loc: LocId, at: rt::Loc) -> u64 {
    rt::op(
        Op::Rmw {
            loc,
            op: RmwOp {
                kind: RmwKind::Swap,
                operand: 0,
                width: Width::U64,
            },
            ord: RmwOrd::Acquire,
        },
        at,
    )
    .val()
    .unwrap()
}

/// A key of `thread_local!`: each modelled thread gets its own value, whose
/// destructor runs when the thread finishes.
pub struct LocalKey<T: 'static> {
    #[doc(hidden)]
    pub init: fn() -> T,
    #[doc(hidden)]
    pub _p: PhantomData<fn(T)>,
}

impl<T: 'static> fmt::Debug for LocalKey<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad("LocalKey { .. }")
    }
}

impl<T: 'static> LocalKey<T> {
    pub fn with<F: FnOnce(&T) -> R, R>(&'static self, f: F) -> R {
        self.try_with(f)
            .expect("cannot access a thread-local value during or after destruction")
    }

    pub fn try_with<F: FnOnce(&T) -> R, R>(
        &'static self,
        f: F,
    ) -> std::result::Result<R, AccessError> {
        if !rt::in_model() {
            return Ok(f(&(self.init)()));
        }
        let key = self as *const Self as usize;
        let found = rt::with(|c| {
            let st = c.st.borrow();
            st.threads[st.current]
                .locals
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| &**v as *const dyn std::any::Any)
        });
        let p = match found {
            Some(p) => p,
            None => {
                let v: Box<dyn std::any::Any> = Box::new((self.init)());
                let p = &*v as *const dyn std::any::Any;
                rt::with(|c| {
                    let mut st = c.st.borrow_mut();
                    let cur = st.current;
                    st.threads[cur].locals.push((key, v));
                });
                p
            }
        };
        // SAFETY: the boxed value lives until its thread finishes.
        let v = unsafe { &*p };
        Ok(f(v.downcast_ref::<T>().expect("thread-local type")))
    }
}

/// Declares modelled thread-local values (same syntax as `std`).
#[macro_export]
macro_rules! thread_local {
    () => {};
    ($(#[$attr:meta])* $vis:vis static $name:ident: $t:ty = const { $init:expr }; $($rest:tt)*) => {
        $crate::__thread_local_inner!($(#[$attr])* $vis $name, $t, $init);
        $crate::thread_local!($($rest)*);
    };
    ($(#[$attr:meta])* $vis:vis static $name:ident: $t:ty = const { $init:expr }) => {
        $crate::__thread_local_inner!($(#[$attr])* $vis $name, $t, $init);
    };
    ($(#[$attr:meta])* $vis:vis static $name:ident: $t:ty = $init:expr; $($rest:tt)*) => {
        $crate::__thread_local_inner!($(#[$attr])* $vis $name, $t, $init);
        $crate::thread_local!($($rest)*);
    };
    ($(#[$attr:meta])* $vis:vis static $name:ident: $t:ty = $init:expr) => {
        $crate::__thread_local_inner!($(#[$attr])* $vis $name, $t, $init);
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __thread_local_inner {
    ($(#[$attr:meta])* $vis:vis $name:ident, $t:ty, $init:expr) => {
        $(#[$attr])* $vis static $name: $crate::thread::LocalKey<$t> = $crate::thread::LocalKey {
            init: {
                fn __init() -> $t {
                    $init
                }
                __init
            },
            _p: ::std::marker::PhantomData,
        };
    };
}
