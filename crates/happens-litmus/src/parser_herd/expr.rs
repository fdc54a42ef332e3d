//! Expressions of herd's C: operators by precedence, registers, `*x`,
//! and the `atomic_*_explicit` calls with their memory orders.

use super::*;

/// Binary operators of C with their precedence (higher binds tighter).
fn c_binop(t: &Tok) -> Option<(BinOp, u8)> {
    let Tok::Punct(p) = t else { return None };
    Some(match *p {
        "||" => (BinOp::Or, 1),
        "&&" => (BinOp::And, 2),
        "|" => (BinOp::BitOr, 3),
        "^" => (BinOp::BitXor, 4),
        "&" => (BinOp::BitAnd, 5),
        "==" => (BinOp::Eq, 6),
        "!=" => (BinOp::Ne, 6),
        "<" => (BinOp::Lt, 7),
        "<=" => (BinOp::Le, 7),
        ">" => (BinOp::Gt, 7),
        ">=" => (BinOp::Ge, 7),
        "+" => (BinOp::Add, 8),
        "-" => (BinOp::Sub, 8),
        "*" => (BinOp::Mul, 9),
        "/" => (BinOp::Div, 9),
        "%" => (BinOp::Rem, 9),
        _ => return None,
    })
}

/// The kind of a herd atomic call.
#[derive(Clone, Copy)]
enum Call {
    Load,
    Store,
    Rmw(RmwKind),
    Cas { weak: bool },
    Fence,
}

fn lookup_call(name: &str) -> Option<(Call, bool)> {
    let (base, explicit) = match name.strip_suffix("_explicit") {
        Some(b) => (b, true),
        None => (name, false),
    };
    let call = match base {
        "atomic_load" => Call::Load,
        "atomic_store" => Call::Store,
        "atomic_exchange" => Call::Rmw(RmwKind::Swap),
        "atomic_fetch_add" => Call::Rmw(RmwKind::Add),
        "atomic_fetch_sub" => Call::Rmw(RmwKind::Sub),
        "atomic_fetch_or" => Call::Rmw(RmwKind::Or),
        "atomic_fetch_xor" => Call::Rmw(RmwKind::Xor),
        "atomic_fetch_and" => Call::Rmw(RmwKind::And),
        "atomic_compare_exchange_strong" => Call::Cas { weak: false },
        "atomic_compare_exchange_weak" => Call::Cas { weak: true },
        "atomic_thread_fence" => {
            if explicit {
                return None;
            }
            return Some((Call::Fence, true));
        }
        _ => return None,
    };
    Some((call, explicit))
}

impl<'a> BinaryExprs<'a> for HerdParser<'a> {
    fn cursor(&mut self) -> &mut Cursor<'a> {
        &mut self.cur
    }

    fn binop(t: &Tok) -> Option<(BinOp, u8)> {
        c_binop(t)
    }

    fn operand(&mut self) -> Result<Expr, Diagnostic> {
        self.unary()
    }
}

impl<'a> HerdParser<'a> {
    pub(super) fn expr(&mut self) -> Result<Expr, Diagnostic> {
        self.binary(1)
    }

    pub(super) fn unary(&mut self) -> Result<Expr, Diagnostic> {
        self.cur.enter()?;
        let r = self.unary_inner();
        self.cur.leave();
        r
    }

    fn unary_inner(&mut self) -> Result<Expr, Diagnostic> {
        let op = if self.cur.eat_punct("-") {
            Some(UnOp::Neg)
        } else if self.cur.eat_punct("!") {
            Some(UnOp::Not)
        } else if self.cur.eat_punct("~") {
            Some(UnOp::BitNot)
        } else if self.cur.eat_punct("+") {
            return self.unary();
        } else {
            None
        };
        match op {
            Some(UnOp::Neg) => {
                if let Tok::Int(v) = self.cur.peek().tok {
                    self.cur.next();
                    return Ok(Expr::Int(v.wrapping_neg()));
                }
                Ok(Expr::Unary(UnOp::Neg, Box::new(self.unary()?)))
            }
            Some(op) => Ok(Expr::Unary(op, Box::new(self.unary()?))),
            None => self.primary(),
        }
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
            Tok::Punct("*") => {
                self.cur.next();
                let loc = self.loc_name()?;
                Ok(Expr::Mem(Box::new(MemOp::Load {
                    loc,
                    ord: LoadOrd::NonAtomic,
                })))
            }
            Tok::Ident(name) => {
                let name = name.clone();
                if matches!(self.cur.peek_at(1), Tok::Punct("(")) {
                    return self.call(&name, &t);
                }
                self.cur.next();
                match name.as_str() {
                    "true" => return Ok(Expr::Int(1)),
                    "false" => return Ok(Expr::Int(0)),
                    _ => {}
                }
                if let Some(i) = self.regs.iter().position(|r| *r == name) {
                    return Ok(Expr::Reg(i));
                }
                if self.test.locations.iter().any(|l| l.name == name) {
                    return Err(self.cur.error_at(
                        &t,
                        format!("`{name}` is a location pointer; read it with `*{name}` or `atomic_load_explicit({name}, ...)`"),
                    ));
                }
                Err(self
                    .cur
                    .error_at(&t, format!("undeclared register `{name}`")))
            }
            _ => Err(self.cur.expected("an expression")),
        }
    }

    fn call(&mut self, name: &str, tok: &Token) -> Result<Expr, Diagnostic> {
        let Some((call, explicit)) = lookup_call(name) else {
            return Err(self.cur.error_at(
                tok,
                format!("unknown function `{name}` (expected an `atomic_*_explicit` call or `atomic_thread_fence`)"),
            ));
        };
        self.cur.next();
        let base = match call {
            Call::Load | Call::Fence => 1,
            Call::Store | Call::Rmw(_) => 2,
            Call::Cas { .. } => 3,
        };
        let mos = match (call, explicit) {
            (_, false) => 0,
            (Call::Cas { .. }, true) => 2,
            (Call::Fence, true) => 0,
            (_, true) => 1,
        };
        let want = base + mos;
        match self.cur.count_args() {
            Some(n) if n != want => {
                return Err(self.cur.error_at(
                    tok,
                    format!("wrong number of arguments to `{name}` (expected {want}, found {n})"),
                ))
            }
            None => {
                let open = self.cur.peek().clone();
                self.cur.next();
                // skip to what breaks the argument list
                while !matches!(
                    self.cur.peek().tok,
                    Tok::Punct(";") | Tok::Punct("{") | Tok::Punct("}") | Tok::Eof
                ) {
                    self.cur.next();
                }
                return Err(self.cur.expected(&format!(
                    "`)` to close the arguments of `{name}` (opened at line {}, column {})",
                    open.line, open.col
                )));
            }
            _ => {}
        }
        self.cur.expect_punct("(")?;
        let mut at: Option<(LocIdx, Expr)> = None;
        let op = match call {
            Call::Fence => {
                let mo = self.mo()?;
                let ord = match mo {
                    Mo::Acquire => FenceOrd::Acquire,
                    Mo::Release => FenceOrd::Release,
                    Mo::AcqRel => FenceOrd::AcqRel,
                    Mo::SeqCst => FenceOrd::SeqCst,
                    // a relaxed fence has no effect
                    Mo::Relaxed => return self.close_call(Expr::Int(0)),
                };
                MemOp::Fence(ord)
            }
            Call::Load => {
                let (loc, offset) = self.address()?;
                at = offset.map(|o| (loc, o));
                let ord = if explicit {
                    self.cur.expect_punct(",")?;
                    let t = self.cur.peek().clone();
                    let mo = self.mo()?;
                    mo.load().ok_or_else(|| {
                        self.cur.error_at(&t, format!("{} is not a valid order for a load (expected relaxed, consume, acquire or seq_cst)", describe(&t.tok)))
                    })?
                } else {
                    LoadOrd::SeqCst
                };
                MemOp::Load { loc, ord }
            }
            Call::Store => {
                let (loc, offset) = self.address()?;
                at = offset.map(|o| (loc, o));
                self.cur.expect_punct(",")?;
                let value = self.expr()?;
                let ord = if explicit {
                    self.cur.expect_punct(",")?;
                    let t = self.cur.peek().clone();
                    let mo = self.mo()?;
                    mo.store().ok_or_else(|| {
                        self.cur.error_at(&t, format!("{} is not a valid order for a store (expected relaxed, release or seq_cst)", describe(&t.tok)))
                    })?
                } else {
                    StoreOrd::SeqCst
                };
                MemOp::Store { loc, value, ord }
            }
            Call::Rmw(kind) => {
                let (loc, offset) = self.address()?;
                at = offset.map(|o| (loc, o));
                self.cur.expect_punct(",")?;
                let operand = self.expr()?;
                let ord = if explicit {
                    self.cur.expect_punct(",")?;
                    self.mo()?.rmw()
                } else {
                    RmwOrd::SeqCst
                };
                MemOp::Rmw {
                    loc,
                    kind,
                    operand,
                    ord,
                }
            }
            Call::Cas { weak } => {
                let (loc, offset) = self.address()?;
                at = offset.map(|o| (loc, o));
                self.cur.expect_punct(",")?;
                let exp = self.loc_name()?;
                self.cur.expect_punct(",")?;
                let desired = self.expr()?;
                let (success, failure) = if explicit {
                    self.cur.expect_punct(",")?;
                    let s = self.mo()?.rmw();
                    self.cur.expect_punct(",")?;
                    let t = self.cur.peek().clone();
                    let mo = self.mo()?;
                    let f = mo.load().ok_or_else(|| {
                        self.cur.error_at(&t, format!("{} is not a valid failure order (expected relaxed, consume, acquire or seq_cst)", describe(&t.tok)))
                    })?;
                    (s, f)
                } else {
                    (RmwOrd::SeqCst, LoadOrd::SeqCst)
                };
                MemOp::Cas(Cas {
                    loc,
                    expected: CasExpected::InLocation(exp),
                    desired,
                    success,
                    failure,
                    weak,
                    result: CasResult::Succeeded,
                })
            }
        };
        let op = match at {
            Some((base, offset)) => MemOp::At {
                base,
                len: self.test.locations[base].array_len.unwrap_or(1),
                offset,
                op: Box::new(op),
            },
            None => op,
        };
        self.close_call(Expr::Mem(Box::new(op)))
    }

    fn close_call(&mut self, e: Expr) -> Result<Expr, Diagnostic> {
        self.cur.expect_punct(")")?;
        Ok(e)
    }

    /// A `memory_order_*` name.
    fn mo(&mut self) -> Result<Mo, Diagnostic> {
        let t = self.cur.peek().clone();
        let Tok::Ident(name) = &t.tok else {
            return Err(self
                .cur
                .expected("a memory order such as `memory_order_relaxed`"));
        };
        let mo = match name.as_str() {
            "memory_order_relaxed" => Mo::Relaxed,
            "memory_order_consume" | "memory_order_acquire" => Mo::Acquire,
            "memory_order_release" => Mo::Release,
            "memory_order_acq_rel" => Mo::AcqRel,
            "memory_order_seq_cst" => Mo::SeqCst,
            _ => {
                return Err(self
                    .cur
                    .expected("a memory order such as `memory_order_relaxed`"));
            }
        };
        self.cur.next();
        Ok(mo)
    }
}
