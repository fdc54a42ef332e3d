//! herd7's C litmus format.
//!
//! ```text
//! C NAME
//! (* comments *)  key=value metadata lines
//! { [x]=0; y=1; }
//! P0 (atomic_int* x, volatile int* y) { statements }
//! ...
//! locations [x; 0:r0;]
//! exists (0:r0=1 /\ x=2)        (or ~exists, forall; parentheses optional)
//! ```
//!
//! Statements: `int r = e;`, `r = e;`, `*x = e;`, `e;`, `if (e) s [else s]`,
//! `while (e) s`, `{ ... }`. Expressions: integers, registers, `*x`
//! (non-atomic read), the `atomic_*_explicit` calls, C operators.
//! Locations are named by the thread's pointer parameters; a location not in
//! the initial state starts at 0. Atomicity is per access.

use happens_engine::{FenceOrd, LoadOrd, RmwKind, RmwOrd, StoreOrd};

use crate::ast::*;
use crate::diag::{position, Diagnostic};
use crate::lexer::{describe, lex, Cursor, Tok, Token};
use crate::ordering::Written as Mo;
use crate::precedence::BinaryExprs;

mod expr;
mod tail;

/// Parses a herd C litmus test; `body` is the byte offset just after the header line.
pub(crate) fn parse(file: &str, text: &str, name: String, body: usize) -> Result<Test, Diagnostic> {
    let start = skip_prelude(file, text, body)?;
    let toks = lex(file, text, start, true)?;
    let mut p = HerdParser {
        cur: Cursor::new(file, text, toks),
        test: Test {
            name,
            syntax: Syntax::Herd,
            file: file.to_string(),
            locations: Vec::new(),
            threads: Vec::new(),
            condition: None,
            observed: Vec::new(),
        },
        regs: Vec::new(),
        params: Vec::new(),
    };
    p.init_block()?;
    p.threads()?;
    p.tail()?;
    Ok(p.test)
}

/// Skips comments and metadata lines (`Generator=...`) up to the `{` of the
/// initial state; returns its offset.
fn skip_prelude(file: &str, text: &str, mut i: usize) -> Result<usize, Diagnostic> {
    let b = text.as_bytes();
    loop {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        let rest = &text[i..];
        if rest.is_empty() {
            let (l, c) = position(text, i);
            return Err(Diagnostic::new(
                file,
                l,
                c,
                "expected the initial state `{ ... }`, found end of file",
            ));
        }
        if rest.starts_with('{') {
            return Ok(i);
        }
        let close = if rest.starts_with("(*") {
            Some("*)")
        } else if rest.starts_with("/*") {
            Some("*/")
        } else {
            None
        };
        if let Some(close) = close {
            match rest[2..].find(close) {
                Some(k) => i += k + 4,
                None => {
                    let (l, c) = position(text, i);
                    return Err(Diagnostic::new(
                        file,
                        l,
                        c,
                        format!("unterminated comment (opened at line {l})"),
                    ));
                }
            }
            continue;
        }
        i += rest.find('\n').unwrap_or(rest.len());
    }
}

const TYPE_WORDS: [&str; 14] = [
    "int",
    "atomic_int",
    "_Atomic",
    "volatile",
    "const",
    "long",
    "short",
    "char",
    "unsigned",
    "signed",
    "intptr_t",
    "int64_t",
    "int32_t",
    "atomic_long",
];

struct HerdParser<'a> {
    cur: Cursor<'a>,
    test: Test,
    /// Registers of the thread being parsed.
    regs: Vec<String>,
    /// Parameters (location names) of the thread being parsed.
    params: Vec<String>,
}

impl<'a> HerdParser<'a> {
    // ----- initial state -----------------------------------------------

    fn init_block(&mut self) -> Result<(), Diagnostic> {
        let open = self.cur.expect_punct("{")?;
        loop {
            if self.cur.eat_punct("}") {
                return Ok(());
            }
            if self.cur.eat_punct(";") {
                continue;
            }
            if self.cur.peek().tok == Tok::Eof {
                return Err(self.unterminated(&open));
            }
            self.init_entry()?;
            if !self.cur.is_punct("}") {
                self.cur.expect_punct(";")?;
            }
        }
    }

    fn init_entry(&mut self) -> Result<(), Diagnostic> {
        let mut atomic = false;
        while let Tok::Ident(w) = &self.cur.peek().tok {
            if !TYPE_WORDS.contains(&w.as_str()) {
                break;
            }
            atomic |= w.starts_with("atomic") || w == "_Atomic";
            self.cur.next();
        }
        if let Tok::Int(_) = self.cur.peek().tok {
            if matches!(self.cur.peek_at(1), Tok::Punct(":")) {
                let t = self.cur.peek().clone();
                return Err(self.cur.error_at(
                    &t,
                    "register initialisation in the initial state is not supported (expected a location such as `[x]=0`)",
                ));
            }
        }
        let bracket = self.cur.eat_punct("[");
        let (name, tok) = self.cur.expect_ident("a location name")?;
        if bracket {
            self.cur.expect_punct("]")?;
        }
        if self.test.locations.iter().any(|l| l.name == name) {
            return Err(self
                .cur
                .error_at(&tok, format!("location `{name}` is initialised twice")));
        }
        if self.cur.eat_punct("[") {
            return self.init_array(name, &tok, atomic);
        }
        self.cur.expect_punct("=")?;
        let init = self.int_value()?;
        self.test.locations.push(Location {
            name,
            init,
            atomic,
            line: tok.line,
            array_len: None,
        });
        Ok(())
    }

    /// `y[N] = {v0, v1, ...}` (after `y[`): N locations, `y` (the first,
    /// which `y` and `y+0` name) then `y[1]`, ...; missing values are 0.
    fn init_array(&mut self, name: String, tok: &Token, atomic: bool) -> Result<(), Diagnostic> {
        let len_tok = self.cur.peek().clone();
        let len = match len_tok.tok {
            Tok::Int(n) if (1..=1024).contains(&n) => n as usize,
            _ => return Err(self.cur.expected("an array length between 1 and 1024")),
        };
        self.cur.next();
        self.cur.expect_punct("]")?;
        let mut values = Vec::new();
        if self.cur.eat_punct("=") {
            let open = self.cur.expect_punct("{")?;
            while !self.cur.eat_punct("}") {
                if self.cur.peek().tok == Tok::Eof {
                    return Err(self.unterminated(&open));
                }
                if !values.is_empty() {
                    self.cur.expect_punct(",")?;
                    if self.cur.eat_punct("}") {
                        break;
                    }
                }
                let t = self.cur.peek().clone();
                values.push(self.int_value()?);
                if values.len() > len {
                    return Err(self
                        .cur
                        .error_at(&t, format!("too many initial values for `{name}[{len}]`")));
                }
            }
        }
        for i in 0..len {
            self.test.locations.push(Location {
                name: if i == 0 {
                    name.clone()
                } else {
                    format!("{name}[{i}]")
                },
                init: values.get(i).copied().unwrap_or(0),
                atomic,
                line: tok.line,
                array_len: (i == 0).then_some(len),
            });
        }
        Ok(())
    }

    fn int_value(&mut self) -> Result<i64, Diagnostic> {
        let neg = self.cur.eat_punct("-");
        match self.cur.peek().tok {
            Tok::Int(v) => {
                self.cur.next();
                Ok(if neg { v.wrapping_neg() } else { v })
            }
            _ => Err(self.cur.expected("an integer")),
        }
    }

    fn unterminated(&self, open: &Token) -> Diagnostic {
        let t = self.cur.peek();
        self.cur.error_at(
            t,
            format!("unterminated block (opened at line {})", open.line),
        )
    }

    // ----- threads -------------------------------------------------------

    fn threads(&mut self) -> Result<(), Diagnostic> {
        while let Tok::Ident(name) = &self.cur.peek().tok {
            if !(name.starts_with('P') && matches!(self.cur.peek_at(1), Tok::Punct("("))) {
                break;
            }
            self.thread()?;
        }
        if self.test.threads.is_empty() {
            return Err(self
                .cur
                .expected("a thread such as `P0 (atomic_int* x) { ... }`"));
        }
        Ok(())
    }

    fn thread(&mut self) -> Result<(), Diagnostic> {
        let (name, tok) = self.cur.expect_ident("a thread name")?;
        let expect = format!("P{}", self.test.threads.len());
        if name != expect {
            return Err(self
                .cur
                .error_at(&tok, format!("expected thread `{expect}`, found `{name}`")));
        }
        self.regs.clear();
        self.params.clear();
        self.cur.expect_punct("(")?;
        if !self.cur.eat_punct(")") {
            loop {
                self.param()?;
                if self.cur.eat_punct(")") {
                    break;
                }
                self.cur.expect_punct(",")?;
            }
        }
        let body = self.block()?;
        self.test.threads.push(Thread {
            name,
            registers: std::mem::take(&mut self.regs),
            body,
            line: tok.line,
        });
        Ok(())
    }

    fn param(&mut self) -> Result<(), Diagnostic> {
        let mut atomic = false;
        let mut words = 0;
        loop {
            match &self.cur.peek().tok {
                Tok::Ident(w) if TYPE_WORDS.contains(&w.as_str()) => {
                    atomic |= w.starts_with("atomic") || w == "_Atomic";
                    words += 1;
                    self.cur.next();
                }
                Tok::Punct("*") => {
                    self.cur.next();
                }
                _ => break,
            }
        }
        if words == 0 {
            return Err(self.cur.expected("a parameter type such as `atomic_int*`"));
        }
        let (name, tok) = self.cur.expect_ident("a parameter name")?;
        match self.test.locations.iter_mut().find(|l| l.name == name) {
            Some(l) => l.atomic |= atomic,
            None => self.test.locations.push(Location {
                name: name.clone(),
                init: 0,
                atomic,
                line: tok.line,
                array_len: None,
            }),
        }
        self.params.push(name);
        Ok(())
    }

    /// `{ stmts }`
    fn block(&mut self) -> Result<Vec<Stmt>, Diagnostic> {
        let open = self.cur.expect_punct("{")?;
        let mut out = Vec::new();
        loop {
            if self.cur.eat_punct("}") {
                return Ok(out);
            }
            if self.cur.peek().tok == Tok::Eof {
                return Err(self.unterminated(&open));
            }
            self.stmt(&mut out)?;
        }
    }

    /// A statement or a block, as the body of `if`/`else`/`while`.
    fn body(&mut self) -> Result<Vec<Stmt>, Diagnostic> {
        if self.cur.is_punct("{") {
            self.block()
        } else {
            let mut out = Vec::new();
            self.stmt(&mut out)?;
            Ok(out)
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
        if self.cur.is_punct("{") {
            let inner = self.block()?;
            out.extend(inner);
            return Ok(());
        }
        if self.cur.eat_ident("if") {
            self.cur.expect_punct("(")?;
            let cond = self.expr()?;
            self.cur.expect_punct(")")?;
            let text = self.cur.text_from(start);
            let then = self.body()?;
            let els = if self.cur.eat_ident("else") {
                self.body()?
            } else {
                Vec::new()
            };
            out.push(Stmt {
                kind: StmtKind::If { cond, then, els },
                line: first.line,
                text,
            });
            return Ok(());
        }
        if self.cur.eat_ident("while") {
            self.cur.expect_punct("(")?;
            let cond = self.expr()?;
            self.cur.expect_punct(")")?;
            let text = self.cur.text_from(start);
            let body = self.body()?;
            out.push(Stmt {
                kind: StmtKind::While { cond, body },
                line: first.line,
                text,
            });
            return Ok(());
        }
        let kind = if self.at_type_word() {
            // declaration
            while self.at_type_word() {
                self.cur.next();
            }
            if self.cur.is_punct("*") {
                return Err(self.cur.error_at(
                    &self.cur.peek().clone(),
                    "local pointer variables are not supported (expected a register declaration such as `int r0 = ...;`)",
                ));
            }
            let (name, tok) = self.cur.expect_ident("a register name")?;
            let reg = self.declare_reg(&name, &tok)?;
            let value = if self.cur.eat_punct("=") {
                self.expr()?
            } else {
                Expr::Int(0)
            };
            StmtKind::Assign { reg, value }
        } else if self.cur.is_punct("*")
            && matches!(self.cur.peek_at(1), Tok::Ident(_))
            && matches!(self.cur.peek_at(2), Tok::Punct("="))
        {
            self.cur.next();
            let loc = self.loc_name()?;
            self.cur.expect_punct("=")?;
            let value = self.expr()?;
            StmtKind::Eval(Expr::Mem(Box::new(MemOp::Store {
                loc,
                value,
                ord: StoreOrd::NonAtomic,
            })))
        } else if matches!(first.tok, Tok::Ident(_))
            && matches!(self.cur.peek_at(1), Tok::Punct("="))
        {
            let (name, tok) = self.cur.expect_ident("a register name")?;
            self.cur.next();
            let reg = self.declare_reg(&name, &tok)?;
            let value = self.expr()?;
            StmtKind::Assign { reg, value }
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

    fn at_type_word(&self) -> bool {
        matches!(&self.cur.peek().tok, Tok::Ident(w) if TYPE_WORDS.contains(&w.as_str()))
    }

    fn declare_reg(&mut self, name: &str, tok: &Token) -> Result<RegId, Diagnostic> {
        if self.params.iter().any(|p| p == name) {
            return Err(self.cur.error_at(
                tok,
                format!("`{name}` is a location pointer, not a register (write `*{name} = ...` to store to it)"),
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

    /// A location named by a pointer parameter (or any declared location).
    fn loc_name(&mut self) -> Result<LocIdx, Diagnostic> {
        if self.cur.eat_punct("&") {
            return self.loc_name();
        }
        let (name, tok) = self.cur.expect_ident("a location")?;
        if self.regs.contains(&name) {
            return Err(self
                .cur
                .error_at(&tok, format!("`{name}` is a register, expected a location")));
        }
        match self.test.locations.iter().position(|l| l.name == name) {
            Some(i) => Ok(i),
            None => Err(self
                .cur
                .error_at(&tok, format!("undeclared location `{name}`"))),
        }
    }

    /// The location argument of an atomic call: `x`, `&x`, or an element of
    /// an array, `y+e` / `&y[e]`. Wraps `op` (built on the base location) in
    /// [`MemOp::At`] when an offset is given.
    fn address(&mut self) -> Result<(LocIdx, Option<Expr>), Diagnostic> {
        let amp = self.cur.eat_punct("&");
        let t = self.cur.peek().clone();
        let base = self.loc_name()?;
        let offset = if amp && self.cur.eat_punct("[") {
            let e = self.expr()?;
            self.cur.expect_punct("]")?;
            Some(e)
        } else if !amp && self.cur.eat_punct("+") {
            Some(self.unary()?)
        } else {
            None
        };
        if offset.is_some() && self.test.locations[base].array_len.is_none() {
            return Err(self.cur.error_at(
                &t,
                format!(
                    "`{}` is not an array (expected an array declared as `int {}[N]` for an offset)",
                    self.test.locations[base].name, self.test.locations[base].name
                ),
            ));
        }
        Ok((base, offset))
    }
}
