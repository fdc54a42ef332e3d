//! A modelled thread that overflows its stack, or touches memory it may
//! not, fails; the process lives on.
//!
//! Each modelled thread runs on a coroutine stack with a guard page below
//! it (`corosensei`'s `DefaultStack`). A thread that recurses too deeply
//! touches the guard page and the kernel sends `SIGSEGV` (`SIGBUS` on some
//! systems). std's handler would print "has overflowed its stack" and
//! abort the whole test binary. Ours, installed once per process and
//! chaining to the previous handler for every fault that is not ours,
//! looks at the thread-local [`Armed`] record the runtime sets while it
//! resumes a coroutine: when the faulting stack pointer lies in that
//! coroutine's stack, it makes the coroutine return at once, on a fresh
//! stack, into [`trapped`], which records the failure
//! ([`FailureKind::StackOverflow`], or [`FailureKind::InvalidAccess`] for
//! a fault away from the stack pointer) with the thread's last
//! operation's call site; the thread fails, and the execution is reported
//! like any other failure, with its trace and replay key.
//!
//! The signal handler runs on the OS thread's alternate signal stack
//! (std gives one to the threads it starts; [`arm`] gives one to a thread
//! that has none), reads only the thread-local record, and writes only the
//! interrupted register context.
//!
//! What this does not do: frames abandoned on the overflowing stack are
//! not dropped (what they own leaks, once, in a failing execution); a
//! fault while the runtime's own state is borrowed (an overflow inside an
//! operation's bookkeeping) cannot be recorded, and aborts with a message.
//! Only Linux on x86-64 and AArch64 is covered; elsewhere an overflow
//! kills the process as it does without happens.

use happens_engine::Op;

use super::Context;
use crate::FailureKind;

/// What the fault handler needs to send a coroutine back to the runtime.
#[derive(Clone, Copy)]
pub(crate) struct Armed {
    pub handler: corosensei::trap::CoroutineTrapHandler<Op>,
    pub ctx: *const Context,
    pub thread: usize,
    pub stack_size: usize,
}

thread_local! {
    static ARMED: std::cell::Cell<Option<Armed>> = const { std::cell::Cell::new(None) };
}

/// Installs the handler (once per process) and gives this OS thread an
/// alternate signal stack if it has none: once per runtime, on the OS
/// thread that resumes its coroutines.
pub(crate) fn install() {
    imp::install();
}

/// Arms the handler for the coroutine about to be resumed on this OS
/// thread; returns what was armed before (explorations may nest). On the
/// hot path: one thread-local write.
pub(crate) fn arm(a: Option<Armed>) -> Option<Armed> {
    ARMED.with(|c| c.replace(a))
}

/// How a trapped thread failed.
#[derive(Clone, Copy, Debug)]
enum Fault {
    Overflow,
    Access(usize),
    /// `SIGABRT`: `std::process::abort`, or std aborting after a panic
    /// that cannot unwind (the panic hook recorded that one already).
    Abort,
}

/// Runs on the trapped coroutine's reset stack, outside the signal
/// handler: records the failure as thread `t`'s panic.
fn trapped(a: Armed, fault: Fault) -> Op {
    // SAFETY: the context outlives every coroutine of its runtime, and the
    // runtime is resuming this one
    let ctx = unsafe { &*a.ctx };
    let Ok(mut st) = ctx.st.try_borrow_mut() else {
        arm(None);
        eprintln!(
            "happens: thread {} faulted ({fault:?}) inside the runtime's bookkeeping; aborting",
            a.thread
        );
        std::process::abort();
    };
    let last_at = st
        .threads
        .get(a.thread)
        .and_then(super::ThreadState::last_at);
    if st.crash.is_some() {
        // the panic hook recorded why std aborted
        return Op::Fail;
    }
    st.crash = Some(match fault {
        Fault::Overflow => FailureKind::StackOverflow {
            thread: a.thread,
            stack_size: a.stack_size,
            last_at,
        },
        Fault::Access(address) => FailureKind::InvalidAccess {
            thread: a.thread,
            address,
            last_at,
        },
        Fault::Abort => FailureKind::Panic {
            message: "aborted the process (`std::process::abort`)".to_string(),
            thread: a.thread,
            location: last_at.map(crate::report::PanicLocation::of),
        },
    });
    Op::Fail
}

#[cfg(all(
    target_os = "linux",
    any(target_arch = "x86_64", target_arch = "aarch64")
))]
mod imp {
    use std::mem::MaybeUninit;
    use std::sync::Once;
    use std::sync::OnceLock;

    use super::{trapped, Fault, ARMED};

    /// The handlers that were installed before ours, for faults that are
    /// not a modelled thread's.
    static PREVIOUS: OnceLock<[libc::sigaction; 3]> = OnceLock::new();

    const SIGNALS: [libc::c_int; 3] = [libc::SIGSEGV, libc::SIGBUS, libc::SIGABRT];

    /// Size of the alternate signal stack given to a thread without one.
    const ALT_STACK: usize = 64 * 1024;

    thread_local! {
        static ALT: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    }

    pub(super) fn install() {
        static ONCE: Once = Once::new();
        ONCE.call_once(|| unsafe {
            let mut prev: [libc::sigaction; 3] = MaybeUninit::zeroed().assume_init();
            let mut act: libc::sigaction = MaybeUninit::zeroed().assume_init();
            act.sa_sigaction = on_fault as *const () as usize;
            act.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK;
            libc::sigemptyset(&mut act.sa_mask);
            for (i, &s) in SIGNALS.iter().enumerate() {
                libc::sigaction(s, std::ptr::null(), &mut prev[i]);
            }
            let _ = PREVIOUS.set(prev);
            for &s in &SIGNALS {
                libc::sigaction(s, &act, std::ptr::null_mut());
            }
        });
        if !ALT.get() {
            ALT.set(true);
            unsafe { ensure_alt_stack() };
        }
    }

    /// Gives this OS thread an alternate signal stack if it has none (the
    /// memory is kept for the thread's life: one per thread at most).
    unsafe fn ensure_alt_stack() {
        let mut old: libc::stack_t = MaybeUninit::zeroed().assume_init();
        libc::sigaltstack(std::ptr::null(), &mut old);
        if old.ss_flags & libc::SS_DISABLE == 0 {
            return;
        }
        let mem = Box::leak(vec![0u8; ALT_STACK].into_boxed_slice());
        let st = libc::stack_t {
            ss_sp: mem.as_mut_ptr().cast(),
            ss_flags: 0,
            ss_size: ALT_STACK,
        };
        libc::sigaltstack(&st, std::ptr::null_mut());
    }

    unsafe extern "C" fn on_fault(
        sig: libc::c_int,
        info: *mut libc::siginfo_t,
        uctx: *mut libc::c_void,
    ) {
        let armed = ARMED.try_with(|a| a.get()).ok().flatten();
        let uc = &mut *(uctx as *mut libc::ucontext_t);
        let sp = stack_pointer(uc);
        if let Some(a) = armed.filter(|a| a.handler.stack_ptr_in_bounds(sp)) {
            let addr = (*info).si_addr() as usize;
            // a fault within a few pages of the stack pointer is the guard
            // page below it: the stack is used up
            let fault = if sig == libc::SIGABRT {
                Fault::Abort
            } else if addr.abs_diff(sp) < 64 * 1024 {
                Fault::Overflow
            } else {
                Fault::Access(addr)
            };
            let regs = a.handler.setup_trap_handler(move || trapped(a, fault));
            set_regs(uc, regs);
            return;
        }
        chain(sig, info, uctx);
    }

    /// Passes a fault that is not a modelled thread's to the handler that
    /// was there before ours (std's prints its stack overflow message), or
    /// restores the default action, so the fault kills the process as it
    /// would have.
    unsafe fn chain(sig: libc::c_int, info: *mut libc::siginfo_t, uctx: *mut libc::c_void) {
        let i = SIGNALS.iter().position(|&s| s == sig).unwrap_or(0);
        let prev = PREVIOUS.get().map(|p| p[i]);
        match prev {
            Some(p) if p.sa_sigaction != libc::SIG_DFL && p.sa_sigaction != libc::SIG_IGN => {
                if p.sa_flags & libc::SA_SIGINFO != 0 {
                    let f: unsafe extern "C" fn(
                        libc::c_int,
                        *mut libc::siginfo_t,
                        *mut libc::c_void,
                    ) = std::mem::transmute(p.sa_sigaction);
                    f(sig, info, uctx);
                } else {
                    let f: unsafe extern "C" fn(libc::c_int) = std::mem::transmute(p.sa_sigaction);
                    f(sig);
                }
            }
            _ => {
                let mut dfl: libc::sigaction = MaybeUninit::zeroed().assume_init();
                dfl.sa_sigaction = libc::SIG_DFL;
                libc::sigaction(sig, &dfl, std::ptr::null_mut());
            }
        }
    }

    #[cfg(target_arch = "x86_64")]
    unsafe fn stack_pointer(uc: &libc::ucontext_t) -> usize {
        uc.uc_mcontext.gregs[libc::REG_RSP as usize] as usize
    }

    #[cfg(target_arch = "x86_64")]
    unsafe fn set_regs(uc: &mut libc::ucontext_t, regs: corosensei::trap::TrapHandlerRegs) {
        let corosensei::trap::TrapHandlerRegs {
            rip,
            rsp,
            rbp,
            rdi,
            rsi,
        } = regs;
        let g = &mut uc.uc_mcontext.gregs;
        g[libc::REG_RIP as usize] = rip as i64;
        g[libc::REG_RSP as usize] = rsp as i64;
        g[libc::REG_RBP as usize] = rbp as i64;
        g[libc::REG_RDI as usize] = rdi as i64;
        g[libc::REG_RSI as usize] = rsi as i64;
    }

    #[cfg(target_arch = "aarch64")]
    unsafe fn stack_pointer(uc: &libc::ucontext_t) -> usize {
        uc.uc_mcontext.sp as usize
    }

    #[cfg(target_arch = "aarch64")]
    unsafe fn set_regs(uc: &mut libc::ucontext_t, regs: corosensei::trap::TrapHandlerRegs) {
        let corosensei::trap::TrapHandlerRegs {
            pc,
            sp,
            x0,
            x1,
            x29,
            lr,
        } = regs;
        uc.uc_mcontext.pc = pc;
        uc.uc_mcontext.sp = sp;
        uc.uc_mcontext.regs[0] = x0;
        uc.uc_mcontext.regs[1] = x1;
        uc.uc_mcontext.regs[29] = x29;
        uc.uc_mcontext.regs[30] = lr;
    }
}

#[cfg(not(all(
    target_os = "linux",
    any(target_arch = "x86_64", target_arch = "aarch64")
)))]
mod imp {
    pub(super) fn install() {}
}
