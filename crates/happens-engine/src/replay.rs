//! Replay keys: one execution graph written down as text, so that it can be
//! rebuilt and shown again (`HAPPENS_REPLAY=<key>`, `happens replay <key>`).
//!
//! A key lists what TruSt branches on: for every read the write it reads
//! from (and whether a weak compare-exchange failed spuriously), and for
//! every location the order of its writes. Events are named by thread and
//! index (`2.5`), locations by the event that created them. Text form:
//!
//! ```text
//! h1/1.1<0.0,2.1<1.2s/0.0:0.0,1.2,2.2;0.1:0.1
//! ```
//!
//! (`h1` version tag; `/`-separated sections: reads `reader<writer` with `s`
//! for a spurious failure; locations `alloc:co,...`).

use std::fmt;

use crate::event::EventKind;
use crate::graph::Graph;
use crate::ids::{EventId, ThreadId};

/// The choices that identify one execution graph.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct ReplayKey {
    /// `(read, write, spurious)`, sorted by read.
    pub rf: Vec<(EventId, EventId, bool)>,
    /// `(alloc, co)` per location, sorted by alloc.
    pub co: Vec<(EventId, Vec<EventId>)>,
}

/// A key that does not parse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadKey(pub String);

impl fmt::Display for BadKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid replay key: {}", self.0)
    }
}

impl std::error::Error for BadKey {}

impl ReplayKey {
    /// The key of a graph.
    pub fn of(g: &Graph) -> ReplayKey {
        let mut rf = Vec::new();
        for (e, ev) in g.events() {
            if let EventKind::Read(r) = ev.kind {
                rf.push((e, r.rf, r.spurious));
            }
        }
        rf.sort();
        let mut co: Vec<(EventId, Vec<EventId>)> = g
            .locations()
            .filter_map(|(_, l)| Some((l.alloc?, l.co.clone())))
            .collect();
        co.sort();
        ReplayKey { rf, co }
    }

    /// The write `read` reads from, and its spurious flag.
    pub fn rf_of(&self, read: EventId) -> Option<(EventId, bool)> {
        self.rf
            .binary_search_by(|x| x.0.cmp(&read))
            .ok()
            .map(|i| (self.rf[i].1, self.rf[i].2))
    }

    /// The modification order of the location created by `alloc`.
    pub fn co_of(&self, alloc: EventId) -> Option<&[EventId]> {
        self.co
            .binary_search_by(|x| x.0.cmp(&alloc))
            .ok()
            .map(|i| self.co[i].1.as_slice())
    }

    /// Parses the text form.
    pub fn parse(s: &str) -> Result<ReplayKey, BadKey> {
        let s = s.trim();
        let mut parts = s.split('/');
        if parts.next() != Some("h1") {
            return Err(BadKey("expected it to start with `h1/`".into()));
        }
        let reads = parts
            .next()
            .ok_or_else(|| BadKey("missing reads section".into()))?;
        let locs = parts
            .next()
            .ok_or_else(|| BadKey("missing locations section".into()))?;
        if parts.next().is_some() {
            return Err(BadKey("too many `/` sections".into()));
        }
        let mut key = ReplayKey::default();
        for item in reads.split(',').filter(|x| !x.is_empty()) {
            let (r, w) = item
                .split_once('<')
                .ok_or_else(|| BadKey(format!("`{item}`: expected `reader<writer`")))?;
            let (w, spurious) = match w.strip_suffix('s') {
                Some(w) => (w, true),
                None => (w, false),
            };
            key.rf.push((event(r)?, event(w)?, spurious));
        }
        for item in locs.split(';').filter(|x| !x.is_empty()) {
            let (a, co) = item
                .split_once(':')
                .ok_or_else(|| BadKey(format!("`{item}`: expected `alloc:writes`")))?;
            let co = co.split(',').map(event).collect::<Result<Vec<_>, _>>()?;
            key.co.push((event(a)?, co));
        }
        key.rf.sort();
        key.co.sort();
        Ok(key)
    }
}

fn event(s: &str) -> Result<EventId, BadKey> {
    let bad = || BadKey(format!("`{s}`: expected an event `thread.index`"));
    let (t, i) = s.split_once('.').ok_or_else(bad)?;
    let t: u32 = t.parse().map_err(|_| bad())?;
    let i: usize = i.parse().map_err(|_| bad())?;
    Ok(EventId::new(ThreadId(t), i))
}

impl fmt::Display for ReplayKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("h1/")?;
        for (i, (r, w, sp)) in self.rf.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{r}<{w}{}", if *sp { "s" } else { "" })?;
        }
        f.write_str("/")?;
        for (i, (a, co)) in self.co.iter().enumerate() {
            if i > 0 {
                f.write_str(";")?;
            }
            write!(f, "{a}:")?;
            for (j, w) in co.iter().enumerate() {
                if j > 0 {
                    f.write_str(",")?;
                }
                write!(f, "{w}")?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_round_trip() {
        let k = ReplayKey {
            rf: vec![
                (
                    EventId::new(ThreadId(1), 1),
                    EventId::new(ThreadId(0), 0),
                    false,
                ),
                (
                    EventId::new(ThreadId(2), 3),
                    EventId::new(ThreadId(1), 2),
                    true,
                ),
            ],
            co: vec![(
                EventId::new(ThreadId(0), 0),
                vec![EventId::new(ThreadId(0), 0), EventId::new(ThreadId(1), 2)],
            )],
        };
        let s = k.to_string();
        assert_eq!(s, "h1/1.1<0.0,2.3<1.2s/0.0:0.0,1.2");
        assert_eq!(ReplayKey::parse(&s), Ok(k));
        assert!(ReplayKey::parse("h2/").is_err());
        assert!(ReplayKey::parse("h1/1.x<0.0/").is_err());
    }
}
