//! # happens-litmus
//!
//! Litmus tests for `happens`: two input syntaxes, one AST, one interpreter.
//!
//! - herd7's C litmus format ([`parser_herd`]), as used by the C11 corpus;
//! - a Rust-flavoured format of our own ([`parser_rust`]).
//!
//! [`parse`] detects the syntax from the first word (`C` or `litmus`) and
//! returns a [`Test`]; [`run`] explores every execution of it under a memory
//! model and returns an [`Outcome`]: the final states, the verdict of the
//! final condition, and the data races. This crate prints nothing.

pub mod ast;
mod axiomatic;
mod condition;
pub mod diag;
mod explore;
mod files;
mod interp;
mod lexer;
mod ordering;
pub mod outcome;
pub mod parser_herd;
pub mod parser_rust;
mod precedence;
mod tally;

pub use ast::{Condition, Key, Location, Prop, Quantifier, Stmt, StmtKind, Syntax, Test, Thread};
pub use diag::Diagnostic;
pub use explore::{replay, run, run_with, run_with_progress};
pub use files::litmus_files;
pub use happens_engine::{ModelKind, ReplayKey};
pub use outcome::{
    Access, ConditionResult, ExecutionRecord, Holds, Labels, Outcome, RaceReport, RunOptions,
    State, Value,
};

/// Parses a litmus test in either syntax. `file` is used in diagnostics.
pub fn parse(file: &str, src: &[u8]) -> Result<Test, Diagnostic> {
    let text = match std::str::from_utf8(src) {
        Ok(t) => t,
        Err(e) => {
            let n = e.valid_up_to();
            let valid = std::str::from_utf8(&src[..n]).unwrap_or("");
            let (line, col) = diag::position(valid, valid.len());
            return Err(Diagnostic::new(
                file,
                line,
                col,
                format!("invalid UTF-8 at byte {n}"),
            ));
        }
    };
    // skip a byte-order mark, blank lines and `//` comment lines
    let mut i = if text.starts_with('\u{feff}') { 3 } else { 0 };
    loop {
        let rest = &text[i..];
        let trimmed = rest.trim_start();
        i += rest.len() - trimmed.len();
        if trimmed.starts_with("//") {
            i += trimmed.find('\n').unwrap_or(trimmed.len());
            continue;
        }
        break;
    }
    let rest = &text[i..];
    if rest.is_empty() {
        let (line, col) = diag::position(text, text.len());
        return Err(Diagnostic::new(
            file,
            line,
            col,
            "empty file (expected `C NAME` for a herd7 C litmus test or `litmus NAME`)",
        ));
    }
    let word_len = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    let word = &rest[..word_len];
    let line_end = rest.find('\n').map_or(text.len(), |k| i + k);
    let mut name = text[i + word_len..line_end].trim();
    let (line, col) = diag::position(text, i);
    let syntax = match word {
        "C" => Syntax::Herd,
        "litmus" => Syntax::Rust,
        "" => {
            let c = rest.chars().next().unwrap_or(' ');
            return Err(Diagnostic::new(
                file,
                line,
                col,
                format!("expected `C NAME` (herd7 C litmus test) or `litmus NAME` (Rust syntax), found `{c}`"),
            ));
        }
        w if [
            "X86", "X86_64", "AArch64", "ARM", "PPC", "RISCV", "MIPS", "LISA", "Bell",
        ]
        .contains(&w) =>
        {
            return Err(Diagnostic::new(
                file,
                line,
                col,
                format!("unsupported architecture `{w}` (only C litmus tests are supported)"),
            ));
        }
        w => {
            return Err(Diagnostic::new(
                file,
                line,
                col,
                format!("expected `C NAME` (herd7 C litmus test) or `litmus NAME` (Rust syntax), found `{w}`"),
            ));
        }
    };
    if syntax == Syntax::Rust {
        if let Some(k) = name.find("//") {
            name = name[..k].trim_end();
        }
    }
    if name.is_empty() {
        let (l, c) = diag::position(text, i + word_len);
        return Err(Diagnostic::new(
            file,
            l,
            c,
            format!("expected a test name after `{word}`"),
        ));
    }
    let name = name.to_string();
    match syntax {
        Syntax::Herd => parser_herd::parse(file, text, name, line_end),
        Syntax::Rust => parser_rust::parse(file, text, name, line_end),
    }
}
