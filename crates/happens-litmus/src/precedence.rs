//! Binary expressions by precedence climbing, shared by both syntaxes: they
//! differ only in their operator tables and in their unary and primary
//! expressions.

use crate::ast::{BinOp, Expr};
use crate::diag::Diagnostic;
use crate::lexer::{Cursor, Tok};

pub(crate) trait BinaryExprs<'a> {
    fn cursor(&mut self) -> &mut Cursor<'a>;

    /// The binary operator `t` is in this syntax, with its precedence
    /// (higher binds tighter).
    fn binop(t: &Tok) -> Option<(BinOp, u8)>;

    /// An operand: a unary expression of this syntax.
    fn operand(&mut self) -> Result<Expr, Diagnostic>;

    /// A binary expression whose operators bind at least as tightly as `min`.
    fn binary(&mut self, min: u8) -> Result<Expr, Diagnostic> {
        let mut lhs = self.operand()?;
        while let Some((op, prec)) = Self::binop(&self.cursor().peek().tok) {
            if prec < min {
                break;
            }
            self.cursor().next();
            let rhs = self.binary(prec + 1)?;
            lhs = Expr::Binary(op, Box::new(lhs), Box::new(rhs));
        }
        Ok(lhs)
    }
}
