//! herd's names for out-of-thin-air values (`S8`), for the tests whose
//! threads are loads, stores, register arithmetic and `if`s (every test of
//! the corpus that has such values).
//!
//! herd names a value no write determines after the solver variable that
//! represents its class. Its C semantics makes a fresh variable, counting
//! from 1 across the threads in order, for every register read (a pointer
//! parameter naming a location included), every memory read, and every
//! operation whose result is not known yet (`x + 0` and `x | 0` are `x`;
//! anything else on a variable is a new one: two reads of one register are
//! two variables, so `r ^ r` is too). Its solver (`herd/valconstraint.ml`)
//! merges variables with a union-find by rank (on a tie the first argument
//! becomes the root): first the register equations, `read := written`, in
//! the order of the reads, then, in a new partition over their roots, the
//! memory equations `load := store` of the execution's `rf`, the last load
//! first. The name is `S` and the root. We replay exactly that: for the
//! corpus's 13 tests with such values the names are herd's.
//!
//! For any other test (control flow, RMWs, fences, arrays, the Rust-flavoured
//! syntax) [`HerdVars::of`] returns `None` and symbols are numbered per
//! state instead (`S1`, `S2`, …).

use crate::ast::{BinOp, Expr, MemOp, Stmt, StmtKind, Syntax, Test};

/// A read of an execution: (thread, index among the thread's reads, the
/// write it reads as (thread, index among that thread's stores), `None`
/// for an initial write).
pub(crate) type Load = (usize, usize, Option<(usize, usize)>);

/// A herd value: a variable or a constant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum HVal {
    Var(usize),
    Const,
}

/// herd's variables of one path through a thread.
#[derive(Clone, Debug, Default)]
struct HPath {
    /// The outcome of each `if` on the path (`true`: the condition held).
    decisions: Vec<bool>,
    /// The variable of each memory read, in order.
    reads: Vec<usize>,
    /// The value (its variable, if any) of each store, in order.
    stores: Vec<Option<usize>>,
    /// (register read, value it reads), in the order of the reads.
    reg_eqs: Vec<(usize, usize)>,
    /// The value each register holds.
    regs: Vec<HVal>,
    /// The root of each variable after the register equations.
    root: Vec<(usize, usize)>,
}

impl HPath {
    fn root(&self, v: usize) -> usize {
        self.root.iter().find(|r| r.0 == v).map_or(v, |r| r.1)
    }
}

/// herd's variables of a test: every path of every thread.
#[derive(Clone, Debug)]
pub(crate) struct HerdVars {
    threads: Vec<Vec<HPath>>,
    /// How many variables herd makes.
    nvars: usize,
}

/// Union-find by rank, herd's `Partition`.
struct Partition {
    parent: Vec<usize>,
    rank: Vec<u32>,
}

impl Partition {
    fn new(n: usize) -> Self {
        Partition {
            parent: (0..n).collect(),
            rank: vec![0; n],
        }
    }
    fn find(&mut self, mut v: usize) -> usize {
        while self.parent[v] != v {
            v = self.parent[v];
        }
        v
    }
    /// herd's `union_aux`: the higher rank wins; on a tie, `a`'s root.
    fn union(&mut self, a: usize, b: usize) {
        let (d1, d2) = (self.find(a), self.find(b));
        if d1 == d2 {
            return;
        }
        if self.rank[d1] > self.rank[d2] {
            self.parent[d2] = d1;
        } else if self.rank[d2] > self.rank[d1] {
            self.parent[d1] = d2;
        } else {
            self.parent[d2] = d1;
            self.rank[d1] += 1;
        }
    }
}

struct Numbering {
    next: usize,
}

impl Numbering {
    fn fresh(&mut self) -> usize {
        self.next += 1;
        self.next
    }

    /// Numbers `stmts` from path state `p`: every path through them, in
    /// herd's order (at an `if`, both branches, the `then` one first, then
    /// the code after it once for each of the branches' outcomes).
    fn block(&mut self, stmts: &[Stmt], mut p: HPath) -> Option<Vec<HPath>> {
        for (i, s) in stmts.iter().enumerate() {
            match &s.kind {
                StmtKind::Assign { reg, value } => {
                    let v = self.expr(value, &mut p)?;
                    *p.regs.get_mut(*reg)? = v;
                }
                StmtKind::Eval(Expr::Mem(m)) => match &**m {
                    MemOp::Store { value, .. } => {
                        // the pointer parameter, then the value
                        self.fresh();
                        let v = self.expr(value, &mut p)?;
                        p.stores.push(match v {
                            HVal::Var(v) => Some(v),
                            HVal::Const => None,
                        });
                    }
                    MemOp::Load { .. } => {
                        self.expr(&Expr::Mem(m.clone()), &mut p)?;
                    }
                    _ => return None,
                },
                StmtKind::Hint => {}
                StmtKind::If { cond, then, els } => {
                    // herd forks only on a condition it cannot compute yet
                    if self.expr(cond, &mut p)? == HVal::Const {
                        return None;
                    }
                    let mut outs = Vec::new();
                    for (d, b) in [(true, then), (false, els)] {
                        let mut q = p.clone();
                        q.decisions.push(d);
                        outs.extend(self.block(b, q)?);
                    }
                    let mut all = Vec::new();
                    for q in outs {
                        all.extend(self.block(&stmts[i + 1..], q)?);
                    }
                    return Some(all);
                }
                _ => return None,
            }
        }
        Some(vec![p])
    }

    fn expr(&mut self, e: &Expr, p: &mut HPath) -> Option<HVal> {
        Some(match e {
            Expr::Int(_) => HVal::Const,
            Expr::Reg(r) => {
                let v = self.fresh();
                if let Some(&HVal::Var(w)) = p.regs.get(*r) {
                    p.reg_eqs.push((v, w));
                }
                HVal::Var(v)
            }
            Expr::Unary(_, a) => match self.expr(a, p)? {
                HVal::Const => HVal::Const,
                HVal::Var(_) => HVal::Var(self.fresh()),
            },
            Expr::Binary(op, a, b) => {
                if matches!(op, BinOp::And | BinOp::Or) {
                    // short-circuit: control flow
                    return None;
                }
                let x = self.expr(a, p)?;
                let y = self.expr(b, p)?;
                let zero = |e: &Expr| matches!(e, Expr::Int(0));
                match (op, x, y) {
                    (_, HVal::Const, HVal::Const) => HVal::Const,
                    (BinOp::Add | BinOp::BitOr, _, y) if zero(a) => y,
                    (BinOp::Add | BinOp::BitOr, x, _) if zero(b) => x,
                    _ => HVal::Var(self.fresh()),
                }
            }
            Expr::Mem(m) => match &**m {
                MemOp::Load { .. } => {
                    // the pointer parameter, then the memory read
                    self.fresh();
                    let v = self.fresh();
                    p.reads.push(v);
                    HVal::Var(v)
                }
                _ => return None,
            },
        })
    }
}

impl HerdVars {
    /// herd's variables of `test`, if its threads are made only of loads,
    /// stores, register assignments and `if`s (herd syntax).
    pub fn of(test: &Test) -> Option<HerdVars> {
        if test.syntax != Syntax::Herd {
            return None;
        }
        let mut n = Numbering { next: 0 };
        let mut threads = Vec::new();
        for th in &test.threads {
            let start = HPath {
                regs: vec![HVal::Const; th.registers.len()],
                ..HPath::default()
            };
            let mut paths = n.block(&th.body, start)?;
            for p in &mut paths {
                // herd's constraints list is built by prepending: the last
                // read's equation comes first
                let mut part = Partition::new(n.next + 1);
                for &(read, value) in p.reg_eqs.iter().rev() {
                    part.union(read, value);
                }
                let vars: Vec<usize> = p.reg_eqs.iter().flat_map(|&(a, b)| [a, b]).collect();
                p.root = vars.into_iter().map(|v| (v, part.find(v))).collect();
            }
            threads.push(paths);
        }
        Some(HerdVars {
            threads,
            nvars: n.next,
        })
    }

    /// herd's name (its variable) for the value of each read in `loads`
    /// ([`Load`], in execution order), given each thread's `if` outcomes.
    /// `None` if the reads do not match the numbering.
    pub fn names(&self, decisions: &[&[bool]], loads: &[Load]) -> Option<Vec<usize>> {
        let paths: Vec<&HPath> = self
            .threads
            .iter()
            .zip(decisions)
            .map(|(ps, d)| ps.iter().find(|p| p.decisions == *d))
            .collect::<Option<_>>()?;
        let mut part = Partition::new(self.nvars + 1);
        let read = |t: usize, k: usize| -> Option<usize> {
            let p = paths.get(t)?;
            Some(p.root(*p.reads.get(k)?))
        };
        for &(t, k, src) in loads.iter().rev() {
            let load = read(t, k)?;
            if let Some((u, j)) = src {
                let p = paths.get(u)?;
                if let Some(store) = *p.stores.get(j)? {
                    part.union(load, p.root(store));
                }
            }
        }
        loads
            .iter()
            .map(|&(t, k, _)| Some(part.find(read(t, k)?)))
            .collect()
    }
}
