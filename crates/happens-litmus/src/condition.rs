//! Final conditions (`exists`/`forall` propositions), shared by both
//! syntaxes: they differ only in their connective tokens (`~ /\ \/ =` for
//! herd, `! && || ==` for ours), their keys and their values.

use crate::ast::{Condition, Key, Prop, Quantifier, Test};
use crate::diag::Diagnostic;
use crate::lexer::{Cursor, Token};

pub(crate) trait Conditions<'a> {
    fn cond_cursor(&mut self) -> &mut Cursor<'a>;

    /// The test being parsed (its condition is set here).
    fn test_mut(&mut self) -> &mut Test;

    /// Negation tokens (punctuation or words).
    const NOT: &'static [&'static str];
    const AND: &'static str;
    const OR: &'static str;
    /// Equality tokens; the first is the one named in errors.
    const EQ: &'static [&'static str];

    /// A final-state key (a register or a location).
    fn key(&mut self) -> Result<Key, Diagnostic>;

    /// The value a key is compared with.
    fn value(&mut self) -> Result<i64, Diagnostic>;

    /// The proposition after quantifier `q` (its token `t`); a test has one.
    fn condition(&mut self, q: Quantifier, t: &Token) -> Result<(), Diagnostic> {
        if self.test_mut().condition.is_some() {
            return Err(self
                .cond_cursor()
                .error_at(t, "second final condition (expected only one)"));
        }
        let start = self.cond_cursor().peek().start;
        let prop = self.prop()?;
        let text = self.cond_cursor().text_from(start);
        self.test_mut().condition = Some(Condition {
            quantifier: q,
            prop,
            text,
        });
        Ok(())
    }

    /// A disjunction.
    fn prop(&mut self) -> Result<Prop, Diagnostic> {
        let mut lhs = self.conj()?;
        while self.cond_cursor().eat_punct(Self::OR) {
            let rhs = self.conj()?;
            lhs = Prop::Or(Box::new(lhs), Box::new(rhs));
        }
        Ok(lhs)
    }

    fn conj(&mut self) -> Result<Prop, Diagnostic> {
        let mut lhs = self.prop_unary()?;
        while self.cond_cursor().eat_punct(Self::AND) {
            let rhs = self.prop_unary()?;
            lhs = Prop::And(Box::new(lhs), Box::new(rhs));
        }
        Ok(lhs)
    }

    fn prop_unary(&mut self) -> Result<Prop, Diagnostic> {
        self.cond_cursor().enter()?;
        let r = self.prop_atom();
        self.cond_cursor().leave();
        r
    }

    /// A negation, `true`/`false`, a parenthesised proposition, or
    /// `key = value` / `key != value`.
    fn prop_atom(&mut self) -> Result<Prop, Diagnostic> {
        let c = self.cond_cursor();
        if Self::NOT.iter().any(|t| c.eat_punct(t) || c.eat_ident(t)) {
            return Ok(Prop::Not(Box::new(self.prop_unary()?)));
        }
        if c.eat_ident("true") {
            return Ok(Prop::True);
        }
        if c.eat_ident("false") {
            return Ok(Prop::False);
        }
        if c.is_punct("(") {
            let open = c.next();
            let p = self.prop()?;
            let c = self.cond_cursor();
            if !c.is_punct(")") {
                return Err(c.expected(&format!(
                    "`)` (to close the `(` at line {}, column {})",
                    open.line, open.col
                )));
            }
            c.next();
            return Ok(p);
        }
        let key = self.key()?;
        let c = self.cond_cursor();
        let eq = if Self::EQ.iter().any(|t| c.eat_punct(t)) {
            true
        } else if c.eat_punct("!=") {
            false
        } else {
            return Err(c.expected(&format!("`{}` or `!=`", Self::EQ[0])));
        };
        let value = self.value()?;
        Ok(Prop::Atom { key, eq, value })
    }
}
