//! loom 0.7's public API, by path, through the facade
//! (/work/shared/reference/loom-api.md is the inventory this follows): this
//! file compiles only if every item is there with loom's signature. The
//! items happens lacks are listed in the crate docs, not here.

#![allow(dead_code, clippy::all)]

use std::time::Duration;

// The crate root.
const _: usize = loom::MAX_THREADS;
const _: fn() = loom::explore;
const _: fn() = loom::stop_exploring;
const _: fn() = loom::skip_branch;

fn model_fns() {
    let _: fn(fn()) = |f| loom::model(f);
    let _: fn(fn()) = |f| loom::model::model(f);
    let mut b: loom::model::Builder = loom::model::Builder::new();
    let _: loom::model::Builder = Default::default();
    let _: usize = b.max_threads;
    let _: usize = b.max_branches;
    let _: Option<usize> = b.max_permutations;
    let _: Option<Duration> = b.max_duration;
    let _: Option<usize> = b.preemption_bound;
    let _: Option<std::path::PathBuf> = b.checkpoint_file.clone();
    let _: usize = b.checkpoint_interval;
    let _: bool = b.expect_explicit_explore;
    let _: bool = b.location;
    let _: bool = b.log;
    let _: &mut loom::model::Builder = b.checkpoint_file("file");
    b.check(|| {});
    println!("{b:?}");
}

fn atomics() {
    use loom::sync::atomic::*;
    let o: Ordering = Ordering::SeqCst;
    fence(o);
    spin_loop_hint();

    macro_rules! int {
        ($($A:ident $t:ty),*) => {$({
            let mut a: $A = $A::new(1 as $t);
            let _: $A = Default::default();
            let _: $A = <$A>::from(1 as $t);
            let _: () = a.with_mut(|v: &mut $t| *v = 2);
            let _: $t = unsafe { a.unsync_load() };
            let _: $t = a.load(o);
            a.store(1, o);
            let _: $t = a.swap(1, o);
            #[allow(deprecated)]
            let _: $t = a.compare_and_swap(1, 2, o);
            let _: Result<$t, $t> = a.compare_exchange(1, 2, o, o);
            let _: Result<$t, $t> = a.compare_exchange_weak(1, 2, o, o);
            let _: $t = a.fetch_add(1, o);
            let _: $t = a.fetch_sub(1, o);
            let _: $t = a.fetch_and(1, o);
            let _: $t = a.fetch_nand(1, o);
            let _: $t = a.fetch_or(1, o);
            let _: $t = a.fetch_xor(1, o);
            let _: $t = a.fetch_max(1, o);
            let _: $t = a.fetch_min(1, o);
            let _: Result<$t, $t> = a.fetch_update(o, o, |v| Some(v));
            println!("{a:?}");
            let _: $t = a.into_inner();
        })*};
    }
    int!(AtomicU8 u8, AtomicU16 u16, AtomicU32 u32, AtomicU64 u64, AtomicUsize usize,
         AtomicI8 i8, AtomicI16 i16, AtomicI32 i32, AtomicI64 i64, AtomicIsize isize);

    let b = AtomicBool::new(false);
    let _: AtomicBool = Default::default();
    let _: AtomicBool = From::from(true);
    let _: bool = unsafe { b.unsync_load() };
    let _: bool = b.load(o);
    b.store(true, o);
    let _: bool = b.swap(true, o);
    #[allow(deprecated)]
    let _: bool = b.compare_and_swap(true, false, o);
    let _: Result<bool, bool> = b.compare_exchange(true, false, o, o);
    let _: Result<bool, bool> = b.compare_exchange_weak(true, false, o, o);
    let _: bool = b.fetch_and(true, o);
    let _: bool = b.fetch_nand(true, o);
    let _: bool = b.fetch_or(true, o);
    let _: bool = b.fetch_xor(true, o);
    let _: Result<bool, bool> = b.fetch_update(o, o, |v| Some(!v));
    println!("{b:?}");
    let _: bool = b.into_inner();

    let mut p: AtomicPtr<u8> = AtomicPtr::new(std::ptr::null_mut());
    let _: AtomicPtr<u8> = Default::default();
    let _: AtomicPtr<u8> = From::from(std::ptr::null_mut());
    let _: *mut u8 = unsafe { p.unsync_load() };
    p.with_mut(|v: &mut *mut u8| *v = std::ptr::null_mut());
    let _: *mut u8 = p.load(o);
    p.store(std::ptr::null_mut(), o);
    let _: *mut u8 = p.swap(std::ptr::null_mut(), o);
    #[allow(deprecated)]
    let _: *mut u8 = p.compare_and_swap(std::ptr::null_mut(), std::ptr::null_mut(), o);
    let _: Result<*mut u8, *mut u8> =
        p.compare_exchange(std::ptr::null_mut(), std::ptr::null_mut(), o, o);
    let _: Result<*mut u8, *mut u8> =
        p.compare_exchange_weak(std::ptr::null_mut(), std::ptr::null_mut(), o, o);
    let _: Result<*mut u8, *mut u8> = p.fetch_update(o, o, Some);
    println!("{p:?}");
    let _: *mut u8 = p.into_inner();
}

struct NotDebug;

fn sync() {
    use loom::sync::*;
    use std::sync::{LockResult as StdLockResult, TryLockResult as StdTryLockResult};

    // Arc
    let a: Arc<i32> = Arc::new(1);
    let _: std::pin::Pin<Arc<i32>> = Arc::pin(1);
    let _: Result<i32, Arc<i32>> = Arc::try_unwrap(a.clone());
    let _: usize = Arc::strong_count(&a);
    let mut a2 = a.clone();
    let _: Option<&mut i32> = Arc::get_mut(&mut a2);
    let _: bool = Arc::ptr_eq(&a, &a2);
    let raw: *const i32 = Arc::into_raw(a2);
    let _: *const i32 = Arc::as_ptr(&a);
    unsafe {
        Arc::increment_strong_count(raw);
        Arc::decrement_strong_count(raw);
        let _: Arc<i32> = Arc::from_raw(raw);
    }
    let _: &i32 = &a;
    let _: Arc<i32> = Default::default();
    let _: Arc<i32> = From::from(1);
    let _: &i32 = AsRef::as_ref(&a);
    let _: &i32 = std::borrow::Borrow::borrow(&a);
    println!("{a:?}");

    // Mutex
    let mut m: Mutex<i32> = Mutex::new(1);
    let _: Mutex<i32> = Default::default();
    let _: Mutex<i32> = From::from(1);
    {
        let mut g: MutexGuard<'_, i32> = m.lock().unwrap();
        *g += 1;
        println!("{g:?}");
    }
    let _: StdLockResult<MutexGuard<'_, i32>> = m.lock();
    let _: StdTryLockResult<MutexGuard<'_, i32>> = m.try_lock();
    let _: LockResult<&mut i32> = m.get_mut();
    println!("{m:?}");
    let _: LockResult<i32> = m.into_inner();
    let _: &Mutex<[u8]> = &Mutex::new([0u8; 1]);

    // RwLock
    let mut l: RwLock<i32> = RwLock::new(1);
    let _: RwLock<i32> = Default::default();
    let _: RwLock<i32> = From::from(1);
    {
        let r: RwLockReadGuard<'_, i32> = l.read().unwrap();
        println!("{r:?} {}", *r);
    }
    let _: TryLockResult<RwLockReadGuard<'_, i32>> = l.try_read();
    {
        let mut w: RwLockWriteGuard<'_, i32> = l.write().unwrap();
        *w += 1;
        println!("{w:?}");
    }
    let _: TryLockResult<RwLockWriteGuard<'_, i32>> = l.try_write();
    let _: LockResult<&mut i32> = l.get_mut();
    let _: LockResult<i32> = l.into_inner();
    let _: &RwLock<[u8]> = &RwLock::new([0u8; 1]);

    // Condvar
    let c: Condvar = Condvar::new();
    let _: Condvar = Default::default();
    let m = Mutex::new(0);
    let g = c.wait(m.lock().unwrap()).unwrap();
    let (_g, t): (MutexGuard<'_, i32>, WaitTimeoutResult) =
        c.wait_timeout(g, Duration::from_secs(1)).unwrap();
    let _: bool = t.timed_out();
    c.notify_one();
    c.notify_all();
    println!("{c:?}");

    // Barrier (loom's `wait` returns `std::sync::BarrierWaitResult`; see
    // the crate docs)
    let b: Barrier = Barrier::new(1);
    let _ = b.wait();

    // Notify
    let n: Notify = Notify::new();
    let _: Notify = Default::default();
    n.notify();
    n.wait();
    println!("{n:?}");

    // mpsc
    let (tx, rx): (mpsc::Sender<i32>, mpsc::Receiver<i32>) = mpsc::channel();
    let _: Result<(), std::sync::mpsc::SendError<i32>> = tx.send(1);
    let _: mpsc::Sender<i32> = tx.clone();
    println!("{tx:?}");
    let _: Result<i32, std::sync::mpsc::RecvError> = rx.recv();
    let _: Result<i32, std::sync::mpsc::TryRecvError> = rx.try_recv();
    let _: Result<i32, std::sync::mpsc::RecvTimeoutError> = rx.recv_timeout(Duration::ZERO);
}

fn cell() {
    use loom::cell::*;
    let c: UnsafeCell<i32> = UnsafeCell::new(1);
    let _: UnsafeCell<i32> = Default::default();
    let _: UnsafeCell<i32> = From::from(1);
    let _: i32 = c.with(|p: *const i32| unsafe { *p });
    c.with_mut(|p: *mut i32| unsafe { *p = 2 });
    {
        let p: ConstPtr<i32> = c.get();
        let _: &i32 = unsafe { p.deref() };
        let _: i32 = p.with(|p: *const i32| unsafe { *p });
        println!("{p:?}");
    }
    {
        let p: MutPtr<i32> = c.get_mut();
        let _: &mut i32 = unsafe { p.deref() };
        p.with(|p: *mut i32| unsafe { *p = 3 });
        println!("{p:?}");
    }
    println!("{c:?}");
    let _: i32 = c.into_inner();
    let _: &UnsafeCell<[u8]> = &UnsafeCell::new([0u8; 1]);

    let c: Cell<i32> = Cell::new(1);
    c.set(2);
    c.swap(&Cell::new(3));
    let _: i32 = c.replace(4);
    let _: i32 = c.get();
    let _: i32 = c.take();
    let _: Cell<i32> = Default::default();
    let _: Cell<i32> = c.clone();
    let _: Cell<i32> = From::from(1);
    let _: bool = c == c.clone() && c <= c.clone();
    let _ = c.cmp(&c.clone());
    println!("{c:?}");
    let _: i32 = c.into_inner();
}

loom::thread_local! {
    static A: std::cell::Cell<u32> = std::cell::Cell::new(0);
    #[allow(unused)]
    pub static B: u32 = 1;
}

loom::lazy_static! {
    static ref L: u32 = 1;
    pub static ref M: u32 = 2;
    pub(crate) static ref N: u32 = 3;
}

fn thread() {
    use loom::thread::*;
    let h: JoinHandle<i32> = spawn(|| 1);
    let _: &Thread = h.thread();
    println!("{h:?}");
    let _: std::thread::Result<i32> = h.join();
    let t: Thread = current();
    let _: ThreadId = t.id();
    let _: Option<&str> = t.name();
    t.unpark();
    println!("{t:?} {:?}", t.id());
    park();
    yield_now();
    let _: bool = panicking();
    let b: Builder = Builder::new().name("x".to_string()).stack_size(1 << 16);
    println!("{b:?}");
    let _: std::io::Result<JoinHandle<i32>> = b.spawn(|| 1);
    let _: u32 = A.with(|a| a.get());
    let _: Result<u32, AccessError> = A.try_with(|a| a.get());
    let _: &'static LocalKey<std::cell::Cell<u32>> = &A;
    println!("{A:?}");
    let _: u32 = *L + *M + *N;
}

fn hint() {
    loom::hint::spin_loop();
    let _: unsafe fn() -> ! = loom::hint::unreachable_unchecked;
}

fn lazy_static_module() {
    use loom::lazy_static::*;
    let _: fn() = yield_now;
    let _: fn() -> bool = panicking;
    let _: Option<AccessError> = None;
    static LAZY: Lazy<u32> = Lazy {
        init: || 1,
        _p: std::marker::PhantomData,
    };
    let _: &'static u32 = LAZY.get();
    println!("{LAZY:?}");
}

fn alloc() {
    use loom::alloc::*;
    let layout: Layout = Layout::new::<u64>();
    unsafe {
        let p: *mut u8 = alloc(layout);
        dealloc(p, layout);
        let p: *mut u8 = alloc_zeroed(layout);
        dealloc(p, layout);
    }
    let mut t: Track<i32> = Track::new(1);
    let _: &i32 = t.get_ref();
    let _: &mut i32 = t.get_mut();
    println!("{t:?}");
    let _: i32 = t.into_inner();
}

#[cfg(feature = "futures")]
fn future() {
    use loom::future::*;
    let _: i32 = block_on(async { 1 });
    let w: AtomicWaker = AtomicWaker::new();
    let _: AtomicWaker = Default::default();
    let waker: std::task::Waker = std::task::Waker::noop().clone();
    w.register(waker.clone());
    w.register_by_ref(&waker);
    w.wake();
    let _: Option<std::task::Waker> = w.take_waker();
    println!("{w:?}");
}

#[test]
fn the_macros_and_a_model_run_through_the_facade() {
    use loom::sync::atomic::{AtomicUsize, Ordering::SeqCst};
    use loom::sync::Arc;
    loom::model(|| {
        let n = Arc::new(AtomicUsize::new(0));
        let n2 = n.clone();
        let t = loom::thread::spawn(move || {
            A.with(|a| a.set(a.get() + 1));
            n2.fetch_add(*L as usize, SeqCst)
        });
        n.fetch_add(1, SeqCst);
        t.join().unwrap();
        assert_eq!(n.load(SeqCst), 2);
        assert_eq!(A.with(|a| a.get()), 0);
    });
}
