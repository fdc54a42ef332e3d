//! The Rust-flavoured litmus format.
//!
//! ```text
//! // message passing
//! litmus MP_rel_acq
//! let x: AtomicUsize = 0;        // atomic location (any `Atomic*` type)
//! let data = 0;                  // plain (non-atomic) location
//! thread t1 { data = 42; x.store(1, Release); }
//! thread t2 { let r1 = x.load(Acquire); if r1 == 1 { let r2 = data; } }
//! observe x, t1.r0;              // optional: extra keys of the final states
//! exists (t2.r1 == 1 && t2.r2 == 0)
//! ```
//!
//! Grammar (`//` and `/* */` comments anywhere):
//!
//! ```text
//! file      := 'litmus' NAME-TO-END-OF-LINE item*
//! item      := 'let' ['mut'] NAME [':' TYPE] '=' INIT ';'
//!            | 'thread' NAME block
//!            | 'observe' key (',' key)* ';'
//!            | ('exists' | 'forall' | '~exists' | '!exists') cond
//! INIT      := ['-'] INT | 'true' | 'false' | TYPE '::' 'new' '(' INIT ')'
//! block     := '{' stmt* '}'
//! stmt      := 'let' ['mut'] REG [':' TYPE] '=' expr ';'
//!            | 'let' '(' REG ',' REG ')' '=' LOC '.' cas ';'   // (old value, success 1/0)
//!            | NAME '=' expr ';'       // register, or non-atomic store to a plain location
//!            | 'if' expr block ['else' (block | if-stmt)]
//!            | 'while' expr block
//!            | expr ';'                // e.g. x.store(1, Release); fence(SeqCst);
//!            | 'spin_loop' '(' ')' ';' | 'yield_now' '(' ')' ';'   (no-ops; paths allowed)
//! expr      := Rust operators  || && == != < <= > >= | ^ & + - *, unary - !
//!            | INT | 'true' | 'false' | REG | LOC (non-atomic read of a plain location)
//!            | LOC '.' method '(' args ')' ['.is_ok()' | '.is_err()']
//!            | 'fence' '(' ORD ')'
//! method    := load(o) | store(v, o) | swap(v, o) | fetch_add|fetch_sub|fetch_and|fetch_or
//!            | fetch_xor|fetch_nand|fetch_max|fetch_min (v, o)
//!            | compare_exchange[_weak](current, new, success, failure)
//! ORD       := [path '::'] (Relaxed | Acquire | Release | AcqRel | SeqCst)
//! cond      := cond '||' cond | cond '&&' cond | '!' cond | '(' cond ')' | 'true' | 'false'
//!            | key ('==' | '!=') ['-'] INT
//! key       := THREAD '.' REG | LOC
//! ```
//!
//! Values are `i64`. Every RMW returns the old value. A compare-exchange used
//! as a value evaluates to the old value it read; `.is_ok()` gives 1 on
//! success and 0 on failure (`.is_err()` the opposite); `let (old, ok) = ...`
//! binds both. `!e` is 1 when `e` is 0, else 0. Registers start at 0.

use happens_engine::{FenceOrd, LoadOrd, RmwKind, StoreOrd};

use crate::ast::*;
use crate::condition::Conditions;
use crate::diag::Diagnostic;
use crate::lexer::{lex, Cursor, Tok, Token};
use crate::ordering::Written as Ord5;
use crate::precedence::BinaryExprs;

mod expr;

/// Parses a Rust-syntax test; `body` is the byte offset just after the header line.
pub(crate) fn parse(file: &str, text: &str, name: String, body: usize) -> Result<Test, Diagnostic> {
    let toks = lex(file, text, body, false)?;
    let mut p = RustParser {
        cur: Cursor::new(file, text, toks),
        test: Test {
            name,
            syntax: Syntax::Rust,
            file: file.to_string(),
            locations: Vec::new(),
            threads: Vec::new(),
            condition: None,
            observed: Vec::new(),
        },
        regs: Vec::new(),
    };
    p.items()?;
    if p.test.threads.is_empty() {
        return Err(p.cur.expected("a thread such as `thread t1 { ... }`"));
    }
    Ok(p.test)
}

struct RustParser<'a> {
    cur: Cursor<'a>,
    test: Test,
    regs: Vec<String>,
}

impl<'a> RustParser<'a> {
    fn items(&mut self) -> Result<(), Diagnostic> {
        loop {
            let t = self.cur.peek().clone();
            match &t.tok {
                Tok::Eof => return Ok(()),
                Tok::Punct(";") => {
                    self.cur.next();
                }
                Tok::Ident(w) if w == "let" || w == "static" => {
                    self.cur.next();
                    self.location(&t)?;
                }
                Tok::Ident(w) if w == "thread" => {
                    self.cur.next();
                    self.thread()?;
                }
                Tok::Ident(w) if w == "observe" => {
                    self.cur.next();
                    loop {
                        let k = self.key()?;
                        if !self.test.observed.contains(&k) {
                            self.test.observed.push(k);
                        }
                        if !self.cur.eat_punct(",") {
                            break;
                        }
                    }
                    self.cur.expect_punct(";")?;
                }
                Tok::Ident(w) if w == "exists" || w == "forall" => {
                    let q = if w == "exists" {
                        Quantifier::Exists
                    } else {
                        Quantifier::Forall
                    };
                    self.cur.next();
                    self.condition(q, &t)?;
                }
                Tok::Punct("~") | Tok::Punct("!") if matches!(self.cur.peek_at(1), Tok::Ident(w) if w == "exists") =>
                {
                    self.cur.next();
                    self.cur.next();
                    self.condition(Quantifier::NotExists, &t)?;
                }
                _ => {
                    return Err(self
                        .cur
                        .expected("`let`, `thread`, `observe`, `exists`, `~exists` or `forall`"))
                }
            }
        }
    }

    fn location(&mut self, _kw: &Token) -> Result<(), Diagnostic> {
        self.cur.eat_ident("mut");
        let (name, tok) = self.cur.expect_ident("a location name")?;
        if self.test.locations.iter().any(|l| l.name == name) {
            return Err(self
                .cur
                .error_at(&tok, format!("location `{name}` is declared twice")));
        }
        let mut atomic = false;
        if self.cur.eat_punct(":") {
            atomic = self.ty()?;
        }
        self.cur.expect_punct("=")?;
        let (init, ctor_atomic) = self.init_value()?;
        self.cur.expect_punct(";")?;
        self.test.locations.push(Location {
            name,
            init,
            atomic: atomic || ctor_atomic,
            line: tok.line,
            array_len: None,
        });
        Ok(())
    }

    /// A type path; true if it names an atomic type.
    fn ty(&mut self) -> Result<bool, Diagnostic> {
        let (mut last, _) = self.cur.expect_ident("a type")?;
        while self.cur.eat_punct("::") {
            last = self.cur.expect_ident("a type")?.0;
        }
        if self.cur.eat_punct("<") {
            self.ty()?;
            self.cur.expect_punct(">")?;
        }
        Ok(last.starts_with("Atomic"))
    }

    /// `0`, `-1`, `true`, `AtomicUsize::new(0)`; second: written with an atomic constructor.
    fn init_value(&mut self) -> Result<(i64, bool), Diagnostic> {
        if self.cur.eat_punct("-") {
            return match self.cur.peek().tok {
                Tok::Int(v) => {
                    self.cur.next();
                    Ok((v.wrapping_neg(), false))
                }
                _ => Err(self.cur.expected("an integer")),
            };
        }
        match &self.cur.peek().tok {
            Tok::Int(v) => {
                let v = *v;
                self.cur.next();
                Ok((v, false))
            }
            Tok::Ident(w) if w == "true" || w == "false" => {
                let v = (w == "true") as i64;
                self.cur.next();
                Ok((v, false))
            }
            Tok::Ident(_) => {
                let (mut last, _) = self.cur.expect_ident("a type")?;
                let mut ty = last.clone();
                while self.cur.eat_punct("::") {
                    ty = last;
                    last = self.cur.expect_ident("`new`")?.0;
                }
                if last != "new" {
                    return Err(self.cur.expected("`::new(...)` after the type"));
                }
                self.cur.expect_punct("(")?;
                let (v, _) = self.init_value()?;
                self.cur.expect_punct(")")?;
                Ok((v, ty.starts_with("Atomic")))
            }
            _ => Err(self.cur.expected("an initial value such as `0`")),
        }
    }

    fn thread(&mut self) -> Result<(), Diagnostic> {
        let (name, tok) = self.cur.expect_ident("a thread name")?;
        if self.test.threads.iter().any(|t| t.name == name) {
            return Err(self
                .cur
                .error_at(&tok, format!("thread `{name}` is declared twice")));
        }
        if self.test.locations.iter().any(|l| l.name == name) {
            return Err(self
                .cur
                .error_at(&tok, format!("thread `{name}` has the name of a location")));
        }
        self.regs.clear();
        let body = self.block()?;
        self.test.threads.push(Thread {
            name,
            registers: std::mem::take(&mut self.regs),
            body,
            line: tok.line,
        });
        Ok(())
    }

    fn block(&mut self) -> Result<Vec<Stmt>, Diagnostic> {
        let open = self.cur.expect_punct("{")?;
        let mut out = Vec::new();
        loop {
            if self.cur.eat_punct("}") {
                return Ok(out);
            }
            if self.cur.peek().tok == Tok::Eof {
                let t = self.cur.peek();
                return Err(self.cur.error_at(
                    t,
                    format!("unterminated block (opened at line {})", open.line),
                ));
            }
            self.stmt(&mut out)?;
        }
    }

    fn stmt(&mut self, out: &mut Vec<Stmt>) -> Result<(), Diagnostic> {
        self.cur.enter()?;
        let r = self.stmt_inner(out);
        self.cur.leave();
        r
    }

    fn stmt_inner(&mut self, out: &mut Vec<Stmt>) -> Result<(), Diagnostic> {
        let first = self.cur.peek().clone();
        let start = first.start;
        if self.cur.eat_punct(";") {
            return Ok(());
        }
        if self.cur.eat_ident("if") {
            out.push(self.if_rest(&first)?);
            return Ok(());
        }
        if self.cur.eat_ident("while") {
            let cond = self.expr()?;
            let text = self.cur.text_from(start);
            let body = self.block()?;
            out.push(Stmt {
                kind: StmtKind::While { cond, body },
                line: first.line,
                text,
            });
            return Ok(());
        }
        let kind = if self.cur.eat_ident("let") {
            self.cur.eat_ident("mut");
            if self.cur.eat_punct("(") {
                let (a, at) = self.cur.expect_ident("a register name")?;
                self.cur.expect_punct(",")?;
                let (b, bt) = self.cur.expect_ident("a register name")?;
                self.cur.expect_punct(")")?;
                self.cur.expect_punct("=")?;
                let old = self.declare_reg(&a, &at)?;
                let ok = self.declare_reg(&b, &bt)?;
                let et = self.cur.peek().clone();
                match self.expr()? {
                    Expr::Mem(m) => match *m {
                        MemOp::Cas(cas) => StmtKind::CasPair { old, ok, cas },
                        _ => {
                            return Err(self.cur.error_at(
                                &et,
                                "expected a `compare_exchange` call to bind `(old, ok)`",
                            ))
                        }
                    },
                    _ => {
                        return Err(self.cur.error_at(
                            &et,
                            "expected a `compare_exchange` call to bind `(old, ok)`",
                        ))
                    }
                }
            } else {
                let (name, tok) = self.cur.expect_ident("a register name")?;
                if self.cur.eat_punct(":") {
                    self.ty()?;
                }
                self.cur.expect_punct("=")?;
                let value = self.expr()?;
                let reg = self.declare_reg(&name, &tok)?;
                StmtKind::Assign { reg, value }
            }
        } else if matches!(first.tok, Tok::Ident(_))
            && matches!(self.cur.peek_at(1), Tok::Punct("="))
        {
            let (name, tok) = self.cur.expect_ident("a name")?;
            self.cur.next();
            let value = self.expr()?;
            if let Some(reg) = self.regs.iter().position(|r| *r == name) {
                StmtKind::Assign { reg, value }
            } else if let Some(loc) = self.test.locations.iter().position(|l| l.name == name) {
                if self.test.locations[loc].atomic {
                    return Err(self.cur.error_at(
                        &tok,
                        format!("`{name}` is atomic: write `{name}.store(value, ordering)`"),
                    ));
                }
                StmtKind::Eval(Expr::Mem(Box::new(MemOp::Store {
                    loc,
                    value,
                    ord: StoreOrd::NonAtomic,
                })))
            } else {
                return Err(self.cur.error_at(
                    &tok,
                    format!(
                        "undeclared name `{name}` (declare a register with `let {name} = ...;`)"
                    ),
                ));
            }
        } else if let Some(()) = self.hint()? {
            StmtKind::Hint
        } else {
            StmtKind::Eval(self.expr()?)
        };
        self.cur.expect_punct(";")?;
        out.push(Stmt {
            kind,
            line: first.line,
            text: self.cur.text_from(start),
        });
        Ok(())
    }

    /// After `if`: `cond { } [else { } | else if ...]`.
    fn if_rest(&mut self, first: &Token) -> Result<Stmt, Diagnostic> {
        let cond = self.expr()?;
        let text = self.cur.text_from(first.start);
        let then = self.block()?;
        let els = if self.cur.eat_ident("else") {
            if self.cur.is_ident("if") {
                let t = self.cur.next();
                vec![self.if_rest(&t)?]
            } else {
                self.block()?
            }
        } else {
            Vec::new()
        };
        Ok(Stmt {
            kind: StmtKind::If { cond, then, els },
            line: first.line,
            text,
        })
    }

    /// `spin_loop()` / `yield_now()` with an optional path.
    fn hint(&mut self) -> Result<Option<()>, Diagnostic> {
        let save = self.cur.pos;
        let mut last = match &self.cur.peek().tok {
            Tok::Ident(s) => s.clone(),
            _ => return Ok(None),
        };
        self.cur.next();
        while self.cur.eat_punct("::") {
            match &self.cur.peek().tok {
                Tok::Ident(s) => {
                    last = s.clone();
                    self.cur.next();
                }
                _ => break,
            }
        }
        if (last == "spin_loop" || last == "yield_now") && self.cur.is_punct("(") {
            self.cur.next();
            self.cur.expect_punct(")")?;
            return Ok(Some(()));
        }
        self.cur.pos = save;
        Ok(None)
    }

    fn declare_reg(&mut self, name: &str, tok: &Token) -> Result<RegId, Diagnostic> {
        if self.test.locations.iter().any(|l| l.name == name) {
            return Err(self.cur.error_at(
                tok,
                format!("register `{name}` has the name of a location (expected a new name)"),
            ));
        }
        Ok(match self.regs.iter().position(|r| r == name) {
            Some(i) => i,
            None => {
                self.regs.push(name.to_string());
                self.regs.len() - 1
            }
        })
    }

    // ----- final condition -------------------------------------------------

    /// `t1.r1` or `x`.
    fn key(&mut self) -> Result<Key, Diagnostic> {
        let (name, tok) = self
            .cur
            .expect_ident("a register such as `t1.r1` or a location")?;
        if self.cur.eat_punct(".") {
            let (reg, rt) = self.cur.expect_ident("a register name")?;
            let Some(thread) = self.test.threads.iter().position(|t| t.name == name) else {
                return Err(self.cur.error_at(&tok, format!("unknown thread `{name}`")));
            };
            let th = &self.test.threads[thread];
            return match th.registers.iter().position(|r| *r == reg) {
                Some(r) => Ok(Key::Reg { thread, reg: r }),
                None => Err(self
                    .cur
                    .error_at(&rt, format!("unknown register `{reg}` of thread `{name}`"))),
            };
        }
        match self.test.locations.iter().position(|l| l.name == name) {
            Some(i) => Ok(Key::Loc(i)),
            None => Err(self
                .cur
                .error_at(&tok, format!("undeclared location `{name}`"))),
        }
    }
}

impl<'a> Conditions<'a> for RustParser<'a> {
    fn cond_cursor(&mut self) -> &mut Cursor<'a> {
        &mut self.cur
    }
    fn test_mut(&mut self) -> &mut Test {
        &mut self.test
    }
    const NOT: &'static [&'static str] = &["!"];
    const AND: &'static str = "&&";
    const OR: &'static str = "||";
    const EQ: &'static [&'static str] = &["==", "="];

    fn key(&mut self) -> Result<Key, Diagnostic> {
        RustParser::key(self)
    }

    fn value(&mut self) -> Result<i64, Diagnostic> {
        let neg = self.cur.eat_punct("-");
        let value = match &self.cur.peek().tok {
            Tok::Int(v) => {
                let v = *v;
                self.cur.next();
                if neg {
                    v.wrapping_neg()
                } else {
                    v
                }
            }
            Tok::Ident(w) if !neg && (w == "true" || w == "false") => {
                let v = (w == "true") as i64;
                self.cur.next();
                v
            }
            _ => return Err(self.cur.expected("an integer")),
        };
        Ok(value)
    }
}
