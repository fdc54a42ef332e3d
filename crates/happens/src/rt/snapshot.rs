//! A thread's whole local state at an operation, as one hash: what the
//! waiting rule compares to tell a round that repeats an earlier one from a
//! round that only looks like it.
//!
//! A modelled thread is a coroutine with a stack of its own. When it calls
//! into the runtime, everything it will do next is decided by its registers,
//! its stack and the memory it reaches (shared memory, which the engine
//! models, and heap memory of its own, which nobody models). Registers are
//! of two kinds at a call: the caller-saved ones hold nothing the caller
//! needs afterwards (the ABI lets the callee destroy them), and the
//! callee-saved ones (x86-64: `rbx`, `rbp`, `r12`–`r15`; AArch64: `x19`–`x30`
//! and the low halves of `v8`–`v15`) may hold the caller's locals, a loop
//! counter, an iterator's pointer. So the state at a call is the
//! callee-saved registers plus the stack from the caller's stack pointer up
//! to the thread's first frame.
//!
//! [`call`] captures exactly that. Its entry is a few instructions of
//! assembly that store the callee-saved registers and the caller's stack
//! pointer into a buffer before any Rust code of the runtime runs, then jump
//! (not call) to the runtime, which returns straight to the caller. The
//! runtime then hashes the buffer and the stack words above the caller's
//! stack pointer ([`hash`]): two calls with equal hashes were made in the
//! same register and stack state.
//!
//! What the hash does not see is heap memory the thread reaches through a
//! pointer (a counter in a `Box`): the waiting rule checks that separately,
//! by watching that a round it took for a repetition does repeat
//! (`rt::waiting`). Stack slots the compiled code no longer uses are seen:
//! two rounds that differ only there are taken as different (one round more
//! is explored, never one less).
//!
//! On targets without an entry here (anything but x86-64 System V and
//! AArch64) no state is captured, no round counts as a repetition, and
//! every loop is explored round by round up to `max_branches`.

use std::mem::MaybeUninit;

/// Callee-saved registers and the caller's stack pointer ([`SP`]).
pub(crate) type Regs = [usize; REGS];

#[cfg(all(target_arch = "x86_64", not(windows)))]
const REGS: usize = 7;
#[cfg(all(target_arch = "x86_64", not(windows)))]
const SP: usize = 6;

/// Bytes below the caller's stack pointer holding the return address of
/// its call (x86-64 pushes it; on AArch64 it is in `x30`, captured).
#[cfg(all(target_arch = "x86_64", not(windows)))]
const RET: usize = 8;
#[cfg(not(all(target_arch = "x86_64", not(windows))))]
const RET: usize = 0;

#[cfg(target_arch = "aarch64")]
const REGS: usize = 21;
#[cfg(target_arch = "aarch64")]
const SP: usize = 20;

#[cfg(not(any(all(target_arch = "x86_64", not(windows)), target_arch = "aarch64")))]
const REGS: usize = 1;
#[cfg(not(any(all(target_arch = "x86_64", not(windows)), target_arch = "aarch64")))]
const SP: usize = 0;

/// The function [`call`] runs with the captured registers.
pub(crate) type Entry = unsafe extern "C-unwind" fn(*mut u8, *const Regs);

// The entry: arguments `(data, regs, f)`; stores the callee-saved registers
// and the stack pointer the caller had before its call into `*regs`, then
// tail-jumps to `f(data, regs)`, so `f` returns to the caller and the
// entry leaves no frame (an unwinding `f` unwinds into the caller).
#[cfg(all(target_arch = "x86_64", not(windows)))]
std::arch::global_asm!(
    ".text",
    ".p2align 4",
    ".globl happens_rt_capture_call_v1",
    ".globl _happens_rt_capture_call_v1",
    "happens_rt_capture_call_v1:",
    "_happens_rt_capture_call_v1:",
    "mov [rsi], rbx",
    "mov [rsi + 8], rbp",
    "mov [rsi + 16], r12",
    "mov [rsi + 24], r13",
    "mov [rsi + 32], r14",
    "mov [rsi + 40], r15",
    "lea rax, [rsp + 8]",
    "mov [rsi + 48], rax",
    "jmp rdx",
);

#[cfg(target_arch = "aarch64")]
std::arch::global_asm!(
    ".text",
    ".p2align 2",
    ".globl happens_rt_capture_call_v1",
    ".globl _happens_rt_capture_call_v1",
    "happens_rt_capture_call_v1:",
    "_happens_rt_capture_call_v1:",
    "stp x19, x20, [x1]",
    "stp x21, x22, [x1, #16]",
    "stp x23, x24, [x1, #32]",
    "stp x25, x26, [x1, #48]",
    "stp x27, x28, [x1, #64]",
    "stp x29, x30, [x1, #80]",
    "stp d8, d9, [x1, #96]",
    "stp d10, d11, [x1, #112]",
    "stp d12, d13, [x1, #128]",
    "stp d14, d15, [x1, #144]",
    "mov x9, sp",
    "str x9, [x1, #160]",
    "br x2",
);

#[cfg(any(all(target_arch = "x86_64", not(windows)), target_arch = "aarch64"))]
extern "C-unwind" {
    fn happens_rt_capture_call_v1(data: *mut u8, regs: *mut Regs, f: Entry);
}

/// Runs `f(data, regs)` with `regs` holding the callee-saved registers and
/// stack pointer of the code that called `call` (which must be inlined
/// into the operation's caller for those to be the caller's).
///
/// # Safety
///
/// `f` must be safe to call with `data`.
#[inline(always)]
pub(crate) unsafe fn call(data: *mut u8, f: Entry) {
    let mut regs = MaybeUninit::<Regs>::zeroed();
    #[cfg(any(all(target_arch = "x86_64", not(windows)), target_arch = "aarch64"))]
    happens_rt_capture_call_v1(data, regs.as_mut_ptr(), f);
    #[cfg(not(any(all(target_arch = "x86_64", not(windows)), target_arch = "aarch64")))]
    f(data, regs.as_ptr());
}

/// The hash of the state `regs` captured: the registers and the stack
/// words from the caller's stack pointer up to `top` (the thread's first
/// frame), leaving out the words in `skip` (the operation's own arguments,
/// which the caller compares itself). `None` when nothing was captured
/// (see the module docs).
///
/// # Safety
///
/// `regs` must come from [`call`] on the current thread's stack, whose
/// frames from the captured stack pointer up to `top` are live.
pub(crate) unsafe fn hash(regs: &Regs, top: usize, skip: std::ops::Range<usize>) -> Option<u64> {
    // the buffer the registers were captured into is on the stack too
    let own = regs.as_ptr() as usize..regs.as_ptr() as usize + std::mem::size_of::<Regs>();
    let sp = regs[SP];
    if sp == 0 || top <= sp || top - sp > MAX_STACK {
        return None;
    }
    let mut h = Fold::default();
    for (i, &r) in regs.iter().enumerate() {
        if i != SP {
            h.add(r as u64);
        }
    }
    // the words are read as the machine holds them: some are stack slots
    // the compiled code no longer uses, which is conservative (see the
    // module docs), and volatile reads keep the compiler from reasoning
    // about their contents
    // from the return address of the call into the runtime: where in the
    // code the thread is (two copies of a loop's code, such as the one a
    // compiler peels off for the first round, are not the same place)
    let mut p = (sp - RET) as *const u64;
    let end = (top & !7) as *const u64;
    while p < end {
        if !skip.contains(&(p as usize)) && !own.contains(&(p as usize)) {
            h.add(std::ptr::read_volatile(p));
        }
        p = p.add(1);
    }
    Some(h.finish())
}

/// Stacks deeper than this are not hashed (the state is then not
/// captured): a waiting loop is not 4 MiB deep.
const MAX_STACK: usize = 4 << 20;

/// A 64-bit fold (rotate, xor, multiply by an odd constant). Each step is
/// a bijection of the running value for a fixed word and of the word for a
/// fixed running value, so two states that differ in one word (a counter)
/// never hash alike; states that differ in several collide with
/// probability about 2^-64.
#[derive(Default)]
struct Fold(u64);

impl Fold {
    #[inline(always)]
    fn add(&mut self, w: u64) {
        self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    fn finish(&self) -> u64 {
        let h = self.0 ^ (self.0 >> 29);
        h.max(1)
    }
}
