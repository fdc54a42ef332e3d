//! Expressions of the Rust litmus dialect: operators by precedence,
//! registers, and the atomic methods with their orderings.

use super::*;

fn rust_binop(t: &Tok) -> Option<(BinOp, u8)> {
    let Tok::Punct(p) = t else { return None };
    Some(match *p {
        "||" => (BinOp::Or, 1),
        "&&" => (BinOp::And, 2),
        "==" => (BinOp::Eq, 3),
        "!=" => (BinOp::Ne, 3),
        "<" => (BinOp::Lt, 3),
        "<=" => (BinOp::Le, 3),
        ">" => (BinOp::Gt, 3),
        ">=" => (BinOp::Ge, 3),
        "|" => (BinOp::BitOr, 4),
        "^" => (BinOp::BitXor, 5),
        "&" => (BinOp::BitAnd, 6),
        "+" => (BinOp::Add, 7),
        "-" => (BinOp::Sub, 7),
        "*" => (BinOp::Mul, 8),
        "/" => (BinOp::Div, 8),
        "%" => (BinOp::Rem, 8),
        _ => return None,
    })
}

impl<'a> BinaryExprs<'a> for RustParser<'a> {
    fn cursor(&mut self) -> &mut Cursor<'a> {
        &mut self.cur
    }

    fn binop(t: &Tok) -> Option<(BinOp, u8)> {
        rust_binop(t)
    }

    fn operand(&mut self) -> Result<Expr, Diagnostic> {
        self.unary()
    }
}

impl<'a> RustParser<'a> {
    pub(super) fn expr(&mut self) -> Result<Expr, Diagnostic> {
        self.binary(1)
    }

    fn unary(&mut self) -> Result<Expr, Diagnostic> {
        self.cur.enter()?;
        let r = self.unary_inner();
        self.cur.leave();
        r
    }

    fn unary_inner(&mut self) -> Result<Expr, Diagnostic> {
        if self.cur.eat_punct("-") {
            if let Tok::Int(v) = self.cur.peek().tok {
                self.cur.next();
                return Ok(Expr::Int(v.wrapping_neg()));
            }
            return Ok(Expr::Unary(UnOp::Neg, Box::new(self.unary()?)));
        }
        if self.cur.eat_punct("!") {
            return Ok(Expr::Unary(UnOp::Not, Box::new(self.unary()?)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Expr, Diagnostic> {
        let t = self.cur.peek().clone();
        match &t.tok {
            Tok::Int(v) => {
                self.cur.next();
                Ok(Expr::Int(*v))
            }
            Tok::Punct("(") => {
                self.cur.next();
                let e = self.expr()?;
                self.cur.expect_punct(")")?;
                Ok(e)
            }
            Tok::Ident(first) => {
                let mut path = vec![first.clone()];
                self.cur.next();
                while self.cur.eat_punct("::") {
                    path.push(self.cur.expect_ident("a name")?.0);
                }
                let name = path.last().cloned().unwrap_or_default();
                if self.cur.is_punct("(") {
                    return self.function(&name, &t);
                }
                if path.len() > 1 {
                    return Err(self.cur.error_at(
                        &t,
                        format!(
                            "unexpected path `{}` (expected a register, a location or a call)",
                            path.join("::")
                        ),
                    ));
                }
                match name.as_str() {
                    "true" => return Ok(Expr::Int(1)),
                    "false" => return Ok(Expr::Int(0)),
                    _ => {}
                }
                if self.cur.is_punct(".") {
                    return self.method(&name, &t);
                }
                if let Some(i) = self.regs.iter().position(|r| *r == name) {
                    return Ok(Expr::Reg(i));
                }
                if let Some(loc) = self.test.locations.iter().position(|l| l.name == name) {
                    if self.test.locations[loc].atomic {
                        return Err(self.cur.error_at(
                            &t,
                            format!("`{name}` is atomic: read it with `{name}.load(ordering)`"),
                        ));
                    }
                    return Ok(Expr::Mem(Box::new(MemOp::Load {
                        loc,
                        ord: LoadOrd::NonAtomic,
                    })));
                }
                Err(self.cur.error_at(&t, format!("undeclared name `{name}`")))
            }
            _ => Err(self.cur.expected("an expression")),
        }
    }

    fn check_args(&self, name: &str, tok: &Token, want: usize) -> Result<(), Diagnostic> {
        match self.cur.count_args() {
            Some(n) if n == want => Ok(()),
            Some(n) => Err(self.cur.error_at(
                tok,
                format!("wrong number of arguments to `{name}` (expected {want}, found {n})"),
            )),
            None => Err(self.cur.error_at(
                tok,
                format!("unclosed argument list of `{name}` (expected `)`)"),
            )),
        }
    }

    /// A free function call: `fence(o)`.
    fn function(&mut self, name: &str, tok: &Token) -> Result<Expr, Diagnostic> {
        if name != "fence" {
            return Err(self.cur.error_at(
                tok,
                format!("unknown function `{name}` (expected `fence`, `spin_loop` or `yield_now`, or a method call such as `x.load(Relaxed)`)"),
            ));
        }
        self.check_args(name, tok, 1)?;
        self.cur.expect_punct("(")?;
        let ot = self.cur.peek().clone();
        let ord = match self.ordering()? {
            Ord5::Acquire => FenceOrd::Acquire,
            Ord5::Release => FenceOrd::Release,
            Ord5::AcqRel => FenceOrd::AcqRel,
            Ord5::SeqCst => FenceOrd::SeqCst,
            Ord5::Relaxed => {
                return Err(self.cur.error_at(
                    &ot,
                    "there is no `Relaxed` fence (expected Acquire, Release, AcqRel or SeqCst)",
                ))
            }
        };
        self.cur.expect_punct(")")?;
        Ok(Expr::Mem(Box::new(MemOp::Fence(ord))))
    }

    fn method(&mut self, locname: &str, ltok: &Token) -> Result<Expr, Diagnostic> {
        let Some(loc) = self.test.locations.iter().position(|l| l.name == locname) else {
            let what = if self.regs.iter().any(|r| r == locname) {
                format!("`{locname}` is a register, expected an atomic location")
            } else {
                format!("undeclared location `{locname}`")
            };
            return Err(self.cur.error_at(ltok, what));
        };
        self.cur.expect_punct(".")?;
        let (m, mt) = self.cur.expect_ident("a method name")?;
        if !self.test.locations[loc].atomic {
            return Err(self.cur.error_at(
                ltok,
                format!("`{locname}` is not atomic (declare it `let {locname}: AtomicUsize = ...;` to call `{m}`)"),
            ));
        }
        let kind = match m.as_str() {
            "swap" => Some(RmwKind::Swap),
            "fetch_add" => Some(RmwKind::Add),
            "fetch_sub" => Some(RmwKind::Sub),
            "fetch_and" => Some(RmwKind::And),
            "fetch_or" => Some(RmwKind::Or),
            "fetch_xor" => Some(RmwKind::Xor),
            "fetch_nand" => Some(RmwKind::Nand),
            "fetch_max" => Some(RmwKind::Max),
            "fetch_min" => Some(RmwKind::Min),
            _ => None,
        };
        let op = if let Some(kind) = kind {
            self.check_args(&m, &mt, 2)?;
            self.cur.expect_punct("(")?;
            let operand = self.expr()?;
            self.cur.expect_punct(",")?;
            let ord = self.ordering()?.rmw();
            self.cur.expect_punct(")")?;
            MemOp::Rmw {
                loc,
                kind,
                operand,
                ord,
            }
        } else {
            match m.as_str() {
                "load" => {
                    self.check_args(&m, &mt, 1)?;
                    self.cur.expect_punct("(")?;
                    let ot = self.cur.peek().clone();
                    let ord = self.ordering()?.load().ok_or_else(|| {
                        self.cur.error_at(&ot, "invalid ordering for a load (expected Relaxed, Acquire or SeqCst)")
                    })?;
                    self.cur.expect_punct(")")?;
                    MemOp::Load { loc, ord }
                }
                "store" => {
                    self.check_args(&m, &mt, 2)?;
                    self.cur.expect_punct("(")?;
                    let value = self.expr()?;
                    self.cur.expect_punct(",")?;
                    let ot = self.cur.peek().clone();
                    let ord = self.ordering()?.store().ok_or_else(|| {
                        self.cur.error_at(&ot, "invalid ordering for a store (expected Relaxed, Release or SeqCst)")
                    })?;
                    self.cur.expect_punct(")")?;
                    MemOp::Store { loc, value, ord }
                }
                "compare_exchange" | "compare_exchange_weak" => {
                    self.check_args(&m, &mt, 4)?;
                    self.cur.expect_punct("(")?;
                    let expected = self.expr()?;
                    self.cur.expect_punct(",")?;
                    let desired = self.expr()?;
                    self.cur.expect_punct(",")?;
                    let success = self.ordering()?.rmw();
                    self.cur.expect_punct(",")?;
                    let ot = self.cur.peek().clone();
                    let failure = self.ordering()?.load().ok_or_else(|| {
                        self.cur.error_at(&ot, "invalid failure ordering (expected Relaxed, Acquire or SeqCst)")
                    })?;
                    self.cur.expect_punct(")")?;
                    let mut result = CasResult::Old;
                    let mut negate = false;
                    if self.cur.is_punct(".") {
                        self.cur.next();
                        let (s, st) = self.cur.expect_ident("`is_ok` or `is_err`")?;
                        match s.as_str() {
                            "is_ok" => {}
                            "is_err" => negate = true,
                            _ => {
                                return Err(self.cur.error_at(
                                    &st,
                                    format!("unknown method `{s}` on a compare-exchange result (expected `is_ok` or `is_err`)"),
                                ))
                            }
                        }
                        self.cur.expect_punct("(")?;
                        self.cur.expect_punct(")")?;
                        result = CasResult::Succeeded;
                    }
                    let e = Expr::Mem(Box::new(MemOp::Cas(Cas {
                        loc,
                        expected: CasExpected::Value(expected),
                        desired,
                        success,
                        failure,
                        weak: m == "compare_exchange_weak",
                        result,
                    })));
                    return Ok(if negate {
                        Expr::Unary(UnOp::Not, Box::new(e))
                    } else {
                        e
                    });
                }
                _ => {
                    return Err(self.cur.error_at(
                        &mt,
                        format!("unknown method `{m}` (expected load, store, swap, fetch_add, fetch_sub, fetch_and, fetch_or, fetch_xor, fetch_nand, fetch_max, fetch_min, compare_exchange or compare_exchange_weak)"),
                    ))
                }
            }
        };
        Ok(Expr::Mem(Box::new(op)))
    }

    fn ordering(&mut self) -> Result<Ord5, Diagnostic> {
        let t = self.cur.peek().clone();
        let (mut last, _) = self.cur.expect_ident("an ordering such as `Relaxed`")?;
        while self.cur.eat_punct("::") {
            last = self.cur.expect_ident("an ordering such as `Relaxed`")?.0;
        }
        Ok(match last.as_str() {
            "Relaxed" => Ord5::Relaxed,
            "Acquire" | "Consume" => Ord5::Acquire,
            "Release" => Ord5::Release,
            "AcqRel" => Ord5::AcqRel,
            "SeqCst" => Ord5::SeqCst,
            _ => {
                return Err(self.cur.error_at(
                    &t,
                    format!("unknown ordering `{last}` (expected Relaxed, Acquire, Release, AcqRel or SeqCst)"),
                ))
            }
        })
    }
}
