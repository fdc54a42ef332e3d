//! One thread run symbolically: every path through its code, each with its
//! memory events, the constraints its branches put on the values read, and
//! its final registers, all as terms over the values of the path's reads.
//!
//! A thread is deterministic given the values its reads return, so its
//! paths are found without knowing them: a read pushes a variable (the `k`th
//! read of the path), arithmetic builds terms, and a branch on a term that is
//! not a constant forks the path (herd's `choiceT`), each side with a
//! constraint. A compare-exchange forks too (herd's C semantics): success is
//! an RMW whose read must equal the expected value (an equation, which may
//! determine the value read), failure a read that must differ from it. A
//! weak one may fail spuriously (herd's `CSem.ml` puts no constraint on its
//! failure), except under a hardware mapping, where it is the same
//! instruction as a strong one (the paths are made with [`Spurious::No`]).
//!
//! Inside a statement, events are ordered only by the statement's own
//! causality (herd's `iico`, which herd's C `po` includes, [`Path::iico`]): a
//! store comes after every event of its statement before it (they compute
//! its address and value), a compare-exchange's read or RMW after its read
//! of the expected value, and a failure's write-back of the value read into
//! the expected location after both. So no read of a statement reads a write
//! the statement makes after it: that would be a `po ; rf` cycle, which
//! coherence forbids. Not followed: herd also orders an RMW after the loads
//! that compute its operand in the same statement, and evaluates a
//! compare-exchange's desired value on its success branch only (here it is
//! computed before the fork, so a load in it is on both paths); no corpus
//! test has either.
//!
//! Terms are simplified as herd's symbolic values are (`lib/symbValue.ml`):
//! `x + 0` and `x | 0` are `x`, `x ^ x` is 0, `x == x` is 1 and `x != x`
//! is 0, whatever `x` is; an exchange writes its operand. Any other
//! operation on a value that is not yet a constant is recorded in the path's
//! `ops`: herd makes each an equation that must be solved, so an execution
//! where one stays undetermined (it involves an out-of-thin-air value) is not
//! an execution.
//!
//! Loops are unrolled as herd does for C (`-unroll 2`): a loop's body runs
//! at most twice; a path whose condition still holds after that is cut off
//! and dropped (herd drops executions with a `CutOff` event).

use happens_engine::{FenceOrd, LoadOrd, RmwKind, RmwOp, RmwOrd, StoreOrd, Val, Width};

use crate::ast::{BinOp, LocIdx, UnOp};
use crate::interp::{binary, unary, Insn, ThreadCode};

/// herd's default loop unrolling for C.
pub(crate) const UNROLL: u32 = 2;

/// Index of a term in a thread's [`Terms`].
pub(crate) type TermId = u32;

/// A term over the values of a path's reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Node {
    Const(i64),
    /// The value the path's `k`th read returns.
    Read(u32),
    Un(UnOp, TermId),
    Bin(BinOp, TermId, TermId),
    /// What an RMW writes: `kind(old, operand)`.
    Rmw(RmwKind, TermId, TermId),
}

/// The terms of one thread (shared by its paths: a term built on a path
/// refers to that path's reads, and forks share their prefix).
#[derive(Clone, Debug, Default)]
pub(crate) struct Terms {
    pub nodes: Vec<Node>,
    /// The node of each read index.
    reads: Vec<TermId>,
}

impl Terms {
    fn push(&mut self, n: Node) -> TermId {
        self.nodes.push(n);
        (self.nodes.len() - 1) as TermId
    }

    pub fn node(&self, t: TermId) -> Node {
        self.nodes[t as usize]
    }

    /// The reads (variables) term `t` is computed from, syntactically
    /// (register dataflow: what hardware dependencies follow).
    pub fn reads_of(&self, t: TermId, out: &mut Vec<u32>) {
        match self.node(t) {
            Node::Const(_) => {}
            Node::Read(k) => {
                if !out.contains(&k) {
                    out.push(k);
                }
            }
            Node::Un(_, a) => self.reads_of(a, out),
            Node::Bin(_, a, b) | Node::Rmw(_, a, b) => {
                self.reads_of(a, out);
                self.reads_of(b, out);
            }
        }
    }

    fn konst(&self, t: TermId) -> Option<i64> {
        match self.node(t) {
            Node::Const(v) => Some(v),
            _ => None,
        }
    }

    fn constant(&mut self, v: i64) -> TermId {
        self.push(Node::Const(v))
    }

    fn read(&mut self, k: u32) -> TermId {
        while self.reads.len() <= k as usize {
            let n = self.reads.len() as u32;
            let id = self.push(Node::Read(n));
            self.reads.push(id);
        }
        self.reads[k as usize]
    }

    /// `op a`, simplified; `new` is set when it is a new undetermined term.
    fn unary(&mut self, op: UnOp, a: TermId, new: &mut bool) -> TermId {
        match self.konst(a) {
            Some(x) => self.constant(unary(op, x)),
            None => {
                *new = true;
                self.push(Node::Un(op, a))
            }
        }
    }

    /// `a op b`, simplified as herd does.
    fn binary(&mut self, op: BinOp, a: TermId, b: TermId, new: &mut bool) -> TermId {
        let (ka, kb) = (self.konst(a), self.konst(b));
        if let (Some(x), Some(y)) = (ka, kb) {
            return self.constant(binary(op, x, y));
        }
        match op {
            BinOp::Add | BinOp::Or if ka == Some(0) => return b,
            BinOp::Add | BinOp::Or if kb == Some(0) => return a,
            BinOp::BitXor if a == b => return self.constant(0),
            BinOp::Eq if a == b => return self.constant(1),
            BinOp::Ne if a == b => return self.constant(0),
            _ => {}
        }
        *new = true;
        self.push(Node::Bin(op, a, b))
    }

    /// What an RMW of `kind` writes over `old`.
    fn rmw(&mut self, kind: RmwKind, old: TermId, operand: TermId, new: &mut bool) -> TermId {
        if kind == RmwKind::Swap {
            return operand;
        }
        match (self.konst(old), self.konst(operand)) {
            (Some(o), Some(x)) => self.constant(apply_rmw(kind, o, x)),
            (_, Some(0)) if matches!(kind, RmwKind::Add | RmwKind::Or) => old,
            _ => {
                *new = true;
                self.push(Node::Rmw(kind, old, operand))
            }
        }
    }
}

/// `kind(old, operand)` on 64-bit values.
pub(crate) fn apply_rmw(kind: RmwKind, old: i64, operand: i64) -> i64 {
    RmwOp {
        kind,
        operand: operand as Val,
        width: Width::I64,
    }
    .apply(old as Val) as i64
}

/// A memory event of a path. `site` is the interpreter's source site.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PEvent {
    Read {
        loc: LocIdx,
        ord: LoadOrd,
        var: u32,
        site: u32,
    },
    Write {
        loc: LocIdx,
        ord: StoreOrd,
        val: TermId,
        site: u32,
    },
    Rmw {
        loc: LocIdx,
        ord: RmwOrd,
        var: u32,
        val: TermId,
        site: u32,
    },
    Fence {
        ord: FenceOrd,
        site: u32,
    },
}

impl PEvent {
    pub fn site(&self) -> u32 {
        match *self {
            PEvent::Read { site, .. }
            | PEvent::Write { site, .. }
            | PEvent::Rmw { site, .. }
            | PEvent::Fence { site, .. } => site,
        }
    }
}

/// A constraint a path puts on its values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Cons {
    /// The term is non-zero (`true`) or zero (`false`): a branch taken.
    Truth(TermId, bool),
    /// The two terms are equal: a successful compare-exchange read the
    /// expected value.
    Equal(TermId, TermId),
}

/// One path through a thread.
#[derive(Clone, Debug, Default)]
pub(crate) struct Path {
    pub events: Vec<PEvent>,
    /// The statement (herd's `po` index) of each event: `po` orders events
    /// of different statements only.
    pub stmts: Vec<u32>,
    /// Statements begun so far.
    nstmts: u32,
    /// Control dependencies: a branch on the term, taken when the path had
    /// this many events (every later event depends on it). A
    /// compare-exchange is one too: herd's C convention branches on its
    /// outcome to the write-back.
    pub branches: Vec<(usize, TermId)>,
    /// The truth of every condition the path jumped on (folded or not), in
    /// order: for herd's naming of thin-air values, which depends on the
    /// branches taken.
    pub decisions: Vec<bool>,
    /// Address dependencies: event `i` accesses an array element chosen by
    /// the term.
    pub addrs: Vec<(usize, TermId)>,
    /// The compare-exchanges: event `i` is one (its read, or its RMW), with
    /// its success and failure orderings (the Arm mapping's suffix needs
    /// both).
    pub cas: Vec<(usize, RmwOrd, LoadOrd)>,
    /// `(a, b)`: event `a` comes before event `b` of the same statement by
    /// the statement's own causality (herd's `iico`, part of its C `po`):
    /// a store after the events of its statement before it, a
    /// compare-exchange after its read of the expected value, a failure's
    /// write-back after that read and the failed read.
    pub iico: Vec<(usize, usize)>,
    pub cons: Vec<Cons>,
    /// Undetermined operations: each must have a value in an execution.
    pub ops: Vec<TermId>,
    /// Final registers.
    pub regs: Vec<TermId>,
    /// Number of reads (variables).
    pub nreads: u32,
    /// The path accessed an array out of its bounds and stopped there.
    pub failed: bool,
}

#[derive(Clone, Debug)]
struct State {
    pc: usize,
    stack: Vec<TermId>,
    path: Path,
    /// Iterations of each loop since it was entered.
    loops: Vec<u32>,
    /// The array element the next memory instruction accesses, and the
    /// term that chose it.
    at: Option<LocIdx>,
    at_term: Option<TermId>,
    /// After a failed compare-exchange, until its write-back: the events of
    /// its read of the expected value (if it read one) and of its failed
    /// read.
    cas_fail: Option<(Option<usize>, usize)>,
}

/// Whether a weak compare-exchange may fail spuriously: `Yes` for the
/// language models (herd's C), `No` for a hardware mapping, whose `CAS`
/// instruction fails only when the values differ.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Spurious {
    Yes,
    No,
}

/// Every path of `code` (dropping those cut off by the loop unrolling).
pub(crate) fn paths(code: &ThreadCode, spurious: Spurious) -> (Terms, Vec<Path>) {
    let mut terms = Terms::default();
    let zero = terms.constant(0);
    let mut done = Vec::new();
    let mut work = vec![State {
        pc: 0,
        stack: Vec::new(),
        path: Path {
            regs: vec![zero; code.nregs],
            ..Path::default()
        },
        loops: vec![0; code.nloops],
        at: None,
        at_term: None,
        cas_fail: None,
    }];
    while let Some(st) = work.pop() {
        run(code, &mut terms, spurious, st, &mut work, &mut done);
    }
    // the order paths were found in is deterministic; keep it
    (terms, done)
}

/// The location of the next memory instruction (`loc`, or the array element
/// an `Index` chose, whose term becomes the event's address dependency).
fn target(st: &mut State, loc: LocIdx) -> LocIdx {
    if let Some(t) = st.at_term.take() {
        let i = st.path.events.len();
        st.path.addrs.push((i, t));
    }
    st.at.take().unwrap_or(loc)
}

/// Gives the events added since the last call their statement.
fn sync_stmts(p: &mut Path) {
    while p.stmts.len() < p.events.len() {
        p.stmts.push(p.nstmts);
    }
}

/// Pops a term (an empty stack gives 0, as the interpreter does).
fn pop(terms: &mut Terms, st: &mut State) -> TermId {
    match st.stack.pop() {
        Some(t) => t,
        None => terms.constant(0),
    }
}

/// Runs `st` to the end of its path, pushing forks onto `work`.
fn run(
    code: &ThreadCode,
    terms: &mut Terms,
    spurious: Spurious,
    mut st: State,
    work: &mut Vec<State>,
    done: &mut Vec<Path>,
) {
    loop {
        let Some(insn) = code.insns.get(st.pc) else {
            sync_stmts(&mut st.path);
            done.push(st.path);
            return;
        };
        st.pc += 1;
        let mut new = false;
        // every event gets the statement it belongs to (forks pushed below
        // have theirs set when they resume)
        sync_stmts(&mut st.path);
        match *insn {
            Insn::Const(v) => {
                let t = terms.constant(v);
                st.stack.push(t);
            }
            Insn::GetReg(r) => {
                let t = match st.path.regs.get(r) {
                    Some(&t) => t,
                    None => terms.constant(0),
                };
                st.stack.push(t);
            }
            Insn::SetReg(r) => {
                let v = pop(terms, &mut st);
                if let Some(slot) = st.path.regs.get_mut(r) {
                    *slot = v;
                }
            }
            Insn::Pop => {
                st.stack.pop();
            }
            Insn::Swap => {
                let n = st.stack.len();
                if n >= 2 {
                    st.stack.swap(n - 1, n - 2);
                }
            }
            Insn::Un(op) => {
                let a = pop(terms, &mut st);
                let t = terms.unary(op, a, &mut new);
                if new {
                    st.path.ops.push(t);
                }
                st.stack.push(t);
            }
            Insn::Bin(op) => {
                let b = pop(terms, &mut st);
                let a = pop(terms, &mut st);
                let t = terms.binary(op, a, b, &mut new);
                if new {
                    st.path.ops.push(t);
                }
                st.stack.push(t);
            }
            Insn::Jump(t) => st.pc = t,
            Insn::JumpIfZero(target) | Insn::JumpIfNonZero(target) => {
                let jump_if = matches!(insn, Insn::JumpIfNonZero(_));
                let c = pop(terms, &mut st);
                match terms.konst(c) {
                    Some(v) => {
                        st.path.decisions.push(v != 0);
                        if (v != 0) == jump_if {
                            st.pc = target;
                        }
                    }
                    None => {
                        // fork: the other side goes on the work list
                        let here = st.path.events.len();
                        st.path.branches.push((here, c));
                        let mut other = st.clone();
                        other.path.cons.push(Cons::Truth(c, !jump_if));
                        other.path.decisions.push(!jump_if);
                        work.push(other);
                        st.path.cons.push(Cons::Truth(c, jump_if));
                        st.path.decisions.push(jump_if);
                        st.pc = target;
                    }
                }
            }
            Insn::Load { loc, ord, site } => {
                let loc = target(&mut st, loc);
                let var = st.path.nreads;
                st.path.nreads += 1;
                st.path.events.push(PEvent::Read {
                    loc,
                    ord,
                    var,
                    site,
                });
                let t = terms.read(var);
                st.stack.push(t);
            }
            Insn::Store { loc, ord, site } => {
                let loc = target(&mut st, loc);
                let val = pop(terms, &mut st);
                // herd: `(address >>| value) >>= write`
                let w = st.path.events.len();
                for i in 0..w {
                    if st.path.stmts[i] == st.path.nstmts {
                        st.path.iico.push((i, w));
                    }
                }
                st.path.events.push(PEvent::Write {
                    loc,
                    ord,
                    val,
                    site,
                });
                let z = terms.constant(0);
                st.stack.push(z);
            }
            Insn::Rmw {
                loc,
                kind,
                ord,
                site,
            } => {
                let loc = target(&mut st, loc);
                let operand = pop(terms, &mut st);
                let var = st.path.nreads;
                st.path.nreads += 1;
                let old = terms.read(var);
                let val = terms.rmw(kind, old, operand, &mut new);
                if new {
                    st.path.ops.push(val);
                }
                st.path.events.push(PEvent::Rmw {
                    loc,
                    ord,
                    var,
                    val,
                    site,
                });
                st.stack.push(old);
            }
            Insn::Cas {
                loc,
                success,
                failure,
                weak,
                site,
            } => {
                let loc = target(&mut st, loc);
                let desired = pop(terms, &mut st);
                let expected = pop(terms, &mut st);
                let var = st.path.nreads;
                st.path.nreads += 1;
                let old = terms.read(var);
                // what follows depends on the outcome (on the value read and
                // the expected one)
                let after = st.path.events.len() + 1;
                st.path.branches.push((after, old));
                st.path.branches.push((after, expected));
                st.path.cas.push((after - 1, success, failure));
                // failure: a read (of the failure ordering) of another value
                let mut fail = st.clone();
                fail.path.events.push(PEvent::Read {
                    loc,
                    ord: failure,
                    var,
                    site,
                });
                // the read of the expected value, if it is one: herd's
                // `read expected >>*= (failure | success)`
                let exp_read = st.path.events[..after - 1].iter().rposition(
                    |e| matches!(*e, PEvent::Read { var: v, .. } if terms.node(expected) == Node::Read(v)),
                );
                if let Some(r) = exp_read {
                    fail.path.iico.push((r, after - 1));
                    st.path.iico.push((r, after - 1));
                }
                fail.cas_fail = Some((exp_read, after - 1));
                let possible = if weak && spurious == Spurious::Yes {
                    true
                } else {
                    let ne = terms.binary(BinOp::Ne, old, expected, &mut new);
                    if new {
                        fail.path.ops.push(ne);
                    }
                    fail.path.cons.push(Cons::Truth(ne, true));
                    terms.konst(ne) != Some(0)
                };
                if possible {
                    let z = terms.constant(0);
                    fail.stack.push(old);
                    fail.stack.push(z);
                    work.push(fail);
                }
                // success: an RMW that read the expected value
                st.path.events.push(PEvent::Rmw {
                    loc,
                    ord: success,
                    var,
                    val: desired,
                    site,
                });
                st.path.cons.push(Cons::Equal(old, expected));
                let one = terms.constant(1);
                st.stack.push(expected);
                st.stack.push(one);
            }
            Insn::CasWriteback { exp, site } => {
                let n = st.stack.len();
                let cas_fail = st.cas_fail.take();
                if n >= 2 && terms.konst(st.stack[n - 1]) == Some(0) {
                    let val = st.stack[n - 2];
                    let w = st.path.events.len();
                    st.path.events.push(PEvent::Write {
                        loc: exp,
                        ord: StoreOrd::NonAtomic,
                        val,
                        site,
                    });
                    if let Some((exp_read, failed)) = cas_fail {
                        st.path.iico.extend(exp_read.map(|r| (r, w)));
                        st.path.iico.push((failed, w));
                    }
                }
            }
            Insn::Index { base, len, .. } => {
                let off = pop(terms, &mut st);
                match terms.konst(off) {
                    Some(o) if o >= 0 && (o as usize) < len => {
                        st.at = Some(base + o as usize);
                        st.at_term = Some(off);
                    }
                    Some(_) => {
                        st.path.failed = true;
                        sync_stmts(&mut st.path);
                        done.push(st.path);
                        return;
                    }
                    None => {
                        // one path per element, and one out of bounds
                        let mut out = st.clone();
                        for i in 0..len {
                            let k = terms.constant(i as i64);
                            let mut n2 = false;
                            let eq = terms.binary(BinOp::Eq, off, k, &mut n2);
                            let mut s = st.clone();
                            if n2 {
                                s.path.ops.push(eq);
                                out.path.ops.push(eq);
                            }
                            s.path.cons.push(Cons::Truth(eq, true));
                            out.path.cons.push(Cons::Truth(eq, false));
                            s.at = Some(base + i);
                            s.at_term = Some(off);
                            work.push(s);
                        }
                        out.path.failed = true;
                        sync_stmts(&mut out.path);
                        done.push(out.path);
                        return;
                    }
                }
            }
            Insn::Fence { ord, site } => {
                st.path.events.push(PEvent::Fence { ord, site });
                let z = terms.constant(0);
                st.stack.push(z);
            }
            Insn::LoopEnter { slot } => {
                if let Some(c) = st.loops.get_mut(slot) {
                    *c = 0;
                }
            }
            Insn::LoopBody { slot } => {
                if st.loops.get(slot).is_some_and(|&c| c >= UNROLL) {
                    // herd's CutOff: the execution is dropped
                    return;
                }
            }
            Insn::LoopHead { .. } => {}
            Insn::Seq => st.path.nstmts += 1,
            Insn::BackEdge { slot, head, .. } => {
                if let Some(c) = st.loops.get_mut(slot) {
                    *c += 1;
                }
                st.pc = head;
            }
        }
    }
}
