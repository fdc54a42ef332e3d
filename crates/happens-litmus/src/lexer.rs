//! The tokenizer shared by both syntaxes, and a cursor over its tokens.
//!
//! Comments: `// …` to the end of the line and `/* … */` everywhere; in herd
//! files also `(* … *)`, but only outside braces (inside a thread body
//! `(*b)` is a dereference).

use crate::diag::{position, Diagnostic};

/// A token's kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Tok {
    Ident(String),
    Int(i64),
    Punct(&'static str),
    Eof,
}

/// A token and where it starts (byte offsets into the whole file).
#[derive(Clone, Debug)]
pub(crate) struct Token {
    pub tok: Tok,
    pub start: usize,
    pub end: usize,
    pub line: u32,
    pub col: u32,
}

const PUNCTS: [&str; 32] = [
    "/\\", "\\/", "==", "!=", "<=", ">=", "&&", "||", "::", "->", "=", "<", ">", "+", "-", "*",
    "^", "&", "|", "!", "~", "(", ")", "{", "}", "[", "]", ";", ",", ":", "/", "%",
];

/// Describes a token for a message: "`foo`", "end of file".
pub(crate) fn describe(t: &Tok) -> String {
    match t {
        Tok::Ident(s) => format!("`{s}`"),
        Tok::Int(i) => format!("`{i}`"),
        Tok::Punct(p) => format!("`{p}`"),
        Tok::Eof => "end of file".to_string(),
    }
}

/// Line and column of increasing byte offsets, in time linear in the text
/// (tokens are met in order, so each position starts from the previous one).
struct Positions<'a> {
    text: &'a str,
    offset: usize,
    line: u32,
    col: u32,
}

impl<'a> Positions<'a> {
    fn new(text: &'a str) -> Self {
        Positions {
            text,
            offset: 0,
            line: 1,
            col: 1,
        }
    }

    fn at(&mut self, offset: usize) -> (u32, u32) {
        if offset < self.offset {
            return position(self.text, offset);
        }
        for c in self.text.get(self.offset..offset).unwrap_or("").chars() {
            if c == '\n' {
                self.line += 1;
                self.col = 1;
            } else {
                self.col += 1;
            }
        }
        self.offset = offset;
        (self.line, self.col)
    }
}

/// Splits `text[from..]` into tokens. `herd` enables `(* *)` comments at brace depth 0.
pub(crate) fn lex(
    file: &str,
    text: &str,
    from: usize,
    herd: bool,
) -> Result<Vec<Token>, Diagnostic> {
    let bytes = text.as_bytes();
    let mut i = from;
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut pos = Positions::new(text);
    let err = |at: usize, msg: String| {
        let (l, c) = position(text, at);
        Diagnostic::new(file, l, c, msg)
    };
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let rest = &text[i..];
        if rest.starts_with("//") {
            i += rest.find('\n').unwrap_or(rest.len());
            continue;
        }
        let comment = if let Some(body) = rest.strip_prefix("/*") {
            Some((body, "*/"))
        } else if herd && depth == 0 {
            rest.strip_prefix("(*").map(|body| (body, "*)"))
        } else {
            None
        };
        if let Some((body, close)) = comment {
            match body.find(close) {
                Some(k) => i += k + 4,
                None => {
                    let (l, _) = position(text, i);
                    return Err(err(i, format!("unterminated comment (opened at line {l})")));
                }
            }
            continue;
        }
        let start = i;
        let tok = if b.is_ascii_alphabetic() || b == b'_' {
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            Tok::Ident(text[start..i].to_string())
        } else if b.is_ascii_digit() {
            let hex = rest.starts_with("0x") || rest.starts_with("0X");
            if hex {
                i += 2;
            }
            let digits_start = i;
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            let digits: String = text[digits_start..i]
                .chars()
                .filter(|&c| c != '_')
                .collect();
            let parsed = if hex {
                u64::from_str_radix(&digits, 16).ok().map(|v| v as i64)
            } else {
                digits.parse::<i64>().ok()
            };
            match parsed {
                Some(v) => Tok::Int(v),
                None => {
                    return Err(err(
                        start,
                        format!(
                            "invalid integer literal `{}` (expected a 64-bit integer)",
                            &text[start..i]
                        ),
                    ))
                }
            }
        } else if let Some(p) = PUNCTS.iter().find(|p| rest.starts_with(**p)) {
            i += p.len();
            match *p {
                "{" => depth += 1,
                "}" => depth = depth.saturating_sub(1),
                _ => {}
            }
            Tok::Punct(p)
        } else if b == b'.' {
            i += 1;
            Tok::Punct(".")
        } else {
            let c = rest.chars().next().unwrap_or('?');
            return Err(err(start, format!("unexpected character `{c}`")));
        };
        let (line, col) = pos.at(start);
        out.push(Token {
            tok,
            start,
            end: i,
            line,
            col,
        });
    }
    let (line, col) = pos.at(text.len());
    out.push(Token {
        tok: Tok::Eof,
        start: text.len(),
        end: text.len(),
        line,
        col,
    });
    Ok(out)
}

/// A cursor over tokens with error helpers.
pub(crate) struct Cursor<'a> {
    pub file: &'a str,
    pub text: &'a str,
    pub toks: Vec<Token>,
    pub pos: usize,
    /// Current nesting of statements, expressions and conditions.
    depth: u32,
}

/// Deepest nesting the parsers accept (deeper input would exhaust the stack).
pub(crate) const MAX_DEPTH: u32 = 64;

impl<'a> Cursor<'a> {
    pub fn new(file: &'a str, text: &'a str, toks: Vec<Token>) -> Self {
        Cursor {
            file,
            text,
            toks,
            pos: 0,
            depth: 0,
        }
    }

    /// Enters one level of nesting; an error past [`MAX_DEPTH`].
    pub fn enter(&mut self) -> Result<(), Diagnostic> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            let t = self.peek().clone();
            return Err(self.error_at(
                &t,
                format!(
                    "nesting too deep (more than {MAX_DEPTH} levels of statements or expressions)"
                ),
            ));
        }
        Ok(())
    }

    /// Number of arguments of the call whose `(` is the current token, or
    /// `None` when the list is not closed before the statement ends.
    pub fn count_args(&self) -> Option<usize> {
        let mut depth = 0usize;
        let mut commas = 0;
        let mut k = 0;
        loop {
            match self.peek_at(k) {
                Tok::Punct("(") => depth += 1,
                Tok::Punct(")") => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return Some(if k == 1 { 0 } else { commas + 1 });
                    }
                }
                Tok::Punct(",") if depth == 1 => commas += 1,
                Tok::Punct(";") | Tok::Punct("{") | Tok::Punct("}") | Tok::Eof => return None,
                _ => {}
            }
            k += 1;
        }
    }

    /// Leaves a level entered with [`Cursor::enter`].
    pub fn leave(&mut self) {
        self.depth -= 1;
    }

    pub fn peek(&self) -> &Token {
        let i = self.pos.min(self.toks.len() - 1);
        &self.toks[i]
    }

    pub fn peek_at(&self, k: usize) -> &Tok {
        let i = (self.pos + k).min(self.toks.len() - 1);
        &self.toks[i].tok
    }

    pub fn next(&mut self) -> Token {
        let t = self.peek().clone();
        if self.pos < self.toks.len() - 1 {
            self.pos += 1;
        }
        t
    }

    /// End offset of the previous token.
    pub fn prev_end(&self) -> usize {
        if self.pos == 0 {
            0
        } else {
            self.toks[self.pos - 1].end
        }
    }

    pub fn is_punct(&self, p: &str) -> bool {
        matches!(&self.peek().tok, Tok::Punct(q) if *q == p)
    }

    pub fn is_ident(&self, s: &str) -> bool {
        matches!(&self.peek().tok, Tok::Ident(q) if q == s)
    }

    pub fn eat_punct(&mut self, p: &str) -> bool {
        if self.is_punct(p) {
            self.next();
            true
        } else {
            false
        }
    }

    pub fn eat_ident(&mut self, s: &str) -> bool {
        if self.is_ident(s) {
            self.next();
            true
        } else {
            false
        }
    }

    pub fn error_at(&self, t: &Token, msg: impl Into<String>) -> Diagnostic {
        Diagnostic::new(self.file, t.line, t.col, msg)
    }

    /// "expected X, found Y" at the current token.
    pub fn expected(&self, what: &str) -> Diagnostic {
        let t = self.peek();
        self.error_at(t, format!("expected {what}, found {}", describe(&t.tok)))
    }

    pub fn expect_punct(&mut self, p: &str) -> Result<Token, Diagnostic> {
        if self.is_punct(p) {
            Ok(self.next())
        } else {
            Err(self.expected(&format!("`{p}`")))
        }
    }

    pub fn expect_ident(&mut self, what: &str) -> Result<(String, Token), Diagnostic> {
        match &self.peek().tok {
            Tok::Ident(s) => {
                let s = s.clone();
                Ok((s, self.next()))
            }
            _ => Err(self.expected(what)),
        }
    }

    /// Source text from byte `start` to the end of the previous token, on one line.
    pub fn text_from(&self, start: usize) -> String {
        let end = self.prev_end().max(start);
        let s = self.text.get(start..end).unwrap_or("");
        s.split_whitespace().collect::<Vec<_>>().join(" ")
    }
}
