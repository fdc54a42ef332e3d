//! The abstract syntax both parsers produce. Names are resolved: locations
//! are indices into [`Test::locations`], registers indices into their
//! thread's [`Thread::registers`].

use happens_engine::{FenceOrd, LoadOrd, RmwKind, RmwOrd, StoreOrd};

/// Index of a location in [`Test::locations`].
pub type LocIdx = usize;
/// Index of a register in [`Thread::registers`].
pub type RegId = usize;

/// Which syntax a test was written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Syntax {
    /// herd7's C litmus format.
    Herd,
    /// The Rust-flavoured format of [`crate::parser_rust`].
    Rust,
}

/// A parsed litmus test.
#[derive(Clone, Debug, PartialEq)]
pub struct Test {
    pub name: String,
    pub syntax: Syntax,
    /// The file name given to [`crate::parse`].
    pub file: String,
    /// Shared locations in declaration order.
    pub locations: Vec<Location>,
    pub threads: Vec<Thread>,
    pub condition: Option<Condition>,
    /// Extra keys to observe (herd's `locations [...]`, our `observe ...;`).
    pub observed: Vec<Key>,
}

/// A shared memory location.
#[derive(Clone, Debug, PartialEq)]
pub struct Location {
    pub name: String,
    pub init: i64,
    /// Declared atomic (informational: atomicity is a property of each access).
    pub atomic: bool,
    pub line: u32,
    /// For the first element of an array (`int y[2]`), its length; the other
    /// elements follow it in [`Test::locations`].
    pub array_len: Option<usize>,
}

/// A thread of the test.
#[derive(Clone, Debug, PartialEq)]
pub struct Thread {
    /// `P0`, `t1`, …
    pub name: String,
    /// Register names; every register starts at 0.
    pub registers: Vec<String>,
    pub body: Vec<Stmt>,
    pub line: u32,
}

/// A statement with its source position and text (for labels and reports).
#[derive(Clone, Debug, PartialEq)]
pub struct Stmt {
    pub kind: StmtKind,
    pub line: u32,
    /// The statement's source text (for `if`/`while`, only the header).
    pub text: String,
}

#[derive(Clone, Debug, PartialEq)]
pub enum StmtKind {
    /// `int r = e;`, `r = e;`, `let r = e;`
    Assign {
        reg: RegId,
        value: Expr,
    },
    /// `let (old, ok) = x.compare_exchange(...)`.
    CasPair {
        old: RegId,
        ok: RegId,
        cas: Cas,
    },
    /// An expression evaluated for its effect (`atomic_store_explicit(...)`).
    Eval(Expr),
    If {
        cond: Expr,
        then: Vec<Stmt>,
        els: Vec<Stmt>,
    },
    While {
        cond: Expr,
        body: Vec<Stmt>,
    },
    /// `spin_loop()` / `yield_now()`: no memory effect.
    Hint,
}

/// An integer expression (values are `i64`; comparisons give 1 or 0).
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    Int(i64),
    Reg(RegId),
    Unary(UnOp, Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// A memory operation; its value is what it returns (0 for stores and fences).
    Mem(Box<MemOp>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnOp {
    Neg,
    /// Logical not (`!e`: 1 if e is 0).
    Not,
    /// Bitwise not (`~e` in C).
    BitNot,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    /// Division (truncating; by zero gives 0).
    Div,
    /// Remainder (by zero gives 0).
    Rem,
    BitAnd,
    BitOr,
    BitXor,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    /// Short-circuit.
    And,
    /// Short-circuit.
    Or,
}

/// A memory operation on a shared location.
#[derive(Clone, Debug, PartialEq)]
pub enum MemOp {
    /// Atomic load, or a non-atomic read (`LoadOrd::NonAtomic`).
    Load {
        loc: LocIdx,
        ord: LoadOrd,
    },
    /// Atomic store, or a non-atomic write.
    Store {
        loc: LocIdx,
        value: Expr,
        ord: StoreOrd,
    },
    /// Read-modify-write; returns the old value.
    Rmw {
        loc: LocIdx,
        kind: RmwKind,
        operand: Expr,
        ord: RmwOrd,
    },
    Cas(Cas),
    Fence(FenceOrd),
    /// `op` on element `offset` of the array that starts at `base` and has
    /// `len` elements (herd: `atomic_load_explicit(y+r0, ...)`); `op`'s own
    /// location is `base`. An offset outside the array fails the thread.
    At {
        base: LocIdx,
        len: usize,
        offset: Expr,
        op: Box<MemOp>,
    },
}

/// A compare-exchange.
#[derive(Clone, Debug, PartialEq)]
pub struct Cas {
    pub loc: LocIdx,
    pub expected: CasExpected,
    pub desired: Expr,
    pub success: RmwOrd,
    pub failure: LoadOrd,
    pub weak: bool,
    pub result: CasResult,
}

/// Where a compare-exchange gets the value it compares against.
#[derive(Clone, Debug, PartialEq)]
pub enum CasExpected {
    /// An expression (Rust).
    Value(Expr),
    /// herd: a non-atomic location, read before the CAS; a failed CAS writes
    /// the value it saw back into it (non-atomically).
    InLocation(LocIdx),
}

/// What a compare-exchange expression evaluates to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CasResult {
    /// The value read (Rust: `x.compare_exchange(..)` as a value).
    Old,
    /// 1 on success, 0 on failure (herd; Rust `.is_ok()`).
    Succeeded,
}

/// A final-state key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Key {
    /// Register `reg` of thread `thread` (index into [`Test::threads`]).
    Reg { thread: usize, reg: RegId },
    /// Final value of a location.
    Loc(LocIdx),
}

/// The quantifier of the final condition.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Quantifier {
    Exists,
    NotExists,
    Forall,
}

/// `exists (...)`, `~exists (...)`, `forall (...)`.
#[derive(Clone, Debug, PartialEq)]
pub struct Condition {
    pub quantifier: Quantifier,
    pub prop: Prop,
    /// The condition as written (normalised whitespace).
    pub text: String,
}

/// A proposition over final-state keys.
#[derive(Clone, Debug, PartialEq)]
pub enum Prop {
    True,
    False,
    /// `key = value` (`eq`) or `key != value`.
    Atom {
        key: Key,
        eq: bool,
        value: i64,
    },
    Not(Box<Prop>),
    And(Box<Prop>, Box<Prop>),
    Or(Box<Prop>, Box<Prop>),
}

impl Prop {
    /// The keys the proposition mentions, in order of first mention.
    pub fn keys(&self, out: &mut Vec<Key>) {
        match self {
            Prop::True | Prop::False => {}
            Prop::Atom { key, .. } => {
                if !out.contains(key) {
                    out.push(*key);
                }
            }
            Prop::Not(p) => p.keys(out),
            Prop::And(a, b) | Prop::Or(a, b) => {
                a.keys(out);
                b.keys(out);
            }
        }
    }
}

impl Test {
    /// The printed name of a key: `0:r0` / `t1.r1` for registers, `x` for locations.
    pub fn key_name(&self, k: Key) -> String {
        match k {
            Key::Loc(l) => self.locations[l].name.clone(),
            Key::Reg { thread, reg } => {
                let th = &self.threads[thread];
                match self.syntax {
                    Syntax::Herd => format!("{thread}:{}", th.registers[reg]),
                    Syntax::Rust => format!("{}.{}", th.name, th.registers[reg]),
                }
            }
        }
    }

    /// The keys of the final states: those named in the condition and in
    /// the observed list, or, if there are none, every register and location.
    pub fn state_keys(&self) -> Vec<Key> {
        let mut keys = Vec::new();
        if let Some(c) = &self.condition {
            c.prop.keys(&mut keys);
        }
        for k in &self.observed {
            if !keys.contains(k) {
                keys.push(*k);
            }
        }
        if keys.is_empty() {
            for (t, th) in self.threads.iter().enumerate() {
                for r in 0..th.registers.len() {
                    keys.push(Key::Reg { thread: t, reg: r });
                }
            }
            for l in 0..self.locations.len() {
                keys.push(Key::Loc(l));
            }
        }
        keys.sort();
        keys
    }
}
