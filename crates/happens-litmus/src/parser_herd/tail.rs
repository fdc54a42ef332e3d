//! The part of a herd test after its threads: the final condition
//! (`exists`, `~exists`, `forall`, with `/\`, `\/`, `~`) and
//! `locations [...]`.

use super::HerdParser;
use crate::ast::*;
use crate::condition::Conditions;
use crate::diag::Diagnostic;
use crate::lexer::{Cursor, Tok};

impl<'a> HerdParser<'a> {
    // ----- after the threads ---------------------------------------------

    pub(super) fn tail(&mut self) -> Result<(), Diagnostic> {
        loop {
            let t = self.cur.peek().clone();
            match &t.tok {
                Tok::Eof => return Ok(()),
                Tok::Ident(w) if w == "locations" => {
                    self.cur.next();
                    self.locations_list()?;
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
                Tok::Punct("~") if matches!(self.cur.peek_at(1), Tok::Ident(w) if w == "exists") => {
                    self.cur.next();
                    self.cur.next();
                    self.condition(Quantifier::NotExists, &t)?;
                }
                _ => {
                    return Err(self
                        .cur
                        .expected("a thread, `locations [...]`, `exists`, `~exists` or `forall`"))
                }
            }
        }
    }

    fn locations_list(&mut self) -> Result<(), Diagnostic> {
        let open = self.cur.expect_punct("[")?;
        loop {
            if self.cur.eat_punct("]") {
                return Ok(());
            }
            if self.cur.eat_punct(";") {
                continue;
            }
            if self.cur.peek().tok == Tok::Eof {
                return Err(self.cur.expected(&format!(
                    "`]` to close `locations [` (opened at line {})",
                    open.line
                )));
            }
            let k = self.key()?;
            if !self.test.observed.contains(&k) {
                self.test.observed.push(k);
            }
        }
    }

    /// `0:r0`, `[x]` or `x`.
    fn key(&mut self) -> Result<Key, Diagnostic> {
        let t = self.cur.peek().clone();
        match t.tok {
            Tok::Int(n) => {
                self.cur.next();
                self.cur.expect_punct(":")?;
                let (reg, _) = self.cur.expect_ident("a register name")?;
                let thread = usize::try_from(n)
                    .ok()
                    .filter(|&i| i < self.test.threads.len())
                    .ok_or_else(|| {
                        self.cur.error_at(
                            &t,
                            format!(
                                "unknown thread {n} (the test has {} threads)",
                                self.test.threads.len()
                            ),
                        )
                    })?;
                // herd: a register the thread never assigns reads as 0
                let th = &mut self.test.threads[thread];
                let r = match th.registers.iter().position(|r| *r == reg) {
                    Some(r) => r,
                    None => {
                        th.registers.push(reg);
                        th.registers.len() - 1
                    }
                };
                Ok(Key::Reg { thread, reg: r })
            }
            Tok::Punct("[") => {
                self.cur.next();
                let k = self.key_loc()?;
                self.cur.expect_punct("]")?;
                Ok(k)
            }
            Tok::Ident(_) => self.key_loc(),
            _ => Err(self
                .cur
                .expected("a register such as `0:r0` or a location such as `x`")),
        }
    }

    fn key_loc(&mut self) -> Result<Key, Diagnostic> {
        let (name, tok) = self.cur.expect_ident("a location name")?;
        match self.test.locations.iter().position(|l| l.name == name) {
            Some(i) => Ok(Key::Loc(i)),
            None => Err(self
                .cur
                .error_at(&tok, format!("undeclared location `{name}`"))),
        }
    }
}

impl<'a> Conditions<'a> for HerdParser<'a> {
    fn cond_cursor(&mut self) -> &mut Cursor<'a> {
        &mut self.cur
    }
    fn test_mut(&mut self) -> &mut Test {
        &mut self.test
    }
    const NOT: &'static [&'static str] = &["~", "not"];
    const AND: &'static str = "/\\";
    const OR: &'static str = "\\/";
    const EQ: &'static [&'static str] = &["=", "=="];

    fn key(&mut self) -> Result<Key, Diagnostic> {
        HerdParser::key(self)
    }

    fn value(&mut self) -> Result<i64, Diagnostic> {
        self.int_value()
    }
}
