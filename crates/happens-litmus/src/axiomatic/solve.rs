//! The values of one candidate execution: the equations its `rf` makes (a
//! read's value is its write's value) and its paths' constraints, solved as
//! herd's solver does (`herd/valconstraint.ml`): variables equated to
//! variables are merged (union-find), a class equated to a constant takes
//! it, and terms are evaluated as their operands become known, until nothing
//! changes.
//!
//! A class left without a constant is a value no write determines: the
//! reads in it read each other's copies round an `rf` cycle (out of thin
//! air). Its values are reported as a symbol. An equation, constraint or
//! operation that stays undetermined (a thin-air value in arithmetic, a
//! comparison or a branch) has no solution herd accepts: the candidate is
//! not an execution.

use super::symbolic::{apply_rmw, Cons, Node, Path, TermId, Terms};
use crate::ast::BinOp;
use crate::interp::{binary, unary};
use happens_engine::RmwKind;

/// A value in a candidate: a term of a thread, a read's variable, or a
/// constant (an initial value).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Tref {
    Const(i64),
    /// A variable (a read's value), numbered across the candidate.
    Var(usize),
    /// A term of thread `t`.
    Term(usize, TermId),
}

/// A value after solving.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ev {
    Const(i64),
    /// An undetermined class of variables (by its representative).
    Class(usize),
    Undet,
}

/// The solver of one candidate.
pub(crate) struct Solver<'a> {
    terms: &'a [Terms],
    /// First variable of each thread's chosen path.
    base: &'a [usize],
    parent: Vec<usize>,
    val: Vec<Option<i64>>,
}

impl<'a> Solver<'a> {
    pub fn new(terms: &'a [Terms], base: &'a [usize], nvars: usize) -> Self {
        Solver {
            terms,
            base,
            parent: (0..nvars).collect(),
            val: vec![None; nvars],
        }
    }

    fn find(&mut self, mut v: usize) -> usize {
        while self.parent[v] != v {
            self.parent[v] = self.parent[self.parent[v]];
            v = self.parent[v];
        }
        v
    }

    fn var(&mut self, v: usize) -> Ev {
        let r = self.find(v);
        match self.val[r] {
            Some(c) => Ev::Const(c),
            None => Ev::Class(r),
        }
    }

    pub fn eval(&mut self, r: Tref) -> Ev {
        match r {
            Tref::Const(c) => Ev::Const(c),
            Tref::Var(v) => self.var(v),
            Tref::Term(t, id) => self.term(t, id),
        }
    }

    fn term(&mut self, t: usize, id: TermId) -> Ev {
        match self.terms[t].node(id) {
            Node::Const(c) => Ev::Const(c),
            Node::Read(k) => self.var(self.base[t] + k as usize),
            Node::Un(op, a) => match self.term(t, a) {
                Ev::Const(x) => Ev::Const(unary(op, x)),
                _ => Ev::Undet,
            },
            Node::Bin(op, a, b) => {
                let (x, y) = (self.term(t, a), self.term(t, b));
                match (op, x, y) {
                    (_, Ev::Const(x), Ev::Const(y)) => Ev::Const(binary(op, x, y)),
                    (BinOp::Add | BinOp::Or, Ev::Const(0), o)
                    | (BinOp::Add | BinOp::Or, o, Ev::Const(0)) => o,
                    (BinOp::BitXor, Ev::Class(c), Ev::Class(d)) if c == d => Ev::Const(0),
                    (BinOp::Eq, Ev::Class(c), Ev::Class(d)) if c == d => Ev::Const(1),
                    (BinOp::Ne, Ev::Class(c), Ev::Class(d)) if c == d => Ev::Const(0),
                    _ => Ev::Undet,
                }
            }
            Node::Rmw(kind, old, operand) => {
                let (o, x) = (self.term(t, old), self.term(t, operand));
                match (o, x) {
                    (_, x) if kind == RmwKind::Swap => x,
                    (Ev::Const(o), Ev::Const(x)) => Ev::Const(apply_rmw(kind, o, x)),
                    (o, Ev::Const(0)) if matches!(kind, RmwKind::Add | RmwKind::Or) => o,
                    _ => Ev::Undet,
                }
            }
        }
    }

    /// Makes `a` and `b` equal if they can be now: `Err` on a
    /// contradiction, `Ok(true)` if something changed.
    fn unify(&mut self, a: Ev, b: Ev) -> Result<bool, ()> {
        match (a, b) {
            (Ev::Const(x), Ev::Const(y)) => {
                if x == y {
                    Ok(false)
                } else {
                    Err(())
                }
            }
            (Ev::Class(c), Ev::Const(y)) | (Ev::Const(y), Ev::Class(c)) => {
                self.val[c] = Some(y);
                Ok(true)
            }
            (Ev::Class(c), Ev::Class(d)) => {
                if c != d {
                    self.parent[c] = d;
                    Ok(true)
                } else {
                    Ok(false)
                }
            }
            _ => Ok(false),
        }
    }

    /// Solves `eqs` and the constraints and operations of each thread's
    /// chosen path (`paths[t]`); `false` if there is no solution herd
    /// accepts.
    pub fn solve(&mut self, eqs: &[(Tref, Tref)], paths: &[&Path]) -> bool {
        let mut all: Vec<(Tref, Tref)> = eqs.to_vec();
        for (t, p) in paths.iter().enumerate() {
            for c in &p.cons {
                if let Cons::Equal(a, b) = *c {
                    all.push((Tref::Term(t, a), Tref::Term(t, b)));
                }
            }
        }
        loop {
            let mut changed = false;
            for &(a, b) in &all {
                let (x, y) = (self.eval(a), self.eval(b));
                match self.unify(x, y) {
                    Err(()) => return false,
                    Ok(c) => changed |= c,
                }
            }
            if !changed {
                break;
            }
        }
        for &(a, b) in &all {
            match (self.eval(a), self.eval(b)) {
                (Ev::Const(x), Ev::Const(y)) if x == y => {}
                (Ev::Class(c), Ev::Class(d)) if c == d => {}
                _ => return false,
            }
        }
        for (t, p) in paths.iter().enumerate() {
            for c in &p.cons {
                if let Cons::Truth(a, want) = *c {
                    match self.term(t, a) {
                        Ev::Const(v) if (v != 0) == want => {}
                        _ => return false,
                    }
                }
            }
            for &op in &p.ops {
                if self.term(t, op) == Ev::Undet {
                    return false;
                }
            }
        }
        true
    }
}
