//! herd's names for out-of-thin-air values (`S8`), for the tests whose
//! threads are straight-line loads, stores and register arithmetic (every
//! test of the corpus that has such values).
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

use crate::ast::{BinOp, Expr, MemOp, StmtKind, Syntax, Test};

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

/// herd's variables of a test, and the register phase of its solver.
#[derive(Clone, Debug)]
pub(crate) struct HerdVars {
    /// Per thread, the variable of each memory read, in order.
    reads: Vec<Vec<usize>>,
    /// Per thread, the value (its variable, if any) of each store, in order.
    stores: Vec<Vec<Option<usize>>>,
    /// The roots after the register equations (index: variable).
    reg_root: Vec<usize>,
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
    reads: Vec<usize>,
    stores: Vec<Option<usize>>,
    /// (register read, value it reads) in the order of the reads.
    reg_eqs: Vec<(usize, usize)>,
    /// The value each register holds.
    regs: Vec<HVal>,
}

impl Numbering {
    fn fresh(&mut self) -> usize {
        self.next += 1;
        self.next
    }

    fn expr(&mut self, e: &Expr) -> Option<HVal> {
        Some(match e {
            Expr::Int(_) => HVal::Const,
            Expr::Reg(r) => {
                let v = self.fresh();
                if let Some(&HVal::Var(w)) = self.regs.get(*r) {
                    self.reg_eqs.push((v, w));
                }
                HVal::Var(v)
            }
            Expr::Unary(_, a) => match self.expr(a)? {
                HVal::Const => HVal::Const,
                HVal::Var(_) => HVal::Var(self.fresh()),
            },
            Expr::Binary(op, a, b) => {
                if matches!(op, BinOp::And | BinOp::Or) {
                    // short-circuit: control flow
                    return None;
                }
                let (x, y) = (self.expr(a)?, self.expr(b)?);
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
                    self.reads.push(v);
                    HVal::Var(v)
                }
                _ => return None,
            },
        })
    }
}

impl HerdVars {
    /// herd's variables of `test`, if its threads are made only of loads,
    /// stores and register assignments (herd syntax).
    pub fn of(test: &Test) -> Option<HerdVars> {
        if test.syntax != Syntax::Herd {
            return None;
        }
        let mut n = Numbering {
            next: 0,
            reads: Vec::new(),
            stores: Vec::new(),
            reg_eqs: Vec::new(),
            regs: Vec::new(),
        };
        let mut reads = Vec::new();
        let mut stores = Vec::new();
        for th in &test.threads {
            n.regs = vec![HVal::Const; th.registers.len()];
            for s in &th.body {
                match &s.kind {
                    StmtKind::Assign { reg, value } => {
                        let v = n.expr(value)?;
                        *n.regs.get_mut(*reg)? = v;
                    }
                    StmtKind::Eval(Expr::Mem(m)) => match &**m {
                        MemOp::Store { value, .. } => {
                            // the pointer parameter, then the value
                            n.fresh();
                            let v = n.expr(value)?;
                            n.stores.push(match v {
                                HVal::Var(v) => Some(v),
                                HVal::Const => None,
                            });
                        }
                        MemOp::Load { .. } => {
                            n.expr(&Expr::Mem(m.clone()))?;
                        }
                        _ => return None,
                    },
                    StmtKind::Hint => {}
                    _ => return None,
                }
            }
            reads.push(std::mem::take(&mut n.reads));
            stores.push(std::mem::take(&mut n.stores));
        }
        let mut p = Partition::new(n.next + 1);
        // herd's constraints list is built by prepending: the last read's
        // equation comes first
        for &(read, value) in n.reg_eqs.iter().rev() {
            p.union(read, value);
        }
        let reg_root = (0..=n.next).map(|v| p.find(v)).collect();
        Some(HerdVars {
            reads,
            stores,
            reg_root,
        })
    }

    /// herd's name (its variable) for the value of each read in `reads`,
    /// given the execution's `rf`: `loads` lists every read ([`Load`]) in
    /// execution order. `None` if the reads do not match the numbering.
    pub fn names(&self, loads: &[Load]) -> Option<Vec<usize>> {
        let mut p = Partition::new(self.reg_root.len());
        for &(t, k, src) in loads.iter().rev() {
            let load = self.reg_root[*self.reads.get(t)?.get(k)?];
            if let Some((u, j)) = src {
                if let Some(store) = *self.stores.get(u)?.get(j)? {
                    p.union(load, self.reg_root[store]);
                }
            }
        }
        loads
            .iter()
            .map(|&(t, k, _)| {
                let v = *self.reads.get(t)?.get(k)?;
                Some(p.find(self.reg_root[v]))
            })
            .collect()
    }
}
