//! The interpreter: the AST compiled to a small stack machine per thread,
//! run as a [`happens_engine::Program`].
//!
//! Thread 0 of the engine is the test's main thread: it allocates every
//! location (in declaration order) with its initial value, spawns the test's
//! threads in order, and finishes. Each test thread runs its code until it
//! needs memory: it then hands the engine one [`Op`] and waits for the reply.
//!
//! Loops: `while c { body }` whose body has no store or RMW is a *spin loop*.
//! If an iteration of it leaves every register as it was, the next iteration
//! would only re-read memory, so the thread blocks with
//! [`BlockReason::Spin`] (it waits until another thread writes what it
//! read; the explorer's backward revisits give the loop's reads the other
//! values). Other loops just run; the explorer's per-thread event bound stops
//! them.

use happens_engine::{
    BlockReason, Issue, LoadOrd, LocId, Made, Op, Program, Reply, RmwKind, RmwOp, StoreOrd,
    ThreadId, Val, Width,
};

use crate::ast::*;

/// One instruction. Every expression leaves exactly one value on the stack.
/// (Also run symbolically by the axiomatic enumerator, `crate::axiomatic`.)
#[derive(Clone, Debug)]
pub(crate) enum Insn {
    Const(i64),
    GetReg(RegId),
    SetReg(RegId),
    Pop,
    /// Swaps the two topmost values.
    Swap,
    Un(UnOp),
    Bin(BinOp),
    Jump(usize),
    JumpIfZero(usize),
    JumpIfNonZero(usize),
    /// Pushes the value read.
    Load {
        loc: LocIdx,
        ord: LoadOrd,
        site: u32,
    },
    /// Pops the value; pushes 0.
    Store {
        loc: LocIdx,
        ord: StoreOrd,
        site: u32,
    },
    /// Pops the operand; pushes the old value.
    Rmw {
        loc: LocIdx,
        kind: RmwKind,
        ord: happens_engine::RmwOrd,
        site: u32,
    },
    /// Pops desired, then expected; pushes the old value, then 1/0.
    Cas {
        loc: LocIdx,
        success: happens_engine::RmwOrd,
        failure: LoadOrd,
        weak: bool,
        site: u32,
    },
    /// herd: looks at the old value and the success flag on top of the stack
    /// (and leaves them); on failure writes the old value into `exp` (non-atomic).
    CasWriteback {
        exp: LocIdx,
        site: u32,
    },
    /// Pushes 0.
    Fence {
        ord: happens_engine::FenceOrd,
        site: u32,
    },
    /// Pops an offset: the next memory instruction accesses element
    /// `offset` of the array at `base` (of `len` elements) instead of its own
    /// location; an offset out of the array fails the thread.
    Index {
        base: LocIdx,
        len: usize,
        site: u32,
    },
    /// A statement starts (no-op here). herd orders a thread's events by
    /// `po` only between statements (instructions): the accesses of one
    /// statement (`t = x + y`, a herd compare-exchange's read of `*exp`, its
    /// RMW and write-back) are unordered. The axiomatic enumerator numbers
    /// statements from it.
    Seq,
    /// Entry into loop `slot` from outside (no-op here; the axiomatic
    /// enumerator counts iterations from it).
    LoopEnter {
        slot: usize,
    },
    /// Start of an iteration's body, the condition having held (no-op here;
    /// the axiomatic enumerator cuts the path off past herd's unrolling).
    LoopBody {
        slot: usize,
    },
    /// Remembers the registers at the start of an iteration of loop `slot`.
    LoopHead {
        slot: usize,
    },
    /// End of an iteration: jump to `head`, unless the iteration changed
    /// nothing (memory or registers): then the thread blocks, waiting for a
    /// write it could read (GenMC's spin-assume).
    BackEdge {
        slot: usize,
        head: usize,
        site: u32,
    },
}

/// Where an instruction comes from.
#[derive(Clone, Debug)]
pub(crate) struct Site {
    pub line: u32,
    pub text: String,
    /// The register(s) the statement assigns the operation's result to
    /// (`r0`, `(old, ok)`), when the operation is the statement's whole
    /// right-hand side.
    pub dest: Option<String>,
}

#[derive(Clone, Debug)]
pub(crate) struct ThreadCode {
    pub insns: Vec<Insn>,
    pub nregs: usize,
    pub nloops: usize,
    sites: Vec<Site>,
}

/// A compiled test.
#[derive(Clone, Debug)]
pub(crate) struct Code {
    pub threads: Vec<ThreadCode>,
    pub inits: Vec<i64>,
}

impl Code {
    pub fn compile(test: &Test) -> Code {
        let threads = test
            .threads
            .iter()
            .map(|th| {
                let mut c = Compiler {
                    insns: Vec::new(),
                    nloops: 0,
                    sites: Vec::new(),
                    site: 0,
                    registers: &th.registers,
                };
                c.block(&th.body);
                c.sites.push(Site {
                    line: th.line,
                    text: format!("end of {}", th.name),
                    dest: None,
                });
                ThreadCode {
                    insns: c.insns,
                    nregs: th.registers.len(),
                    nloops: c.nloops,
                    sites: c.sites,
                }
            })
            .collect();
        Code {
            threads,
            inits: test.locations.iter().map(|l| l.init).collect(),
        }
    }

    /// Source site `s` of thread `t`.
    pub fn site(&self, t: usize, s: u32) -> Option<&Site> {
        self.threads.get(t)?.sites.get(s as usize)
    }

    /// The source site of an event of thread `t`, from the site the engine
    /// keeps on it (the index of the thread's site, plus one: the machine
    /// issues its operations with it).
    pub fn event_site(&self, t: usize, s: happens_engine::Site) -> Option<&Site> {
        self.site(t, u32::try_from(s.0.checked_sub(1)?).ok()?)
    }
}

struct Compiler<'t> {
    insns: Vec<Insn>,
    nloops: usize,
    sites: Vec<Site>,
    /// The site of the statement being compiled.
    site: u32,
    /// The thread's register names.
    registers: &'t [String],
}

impl Compiler<'_> {
    fn emit(&mut self, i: Insn) -> usize {
        self.insns.push(i);
        self.insns.len() - 1
    }

    fn patch(&mut self, at: usize) {
        let here = self.insns.len();
        match &mut self.insns[at] {
            Insn::Jump(t) | Insn::JumpIfZero(t) | Insn::JumpIfNonZero(t) => *t = here,
            _ => unreachable!("patching a non-jump"),
        }
    }

    fn block(&mut self, b: &[Stmt]) {
        for s in b {
            self.stmt(s);
        }
    }

    /// A site for the operation whose result statement `s` assigns to
    /// `dest` (the statement's own site is [`Compiler::site`]).
    fn dest_site(&mut self, s: &Stmt, dest: String) -> u32 {
        self.sites.push(Site {
            line: s.line,
            text: s.text.clone(),
            dest: Some(dest),
        });
        (self.sites.len() - 1) as u32
    }

    /// The name of register `r`.
    fn reg_name(&self, r: RegId) -> String {
        self.registers.get(r).cloned().unwrap_or_default()
    }

    fn stmt(&mut self, s: &Stmt) {
        self.sites.push(Site {
            line: s.line,
            text: s.text.clone(),
            dest: None,
        });
        self.site = (self.sites.len() - 1) as u32;
        if !matches!(s.kind, StmtKind::While { .. }) {
            self.emit(Insn::Seq);
        }
        match &s.kind {
            StmtKind::Assign { reg, value } => {
                match value {
                    Expr::Mem(m) => {
                        let main = self.dest_site(s, self.reg_name(*reg));
                        self.mem_at(m, None, main);
                    }
                    _ => self.expr(value),
                }
                self.emit(Insn::SetReg(*reg));
            }
            StmtKind::CasPair { old, ok, cas } => {
                let dest = format!("({}, {})", self.reg_name(*old), self.reg_name(*ok));
                let main = self.dest_site(s, dest);
                self.cas(cas, None, main);
                self.emit(Insn::SetReg(*ok));
                self.emit(Insn::SetReg(*old));
            }
            StmtKind::Eval(e) => {
                self.expr(e);
                self.emit(Insn::Pop);
            }
            StmtKind::Hint => {}
            StmtKind::If { cond, then, els } => {
                self.expr(cond);
                let jf = self.emit(Insn::JumpIfZero(0));
                self.block(then);
                if els.is_empty() {
                    self.patch(jf);
                } else {
                    let je = self.emit(Insn::Jump(0));
                    self.patch(jf);
                    self.block(els);
                    self.patch(je);
                }
            }
            StmtKind::While { cond, body } => {
                let slot = self.nloops;
                self.nloops += 1;
                let site = self.site;
                self.emit(Insn::LoopEnter { slot });
                let head = self.emit(Insn::LoopHead { slot });
                // each evaluation of the condition is a statement of its own
                self.emit(Insn::Seq);
                self.expr(cond);
                let jf = self.emit(Insn::JumpIfZero(0));
                self.emit(Insn::LoopBody { slot });
                self.block(body);
                self.emit(Insn::BackEdge { slot, head, site });
                self.patch(jf);
            }
        }
    }

    /// Pushes the old value, then 1/0 for success (herd: after the write-back).
    /// `main` is the site of the compare-exchange itself.
    fn cas(&mut self, c: &Cas, at: Option<(&Expr, LocIdx, usize)>, main: u32) {
        let site = self.site;
        match &c.expected {
            CasExpected::Value(e) => self.expr(e),
            CasExpected::InLocation(l) => {
                self.emit(Insn::Load {
                    loc: *l,
                    ord: LoadOrd::NonAtomic,
                    site,
                });
            }
        }
        self.expr(&c.desired);
        self.index(at);
        self.emit(Insn::Cas {
            loc: c.loc,
            success: c.success,
            failure: c.failure,
            weak: c.weak,
            site: main,
        });
        if let CasExpected::InLocation(exp) = c.expected {
            self.emit(Insn::CasWriteback { exp, site });
        }
    }

    fn expr(&mut self, e: &Expr) {
        match e {
            Expr::Int(v) => {
                self.emit(Insn::Const(*v));
            }
            Expr::Reg(r) => {
                self.emit(Insn::GetReg(*r));
            }
            Expr::Unary(op, a) => {
                self.expr(a);
                self.emit(Insn::Un(*op));
            }
            Expr::Binary(BinOp::And, a, b) => {
                self.expr(a);
                let j1 = self.emit(Insn::JumpIfZero(0));
                self.expr(b);
                let j2 = self.emit(Insn::JumpIfZero(0));
                self.emit(Insn::Const(1));
                let je = self.emit(Insn::Jump(0));
                self.patch(j1);
                self.patch(j2);
                self.emit(Insn::Const(0));
                self.patch(je);
            }
            Expr::Binary(BinOp::Or, a, b) => {
                self.expr(a);
                let j1 = self.emit(Insn::JumpIfNonZero(0));
                self.expr(b);
                let j2 = self.emit(Insn::JumpIfNonZero(0));
                self.emit(Insn::Const(0));
                let je = self.emit(Insn::Jump(0));
                self.patch(j1);
                self.patch(j2);
                self.emit(Insn::Const(1));
                self.patch(je);
            }
            Expr::Binary(op, a, b) => {
                self.expr(a);
                self.expr(b);
                self.emit(Insn::Bin(*op));
            }
            Expr::Mem(m) => self.mem(m),
        }
    }

    fn mem(&mut self, m: &MemOp) {
        self.mem_at(m, None, self.site);
    }

    /// Emits the offset and the `Index` of an array access (right before its
    /// memory instruction, so that the operands' own accesses come first).
    fn index(&mut self, at: Option<(&Expr, LocIdx, usize)>) {
        if let Some((offset, base, len)) = at {
            self.expr(offset);
            let site = self.site;
            self.emit(Insn::Index { base, len, site });
        }
    }

    /// Emits memory operation `m`; `main` is the site of its own memory
    /// instruction (operands' accesses get the statement's site).
    fn mem_at(&mut self, m: &MemOp, at: Option<(&Expr, LocIdx, usize)>, main: u32) {
        let site = main;
        match m {
            MemOp::At {
                base,
                len,
                offset,
                op,
            } => self.mem_at(op, Some((offset, *base, *len)), main),
            MemOp::Load { loc, ord } => {
                self.index(at);
                self.emit(Insn::Load {
                    loc: *loc,
                    ord: *ord,
                    site,
                });
            }
            MemOp::Store { loc, value, ord } => {
                self.expr(value);
                self.index(at);
                self.emit(Insn::Store {
                    loc: *loc,
                    ord: *ord,
                    site,
                });
            }
            MemOp::Rmw {
                loc,
                kind,
                operand,
                ord,
            } => {
                self.expr(operand);
                self.index(at);
                self.emit(Insn::Rmw {
                    loc: *loc,
                    kind: *kind,
                    ord: *ord,
                    site,
                });
            }
            MemOp::Fence(ord) => {
                self.emit(Insn::Fence { ord: *ord, site });
            }
            MemOp::Cas(c) => {
                self.cas(c, at, main);
                match c.result {
                    CasResult::Succeeded => {
                        self.emit(Insn::Swap);
                        self.emit(Insn::Pop);
                    }
                    CasResult::Old => {
                        self.emit(Insn::Pop);
                    }
                }
            }
        }
    }
}

/// What a thread does with the reply to its last operation.
#[derive(Clone, Copy, Debug, Default)]
enum Await {
    /// Nothing to push (start of the thread, a herd CAS write-back).
    #[default]
    Nothing,
    /// Push the value read.
    Value,
    /// Push 0 (stores, fences).
    Zero,
    /// Push the old value and the success flag.
    Cas,
}

/// Run state of one test thread.
#[derive(Clone, Debug, Default)]
pub(crate) struct ThreadState {
    pc: usize,
    stack: Vec<i64>,
    pub regs: Vec<i64>,
    snaps: Vec<Vec<i64>>,
    awaiting: Await,
    /// The site of the operation it issued last.
    site: u32,
    /// The array element the next memory instruction accesses ([`Insn::Index`]).
    at: Option<LocIdx>,
    /// Per loop slot: whether the current iteration changed memory (a
    /// store, or an RMW / compare-exchange that wrote a different value).
    changed: Vec<bool>,
    /// What the pending compare-exchange writes if it succeeds.
    pending_cas_new: Option<i64>,
}

/// The test as a [`Program`].
pub(crate) struct Machine<'c> {
    pub code: &'c Code,
    /// Engine location of each test location.
    pub locs: Vec<LocId>,
    /// Engine thread of each test thread.
    pub tids: Vec<ThreadId>,
    pub threads: Vec<ThreadState>,
    /// Test thread of each engine thread.
    by_engine: Vec<Option<usize>>,
}

impl<'c> Machine<'c> {
    pub fn new(code: &'c Code) -> Self {
        Machine {
            code,
            locs: Vec::new(),
            tids: Vec::new(),
            threads: Vec::new(),
            by_engine: Vec::new(),
        }
    }

    fn main_step(&mut self, reply: Reply) -> Op {
        match reply {
            Reply::Loc(l) => self.locs.push(l),
            Reply::Spawned(c) => {
                let i = self.tids.len();
                self.tids.push(c);
                if self.by_engine.len() <= c.index() {
                    self.by_engine.resize(c.index() + 1, None);
                }
                self.by_engine[c.index()] = Some(i);
            }
            _ => {}
        }
        if let Some(&init) = self.code.inits.get(self.locs.len()) {
            return Op::Alloc {
                init: init as Val,
                atomic: false,
            };
        }
        if self.tids.len() < self.code.threads.len() {
            return Op::Spawn { like: None };
        }
        Op::Finish
    }

    fn thread_step(&mut self, i: usize, reply: Reply) -> Op {
        let code = &self.code.threads[i];
        let locs = &self.locs;
        let th = &mut self.threads[i];
        match th.awaiting {
            Await::Nothing => {}
            Await::Value => {
                let old = reply.val().unwrap_or(0);
                if let Reply::Rmw { new, .. } = reply {
                    // an RMW that wrote another value than it read
                    if new != old {
                        th.changed.fill(true);
                    }
                }
                th.stack.push(old as i64)
            }
            Await::Zero => th.stack.push(0),
            Await::Cas => {
                let (old, ok) = match reply {
                    Reply::Cas { old, ok } => (old as i64, ok as i64),
                    other => (other.val().unwrap_or(0) as i64, 0),
                };
                if ok == 1 && th.pending_cas_new.take() != Some(old) {
                    th.changed.fill(true);
                }
                th.stack.push(old);
                th.stack.push(ok);
            }
        }
        th.awaiting = Await::Nothing;
        let loc = |l: LocIdx| locs.get(l).copied().unwrap_or_default();
        loop {
            let Some(insn) = code.insns.get(th.pc) else {
                th.site = code.sites.len().saturating_sub(1) as u32;
                return Op::Finish;
            };
            th.pc += 1;
            match *insn {
                Insn::Const(v) => th.stack.push(v),
                Insn::GetReg(r) => th.stack.push(th.regs.get(r).copied().unwrap_or(0)),
                Insn::SetReg(r) => {
                    let v = th.stack.pop().unwrap_or(0);
                    if let Some(slot) = th.regs.get_mut(r) {
                        *slot = v;
                    }
                }
                Insn::Pop => {
                    th.stack.pop();
                }
                Insn::Swap => {
                    let n = th.stack.len();
                    if n >= 2 {
                        th.stack.swap(n - 1, n - 2);
                    }
                }
                Insn::Un(op) => {
                    let a = th.stack.pop().unwrap_or(0);
                    th.stack.push(unary(op, a));
                }
                Insn::Bin(op) => {
                    let b = th.stack.pop().unwrap_or(0);
                    let a = th.stack.pop().unwrap_or(0);
                    th.stack.push(binary(op, a, b));
                }
                Insn::Jump(t) => th.pc = t,
                Insn::JumpIfZero(t) => {
                    if th.stack.pop().unwrap_or(0) == 0 {
                        th.pc = t;
                    }
                }
                Insn::JumpIfNonZero(t) => {
                    if th.stack.pop().unwrap_or(0) != 0 {
                        th.pc = t;
                    }
                }
                Insn::Load { loc: l, ord, site } => {
                    let l = th.at.take().unwrap_or(l);
                    th.awaiting = Await::Value;
                    th.site = site;
                    return Op::Load { loc: loc(l), ord };
                }
                Insn::Store { loc: l, ord, site } => {
                    let l = th.at.take().unwrap_or(l);
                    let v = th.stack.pop().unwrap_or(0);
                    th.awaiting = Await::Zero;
                    th.site = site;
                    th.changed.fill(true);
                    return Op::Store {
                        loc: loc(l),
                        val: v as Val,
                        ord,
                    };
                }
                Insn::Rmw {
                    loc: l,
                    kind,
                    ord,
                    site,
                } => {
                    let l = th.at.take().unwrap_or(l);
                    let v = th.stack.pop().unwrap_or(0);
                    th.awaiting = Await::Value;
                    th.site = site;
                    let op = RmwOp {
                        kind,
                        operand: v as Val,
                        width: Width::I64,
                    };
                    return Op::Rmw {
                        loc: loc(l),
                        op,
                        ord,
                    };
                }
                Insn::Cas {
                    loc: l,
                    success,
                    failure,
                    weak,
                    site,
                } => {
                    let l = th.at.take().unwrap_or(l);
                    let new = th.stack.pop().unwrap_or(0);
                    let expected = th.stack.pop().unwrap_or(0);
                    th.awaiting = Await::Cas;
                    th.site = site;
                    th.pending_cas_new = Some(new);
                    return Op::Cas {
                        loc: loc(l),
                        expected: expected as Val,
                        new: new as Val,
                        success,
                        failure,
                        weak,
                    };
                }
                Insn::CasWriteback { exp, site } => {
                    let n = th.stack.len();
                    if n >= 2 && th.stack[n - 1] == 0 {
                        th.site = site;
                        th.changed.fill(true);
                        return Op::Store {
                            loc: loc(exp),
                            val: th.stack[n - 2] as Val,
                            ord: StoreOrd::NonAtomic,
                        };
                    }
                }
                Insn::Index { base, len, site } => {
                    let off = th.stack.pop().unwrap_or(0);
                    if off < 0 || off as usize >= len {
                        // outside the array: undefined in C; the thread fails
                        th.site = site;
                        return Op::Fail;
                    }
                    th.at = Some(base + off as usize);
                }
                Insn::Fence { ord, site } => {
                    th.awaiting = Await::Zero;
                    th.site = site;
                    return Op::Fence(ord);
                }
                Insn::Seq | Insn::LoopEnter { .. } | Insn::LoopBody { .. } => {}
                Insn::LoopHead { slot } => {
                    if let Some(s) = th.snaps.get_mut(slot) {
                        s.clone_from(&th.regs);
                    }
                    if let Some(c) = th.changed.get_mut(slot) {
                        *c = false;
                    }
                }
                Insn::BackEdge { slot, head, site } => {
                    // an iteration that changed nothing (no store, no RMW or
                    // compare-exchange that wrote a new value, same
                    // registers) would repeat itself: the thread waits
                    if th.changed.get(slot) == Some(&false) && th.snaps.get(slot) == Some(&th.regs)
                    {
                        th.site = site;
                        return Op::Block(BlockReason::Spin);
                    }
                    th.pc = head;
                }
            }
        }
    }
}

pub(crate) fn unary(op: UnOp, a: i64) -> i64 {
    match op {
        UnOp::Neg => a.wrapping_neg(),
        UnOp::Not => (a == 0) as i64,
        UnOp::BitNot => !a,
    }
}

pub(crate) fn binary(op: BinOp, a: i64, b: i64) -> i64 {
    match op {
        BinOp::Add => a.wrapping_add(b),
        BinOp::Sub => a.wrapping_sub(b),
        BinOp::Mul => a.wrapping_mul(b),
        BinOp::Div => a.checked_div(b).unwrap_or(0),
        BinOp::Rem => a.checked_rem(b).unwrap_or(0),
        BinOp::BitAnd => a & b,
        BinOp::BitOr => a | b,
        BinOp::BitXor => a ^ b,
        BinOp::Eq => (a == b) as i64,
        BinOp::Ne => (a != b) as i64,
        BinOp::Lt => (a < b) as i64,
        BinOp::Le => (a <= b) as i64,
        BinOp::Gt => (a > b) as i64,
        BinOp::Ge => (a >= b) as i64,
        BinOp::And => (a != 0 && b != 0) as i64,
        BinOp::Or => (a != 0 || b != 0) as i64,
    }
}

impl Program for Machine<'_> {
    fn reset(&mut self) {
        self.locs.clear();
        self.tids.clear();
        self.by_engine.clear();
        self.threads
            .resize_with(self.code.threads.len(), Default::default);
        for (th, code) in self.threads.iter_mut().zip(&self.code.threads) {
            th.pc = 0;
            th.stack.clear();
            th.regs.clear();
            th.regs.resize(code.nregs, 0);
            th.snaps.resize_with(code.nloops, Vec::new);
            th.awaiting = Await::Nothing;
            th.site = 0;
            th.at = None;
            th.changed.clear();
            th.changed.resize(code.nloops, false);
            th.pending_cas_new = None;
        }
    }

    fn step(&mut self, t: ThreadId, reply: Reply, _: Made) -> Issue {
        if t == ThreadId(0) {
            return self.main_step(reply).into();
        }
        match self.by_engine.get(t.index()).copied().flatten() {
            Some(i) => {
                let op = self.thread_step(i, reply);
                Issue {
                    op,
                    site: happens_engine::Site(u64::from(self.threads[i].site) + 1),
                }
            }
            // not a thread of ours: cannot happen, but never panic
            None => Op::Finish.into(),
        }
    }
}
