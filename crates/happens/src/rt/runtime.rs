//! [`Runtime`]: the [`Program`] the explorer drives. It owns the coroutines
//! of the current execution and a pool of stacks reused across executions
//! (no `mmap` per thread per execution).

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Once};

use corosensei::stack::DefaultStack;
use corosensei::{Coroutine, CoroutineResult, Yielder};
use happens_engine::{Issue, Made, Op, Program, Reply, ThreadId};

use super::{set_context, CaughtPanic, Context, Known, ThreadState};

type Coro = Coroutine<(Reply, Made), Issue, Op, DefaultStack>;

/// Process-wide execution counter: every execution gets a unique epoch, so
/// objects created outside an execution can tell whether they already have a
/// location in the current one.
static EPOCH: AtomicU64 = AtomicU64::new(1);

/// Default stack size of a modelled thread: 1 MiB, enough for debug builds
/// that format panic messages deep in user code. Only the pages a thread
/// touches are backed, and stacks are reused, so the size costs address
/// space, not memory or time.
pub(crate) const STACK_SIZE: usize = 1024 * 1024;

pub(crate) struct Runtime {
    pub ctx: Box<Context>,
    coros: Vec<Option<Coro>>,
    pool: Vec<DefaultStack>,
    main: Arc<dyn Fn() + Sync + Send>,
    stack_size: usize,
    /// A thread of an execution failed with a panic std aborts for (see
    /// [`install_panic_hook`]): std's count of this OS thread's panics
    /// stays raised (`std::thread::panicking` is true from then on), so
    /// no more executions run on it.
    poisoned: bool,
    /// Why teardown poisoned this OS thread, if it did: a destructor of a
    /// thread left suspended at the end of an execution panicked while
    /// teardown unwound it (a value dropped in a state the program never
    /// drops it in). The exploration cannot go on on this thread.
    pub teardown_abort: Option<String>,
}

impl Runtime {
    /// Whether a thread failed with a panic std aborts for, or is left
    /// suspended while it unwinds: std's count of this OS thread's panics
    /// stays raised, so it must run no more executions (see
    /// [`install_panic_hook`]).
    pub fn poisoned(&self) -> bool {
        self.poisoned || self.ctx.st.borrow().threads.iter().any(|t| t.unwinding)
    }

    /// Sets the keys every execution pre-allocates (see [`super::prealloc`]).
    pub fn set_known(&mut self, known: Known) {
        let mut st = self.ctx.st.borrow_mut();
        st.no_wait = known.no_wait().to_vec();
        st.seeded = known.seeded().to_vec();

        st.known = known;
        st.discovered.clear();
        st.refuted.clear();
    }

    /// Whether an execution used an object that was not pre-allocated, or
    /// refuted a repetition (see `rt::waiting`): the exploration must start
    /// again.
    pub fn discovered_any(&self) -> bool {
        let st = self.ctx.st.borrow();
        !st.discovered.is_empty() || !st.refuted.is_empty()
    }

    /// The known keys and call sites plus those discovered since
    /// [`Runtime::set_known`], if any was discovered: the exploration must
    /// start again with them.
    pub fn needs_restart(&self) -> Option<Known> {
        let st = self.ctx.st.borrow();
        if st.discovered.is_empty() && st.refuted.is_empty() {
            return None;
        }
        let mut k = st.known.clone();
        k.extend(st.discovered.iter().copied());
        k.refute(st.refuted.iter().copied());

        Some(k)
    }

    pub fn new(main: Arc<dyn Fn() + Sync + Send>, stack_size: usize) -> Self {
        install_panic_hook();
        super::trap::install();
        let pool = {
            let mut spare = SPARE_STACKS.lock().unwrap_or_else(|e| e.into_inner());
            let (mine, rest): (Vec<_>, Vec<_>) =
                spare.drain(..).partition(|(n, _)| *n == stack_size);
            *spare = rest;
            mine.into_iter().map(|(_, s)| s).collect()
        };
        Runtime {
            ctx: Box::new(Context::new()),
            coros: Vec::new(),
            pool,
            main,
            stack_size,
            poisoned: false,
            teardown_abort: None,
        }
    }

    fn stack(&mut self) -> DefaultStack {
        self.pool.pop().unwrap_or_else(|| {
            DefaultStack::new(self.stack_size).expect("happens: cannot allocate a coroutine stack")
        })
    }

    fn start(&mut self, t: usize, body: Box<dyn FnOnce()>) {
        let stack = self.stack();
        let ctx: *const Context = &*self.ctx;
        let coro = Coroutine::with_stack(
            stack,
            move |y: &Yielder<(Reply, Made), Issue>, _: (Reply, Made)| {
                // SAFETY: the context outlives every coroutine of the runtime.
                let ctx = unsafe { &*ctx };
                // the thread's local state is the stack below this frame
                let anchor = 0u8;
                let top = std::hint::black_box(&anchor) as *const u8 as usize;
                {
                    let mut st = ctx.st.borrow_mut();
                    st.threads[t].yielder = y;
                    st.threads[t].stack_top = top;
                }
                match catch_unwind(AssertUnwindSafe(body)) {
                    Ok(()) => {
                        // a panic it caught is over
                        ctx.st.borrow_mut().threads[t].unwinding = false;
                        // thread-local destructors run on the thread, and may
                        // issue operations
                        loop {
                            let next = ctx.st.borrow_mut().threads[t].locals.pop();
                            match next {
                                Some(v) => drop(v),
                                None => break,
                            }
                        }
                        Op::Finish
                    }
                    Err(_) if ctx.tearing_down.get() => Op::Finish,
                    Err(payload) => {
                        let mut st = ctx.st.borrow_mut();
                        st.threads[t].unwinding = false;
                        let mut caught = st.threads[t].panic.take().unwrap_or(CaughtPanic {
                            message: String::new(),
                            location: None,
                        });
                        if caught.message.is_empty() {
                            caught.message = payload_message(&*payload);
                        }
                        st.panic = Some((t, caught));
                        Op::Fail
                    }
                }
            },
        );
        while self.coros.len() <= t {
            self.coros.push(None);
        }
        self.coros[t] = Some(coro);
    }

    /// Drops what the execution's threads and `lazy_static!`s left (values
    /// of thread locals of threads that did not finish, statics), outside
    /// the model as a teardown is (atomics act on their own values). A
    /// program never drops its statics, nor the thread locals of a thread
    /// that did not end, so a destructor that panics there is not the
    /// program's failure (a collector asserting its list is empty, whose
    /// entries a thread unwound at teardown removed in the model only), and
    /// must not end the exploration.
    fn drop_leftovers(&mut self) {
        let left = {
            let mut st = self.ctx.st.borrow_mut();
            let left = (
                std::mem::take(&mut st.statics),
                std::mem::take(&mut st.threads),
            );
            // where the panic hook records a panic of these destructors
            st.threads.push(ThreadState::new());
            st.current = 0;
            left
        };
        if left.0.is_empty() && left.1.is_empty() {
            return;
        }
        let prev = set_context(&*self.ctx);
        self.ctx.tearing_down.set(true);
        let dropped = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| drop(left)));
        self.ctx.tearing_down.set(false);
        set_context(prev);
        // a panic there was recorded as that placeholder thread's, which
        // the next execution replaces
        drop(dropped);
    }

    /// Drops the coroutines of the previous execution, keeping their stacks.
    /// A thread left suspended (blocked, waiting in a join, stopped in the
    /// middle of an operation) is unwound from where it stopped, so that
    /// what its frames own is dropped and an exploration's memory does not
    /// grow with its executions. No code of the program runs but
    /// destructors, and they run outside the model: operations act on the
    /// objects' own values (see [`super::Context::tearing_down`]). Children
    /// are unwound before their parents, so a scoped thread's borrows end
    /// before what they borrow.
    fn teardown(&mut self) {
        let prev = set_context(&*self.ctx);
        self.ctx.tearing_down.set(true);
        for t in (0..self.coros.len()).rev() {
            if let Some(mut c) = self.coros[t].take() {
                let (unwinding, abandoned) =
                    self.ctx.st.try_borrow().map_or((false, false), |st| {
                        st.threads
                            .get(t)
                            .map_or((false, false), |th| (th.unwinding, th.abandoned))
                    });
                if abandoned && c.started() && !c.done() {
                    // stopped at a use of freed memory: its frames may own
                    // what is freed already, and unwinding them would free
                    // it again. They leak
                    std::mem::forget(c);
                    continue;
                }
                if unwinding && c.started() && !c.done() {
                    // suspended in a destructor while it unwinds: unwinding
                    // it again would make std abort. What its frames own
                    // leaks, and std's count of this OS thread's panics
                    // stays raised (see `poisoned`)
                    self.poisoned = true;
                    std::mem::forget(c);
                    continue;
                }
                if c.started() && !c.done() {
                    if let Ok(mut st) = self.ctx.st.try_borrow_mut() {
                        st.current = t;
                    }
                    // a destructor that panics while the thread unwinds
                    // makes std abort: the trap ends the thread instead
                    let armed = super::trap::arm(Some(super::trap::Armed {
                        handler: c.trap_handler(),
                        ctx: &*self.ctx,
                        thread: t,
                        stack_size: self.stack_size,
                    }));
                    c.force_unwind();
                    super::trap::arm(armed);
                    if let Ok(st) = self.ctx.st.try_borrow() {
                        if st.poisoned && self.teardown_abort.is_none() {
                            self.teardown_abort = Some(match &st.crash {
                                Some(crate::FailureKind::Panic {
                                    message, location, ..
                                }) => format!(
                                    "{message}{}",
                                    location
                                        .as_ref()
                                        .map_or(String::new(), |l| format!(" at {l}"))
                                ),
                                _ => "std aborted the process".to_string(),
                            });
                        }
                        self.poisoned |= st.poisoned;
                    }
                }
                self.pool.push(c.into_stack());
            }
        }
        self.ctx.tearing_down.set(false);
        set_context(prev);
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        self.teardown();
        self.drop_leftovers();
        // keep the stacks for the next exploration (a test suite runs many)
        let mut spare = SPARE_STACKS.lock().unwrap_or_else(|e| e.into_inner());
        let room = MAX_SPARE_STACKS.saturating_sub(spare.len());
        let size = self.stack_size;
        spare.extend(self.pool.drain(..).take(room).map(|s| (size, s)));
    }
}

/// Stacks left by finished explorations, with their sizes, for the next
/// ones: mapping a coroutine stack is a system call, and a test suite runs
/// many explorations (concurrently, hence the lock).
static SPARE_STACKS: std::sync::Mutex<Vec<(usize, DefaultStack)>> =
    std::sync::Mutex::new(Vec::new());

/// At most this many spare stacks are kept.
const MAX_SPARE_STACKS: usize = 64;

impl Program for Runtime {
    fn reset(&mut self) {
        self.teardown();
        self.drop_leftovers();
        self.ctx.held.release();
        let mut st = self.ctx.st.borrow_mut();
        st.current = 0;
        st.threads.clear();
        st.threads.push(ThreadState::new());
        st.panic = None;
        st.crash = None;
        st.poisoned = false;
        st.locs.clear();
        st.owners.clear();
        st.tracked.clear();
        st.statics.clear();
        st.bound.clear();
        st.dropped_at.clear();
        st.in_static_init = false;
        st.epoch = EPOCH.fetch_add(1, Ordering::Relaxed);
    }

    fn step(&mut self, t: ThreadId, reply: Reply, made: Made) -> Issue {
        let ti = t.index();
        if ti == 0 && reply == Reply::Start {
            let main = self.main.clone();
            self.start(
                0,
                Box::new(move || {
                    super::preallocate();
                    main()
                }),
            );
        }
        let prev = set_context(&*self.ctx);
        {
            let mut st = self.ctx.st.borrow_mut();
            if let Reply::Spawned(child) = reply {
                let (body, name) = st.threads[ti]
                    .pending_spawn
                    .take()
                    .expect("happens: Spawned without a pending spawn");
                let ci = child.index();
                while st.threads.len() <= ci {
                    st.threads.push(ThreadState::new());
                }
                st.threads[ci] = ThreadState::new();
                st.threads[ci].name = name;
                drop(st);
                self.start(ci, body);
                st = self.ctx.st.borrow_mut();
            }
            st.current = ti;
            if reply == Reply::Start {
                // its `Start` event, if the engine made one
                let sigs = &mut st.threads[ti].sigs;
                sigs.extend((0..made.events).map(|_| super::Sig::START));
            }
        }
        let coro = self.coros[ti]
            .as_mut()
            .expect("happens: stepping a thread without a coroutine");
        let armed = super::trap::arm(Some(super::trap::Armed {
            handler: coro.trap_handler(),
            ctx: &*self.ctx,
            thread: ti,
            stack_size: self.stack_size,
        }));
        let res = coro.resume((reply, made));
        super::trap::arm(armed);
        set_context(prev);
        match res {
            CoroutineResult::Yield(issue) => issue,
            CoroutineResult::Return(op) => {
                let c = self.coros[ti].take().unwrap();
                self.pool.push(c.into_stack());
                let mut st = self.ctx.st.borrow_mut();
                self.poisoned |= st.poisoned;
                super::record_end(&mut st, ti, op);
                op.into()
            }
        }
    }
}

fn payload_message(p: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "Box<dyn Any>".to_string()
    }
}

/// Inside a modelled thread, a panic is recorded (message and location) and
/// not printed; elsewhere the previous hook runs.
fn install_panic_hook() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let prev = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let recorded = super::try_with(|ctx| {
                let Ok(mut st) = ctx.st.try_borrow_mut() else {
                    return false;
                };
                let cur = st.current;
                let message = payload_message(info.payload());
                let location = info.location().map(crate::report::PanicLocation::of);
                if aborts(&message) {
                    // std aborts the process when this hook returns: the
                    // abort's SIGABRT fails the thread instead (`trap`)
                    st.crash = Some(nested_panic(&mut st, cur));
                    st.poisoned = true;
                    return true;
                }
                let th = &mut st.threads[cur];
                th.prior_panic = th.panic.take();
                th.panic = Some(CaughtPanic { message, location });
                th.unwinding = true;
                true
            })
            .unwrap_or(false);
            if !recorded {
                prev(info);
            }
        }));
    });
}

/// Whether std aborts the process after the panic hook for a panic with
/// this message: a panic that unwound out of a destructor while its
/// thread was already unwinding, or out of a function that cannot unwind.
fn aborts(message: &str) -> bool {
    message.starts_with("panic in a destructor during cleanup")
        || message.starts_with("panic in a function that cannot unwind")
}

/// The failure of thread `t`, whose destructor panicked while it unwound
/// from an earlier panic: both panics, with their locations.
fn nested_panic(st: &mut super::State, t: usize) -> crate::FailureKind {
    let th = &mut st.threads[t];
    let (second, first) = (th.panic.take(), th.prior_panic.take());
    let at = |p: &CaughtPanic| {
        p.location
            .as_ref()
            .map(|l| format!(" at {l}"))
            .unwrap_or_default()
    };
    let message = match (&second, &first) {
        (Some(s), Some(f)) => format!(
            "{} (a panic while unwinding from the panic{}: {}; std aborts the process here)",
            s.message,
            at(f),
            f.message
        ),
        (Some(s), None) => format!(
            "{} (a panic that cannot unwind; std aborts the process here)",
            s.message
        ),
        _ => "a panic that cannot unwind (std aborts the process here)".to_string(),
    };
    crate::FailureKind::Panic {
        message,
        thread: t,
        location: second.and_then(|s| s.location),
    }
}
