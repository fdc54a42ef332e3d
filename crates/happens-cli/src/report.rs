//! The text report of one test under one model.
//!
//! ```text
//! Test SB+rlx (model rust)
//! States 4
//!   0:r0  1:r0  executions
//!      0     0           1
//!      0     1           1
//!      1     0           1
//!      1     1           1
//! Condition exists (0:r0=0 /\ 1:r0=0): sometimes (1 of 4 executions), Ok
//! Executions 4, blocked 0
//! ```

use std::fmt::Write as _;

use happens_litmus::{Access, ConditionResult, Holds, Outcome, Quantifier, RaceReport, State};

/// Whether to emphasise parts of the report with ANSI colours.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    Plain,
    Color,
}

impl Style {
    fn paint(self, code: &str, text: &str) -> String {
        match self {
            Style::Plain => text.to_string(),
            Style::Color => format!("\x1b[{code}m{text}\x1b[0m"),
        }
    }
    pub fn bold(self, text: &str) -> String {
        self.paint("1", text)
    }
    pub fn red(self, text: &str) -> String {
        self.paint("1;31", text)
    }
    pub fn green(self, text: &str) -> String {
        self.paint("32", text)
    }
}

/// `always`, `sometimes` or `never`.
pub fn holds_word(h: Holds) -> &'static str {
    match h {
        Holds::Always => "always",
        Holds::Sometimes => "sometimes",
        Holds::Never => "never",
    }
}

/// The quantifier as written in herd's syntax: `exists`, `~exists`, `forall`.
pub fn quantifier_word(q: Quantifier) -> &'static str {
    match q {
        Quantifier::Exists => "exists",
        Quantifier::NotExists => "~exists",
        Quantifier::Forall => "forall",
    }
}

/// herd's verdict for the quantified condition: `Ok`, `No`, or `Undef` when
/// some execution has a data race.
pub fn verdict(c: &ConditionResult, undefined: bool) -> &'static str {
    if undefined {
        "Undef"
    } else if c.validated {
        "Ok"
    } else {
        "No"
    }
}

/// The full report of `outcome`, which came from the file `file`.
pub fn outcome(file: &str, o: &Outcome, style: Style) -> String {
    let mut s = String::new();
    let header = format!("Test {} (model {})", o.test, o.model.name());
    let _ = writeln!(s, "{}", style.bold(&header));
    if o.states.is_empty() {
        let why = if o.undefined {
            " (every complete execution has a data race)"
        } else {
            " (no execution completes)"
        };
        let _ = writeln!(s, "States 0{why}");
    } else {
        let _ = writeln!(s, "States {}", o.states.len());
        s.push_str(&states_table(&o.states));
        let thin_air = o
            .states
            .iter()
            .any(|st| st.values.iter().any(|(_, v)| v.as_int().is_none()));
        if thin_air {
            let _ = writeln!(
                s,
                "  S<n>: an out-of-thin-air value (no write determines it: any value is possible there; keys with the same symbol hold the same value)"
            );
        }
    }
    if let Some(c) = &o.condition {
        let _ = writeln!(s, "{}", condition_line(c, o.undefined, style));
    }
    let mut totals = format!("Executions {}, blocked {}", o.executions, o.blocked);
    if o.blocked > 0 {
        totals.push_str(" (a thread ended waiting in a spin loop for a value it did not read)");
    }
    if o.bound_exceeded > 0 {
        let _ = write!(
            totals,
            ", bound exceeded {} (a thread ran past --max-events: an unbounded loop?)",
            o.bound_exceeded
        );
    }
    if o.errors > 0 {
        let _ = write!(
            totals,
            ", errors {} (first: {})",
            o.errors,
            o.first_error.as_deref().unwrap_or("?")
        );
    }
    let _ = writeln!(s, "{totals}");
    if o.undefined {
        let _ = writeln!(
            s,
            "{}",
            style.red("Undefined behaviour: data race (conflicting accesses not ordered by happens-before, one of them non-atomic)")
        );
        for r in &o.races {
            s.push_str(&race(file, r));
        }
    }
    s
}

/// `Condition <quantifier> <text>: <verdict text>`.
pub fn condition_line(c: &ConditionResult, undefined: bool, style: Style) -> String {
    format!(
        "Condition {} {}: {}",
        quantifier_word(c.quantifier),
        c.text,
        condition_verdict(c, undefined, style)
    )
}

/// `<holds> (<positive> of <total> executions), <Ok|No|Undef>`.
pub fn condition_verdict(c: &ConditionResult, undefined: bool, style: Style) -> String {
    let v = verdict(c, undefined);
    let painted = match v {
        "Ok" => style.green(v),
        "Undef" => style.red(v),
        _ => style.bold(v),
    };
    format!(
        "{} ({} of {} executions), {}",
        holds_word(c.holds),
        c.positive,
        c.positive + c.negative,
        painted
    )
}

/// The names of the columns of a set of states, in the order of the first
/// state, followed by any name that only later states have.
pub fn columns(states: &[State]) -> Vec<String> {
    let mut cols: Vec<String> = Vec::new();
    for st in states {
        for (name, _) in &st.values {
            if !cols.contains(name) {
                cols.push(name.clone());
            }
        }
    }
    cols
}

/// The value of `name` in `st`, as printed (`-` if absent).
pub fn cell(st: &State, name: &str) -> String {
    st.values
        .iter()
        .find(|(n, _)| n == name)
        .map_or_else(|| "-".to_string(), |(_, v)| v.to_string())
}

/// A right-aligned table: a header row of `names`, then `rows`, each cell
/// preceded by two spaces.
pub fn table(names: &[String], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = names.iter().map(|n| n.chars().count()).collect();
    for row in rows {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut s = String::new();
    let mut line = |cells: &mut dyn Iterator<Item = &String>| {
        let mut l = String::new();
        for (c, w) in cells.zip(&widths) {
            let _ = write!(l, "  {c:>w$}");
        }
        s.push_str(l.trim_end());
        s.push('\n');
    };
    line(&mut names.iter());
    for row in rows {
        line(&mut row.iter());
    }
    s
}

fn states_table(states: &[State]) -> String {
    let mut names = columns(states);
    let rows: Vec<Vec<String>> = states
        .iter()
        .map(|st| {
            let mut r: Vec<String> = names.iter().map(|n| cell(st, n)).collect();
            r.push(st.executions.to_string());
            r
        })
        .collect();
    names.push("executions".to_string());
    table(&names, &rows)
}

fn access(file: &str, a: &Access) -> String {
    let kind = match (a.atomic, a.write) {
        (true, true) => "atomic write",
        (true, false) => "atomic read",
        (false, true) => "non-atomic write",
        (false, false) => "non-atomic read",
    };
    format!(
        "    {} at {}:{}: {} `{}`\n",
        a.thread, file, a.line, kind, a.text
    )
}

fn race(file: &str, r: &RaceReport) -> String {
    format!(
        "  on `{}`:\n{}{}",
        r.location,
        access(file, &r.first),
        access(file, &r.second)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use happens_litmus::Value;

    #[test]
    fn table_is_right_aligned() {
        let names = vec!["0:r0".to_string(), "executions".to_string()];
        let rows = vec![
            vec!["0".to_string(), "12".to_string()],
            vec!["-1".to_string(), "3".to_string()],
        ];
        assert_eq!(
            table(&names, &rows),
            "  0:r0  executions\n     0          12\n    -1           3\n"
        );
    }

    #[test]
    fn columns_follow_first_state_then_new_names() {
        let states = vec![
            State {
                values: vec![("x".into(), Value::Int(1)), ("0:r0".into(), Value::Int(0))],
                executions: 1,
            },
            State {
                values: vec![("x".into(), Value::Int(2)), ("1:r1".into(), Value::Int(5))],
                executions: 2,
            },
        ];
        assert_eq!(columns(&states), ["x", "0:r0", "1:r1"]);
        assert_eq!(cell(&states[1], "0:r0"), "-");
        assert_eq!(cell(&states[1], "1:r1"), "5");
    }
}
