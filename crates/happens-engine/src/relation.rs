//! Dense relations over the events of one graph, as bit matrices. Used by the
//! from-scratch consistency checks (`Model::check_full`), which are the
//! reference the incremental checks are tested against. On the hot path only
//! [`Rel::reset`], [`Rel::set`] and [`Rel::acyclic_with`] are used (the SC
//! order over the SeqCst events, in reused buffers); the operations that
//! build new relations allocate.

use crate::event::{EventKind, WriteKind};
use crate::graph::Graph;
use crate::ids::EventId;

/// A binary relation over `n` elements.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Rel {
    n: usize,
    words: usize,
    bits: Vec<u64>,
}

impl Rel {
    pub fn new(n: usize) -> Rel {
        let words = n.div_ceil(64).max(1);
        Rel {
            n,
            words,
            bits: vec![0; n * words],
        }
    }
    /// Makes `self` the empty relation over `n` elements, keeping its
    /// buffer (no allocation once it has held a relation as large).
    pub fn reset(&mut self, n: usize) {
        self.n = n;
        self.words = n.div_ceil(64).max(1);
        self.bits.clear();
        self.bits.resize(n * self.words, 0);
    }
    pub fn len(&self) -> usize {
        self.n
    }
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }
    #[inline]
    pub fn get(&self, a: usize, b: usize) -> bool {
        self.bits[a * self.words + b / 64] >> (b % 64) & 1 == 1
    }
    #[inline]
    pub fn set(&mut self, a: usize, b: usize) {
        self.bits[a * self.words + b / 64] |= 1 << (b % 64);
    }
    fn row(&self, a: usize) -> &[u64] {
        &self.bits[a * self.words..(a + 1) * self.words]
    }
    /// `self ∪ other`.
    pub fn union(&self, other: &Rel) -> Rel {
        let mut r = self.clone();
        for (x, y) in r.bits.iter_mut().zip(&other.bits) {
            *x |= *y;
        }
        r
    }
    /// `self ; other`.
    pub fn seq(&self, other: &Rel) -> Rel {
        let mut r = Rel::new(self.n);
        for a in 0..self.n {
            for b in 0..self.n {
                if self.get(a, b) {
                    let (dst, src) = (a * r.words, b * other.words);
                    for w in 0..r.words {
                        r.bits[dst + w] |= other.bits[src + w];
                    }
                }
            }
        }
        r
    }
    /// Reflexive closure `self?`.
    pub fn refl(&self) -> Rel {
        let mut r = self.clone();
        for a in 0..self.n {
            r.set(a, a);
        }
        r
    }
    /// Transitive closure `self+` (Warshall).
    pub fn plus(&self) -> Rel {
        let mut r = self.clone();
        for k in 0..self.n {
            let rowk: Vec<u64> = r.row(k).to_vec();
            for a in 0..self.n {
                if r.get(a, k) {
                    let base = a * r.words;
                    for (w, x) in rowk.iter().enumerate() {
                        r.bits[base + w] |= *x;
                    }
                }
            }
        }
        r
    }
    /// The inverse relation.
    pub fn inv(&self) -> Rel {
        let mut r = Rel::new(self.n);
        for a in 0..self.n {
            for b in 0..self.n {
                if self.get(a, b) {
                    r.set(b, a);
                }
            }
        }
        r
    }
    /// Keep the pairs whose both ends satisfy `dom` and `range`.
    pub fn restrict(&self, dom: impl Fn(usize) -> bool, range: impl Fn(usize) -> bool) -> Rel {
        let mut r = Rel::new(self.n);
        for a in 0..self.n {
            if !dom(a) {
                continue;
            }
            for b in 0..self.n {
                if self.get(a, b) && range(b) {
                    r.set(a, b);
                }
            }
        }
        r
    }
    pub fn minus_id(&self) -> Rel {
        let mut r = self.clone();
        for a in 0..self.n {
            r.bits[a * self.words + a / 64] &= !(1 << (a % 64));
        }
        r
    }
    pub fn irreflexive(&self) -> bool {
        (0..self.n).all(|a| !self.get(a, a))
    }
    /// Whether the relation, as a directed graph, has no cycle (depth-first
    /// search over the bit rows; linear in the number of pairs).
    pub fn acyclic(&self) -> bool {
        self.acyclic_with(&mut Vec::new(), &mut Vec::new())
    }
    /// [`Rel::acyclic`] with the search's buffers supplied by the caller
    /// (so that a check run after every step allocates nothing).
    pub fn acyclic_with(&self, colour: &mut Vec<u8>, stack: &mut Vec<(usize, usize)>) -> bool {
        // 0 = unvisited, 1 = on the stack, 2 = done
        colour.clear();
        colour.resize(self.n, 0);
        stack.clear();
        for s in 0..self.n {
            if colour[s] != 0 {
                continue;
            }
            colour[s] = 1;
            stack.push((s, 0));
            while let Some(&mut (v, ref mut next)) = stack.last_mut() {
                // the first successor of v at or after `next`
                let row = self.row(v);
                let mut found = None;
                let mut k = *next / 64;
                if k < row.len() {
                    let mut w = row[k] & (!0u64 << (*next % 64));
                    loop {
                        if w != 0 {
                            found = Some(k * 64 + w.trailing_zeros() as usize);
                            break;
                        }
                        k += 1;
                        if k == row.len() {
                            break;
                        }
                        w = row[k];
                    }
                }
                *next = found.map_or(self.n, |u| u + 1);
                match found {
                    Some(u) if colour[u] == 1 => return false,
                    Some(u) if colour[u] == 0 => {
                        colour[u] = 1;
                        stack.push((u, 0));
                    }
                    Some(_) => {}
                    None => {
                        colour[v] = 2;
                        stack.pop();
                    }
                }
            }
        }
        true
    }
    pub fn is_empty_rel(&self) -> bool {
        self.bits.iter().all(|&w| w == 0)
    }
    pub fn intersect(&self, other: &Rel) -> Rel {
        let mut r = self.clone();
        for (x, y) in r.bits.iter_mut().zip(&other.bits) {
            *x &= *y;
        }
        r
    }
    pub fn minus(&self, other: &Rel) -> Rel {
        let mut r = self.clone();
        for (x, y) in r.bits.iter_mut().zip(&other.bits) {
            *x &= !*y;
        }
        r
    }
}

/// The base relations of a graph, over a dense numbering of its events.
pub struct Base {
    pub ids: Vec<EventId>,
    pub kinds: Vec<EventKind>,
    /// Program order, plus spawn→start and finish→join.
    pub sb: Rel,
    /// Program order within threads only.
    pub po: Rel,
    pub rf: Rel,
    pub co: Rel,
    pub rb: Rel,
    /// RMW read half → write half.
    pub rmw: Rel,
    /// Same location.
    pub loc: Rel,
}

impl Base {
    pub fn of(g: &Graph) -> Base {
        let mut ids = Vec::new();
        let mut kinds = Vec::new();
        let mut start = vec![0usize; g.num_threads() + 1];
        for (t, st) in start.iter_mut().enumerate().take(g.num_threads()) {
            *st = ids.len();
            for (i, ev) in g
                .thread_events(crate::ids::ThreadId::from_index(t))
                .iter()
                .enumerate()
            {
                ids.push(EventId::new(crate::ids::ThreadId::from_index(t), i));
                kinds.push(ev.kind);
            }
        }
        start[g.num_threads()] = ids.len();
        let n = ids.len();
        let ix = |e: EventId| start[e.thread.index()] + e.index as usize;
        let mut po = Rel::new(n);
        let mut rf = Rel::new(n);
        let mut co = Rel::new(n);
        let mut rmw = Rel::new(n);
        let mut loc = Rel::new(n);
        let mut extra = Rel::new(n);
        for a in 0..n {
            for b in 0..n {
                if ids[a].thread == ids[b].thread && ids[a].index < ids[b].index {
                    po.set(a, b);
                }
                if let (Some(la), Some(lb)) = (kinds[a].loc(), kinds[b].loc()) {
                    if la == lb {
                        loc.set(a, b);
                    }
                }
            }
            match kinds[a] {
                EventKind::Read(r) => rf.set(ix(r.rf), a),
                EventKind::Write(w) if w.kind == WriteKind::Rmw => rmw.set(
                    ix(EventId::new(ids[a].thread, ids[a].index as usize - 1)),
                    a,
                ),
                EventKind::Start { parent, .. } => extra.set(ix(parent), a),
                EventKind::Join { child } => {
                    let f = EventId::new(child, g.thread_len(child) - 1);
                    extra.set(ix(f), a)
                }
                _ => {}
            }
        }
        for (_, l) in g.locations() {
            for (i, &a) in l.co.iter().enumerate() {
                for &b in &l.co[i + 1..] {
                    co.set(ix(a), ix(b));
                }
            }
        }
        let rb = rf.inv().seq(&co).minus_id();
        let sb = po.union(&extra).plus();
        Base {
            ids,
            kinds,
            sb,
            po,
            rf,
            co,
            rb,
            rmw,
            loc,
        }
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The number of event `e` of the graph.
    pub fn index(&self, e: EventId) -> usize {
        // `ids` is in thread order, then program order: sorted
        self.ids.binary_search(&e).expect("an event of the graph")
    }

    /// `[pred]` as a relation.
    pub fn id_of(&self, pred: impl Fn(&EventKind) -> bool) -> Rel {
        let mut r = Rel::new(self.len());
        for (a, k) in self.kinds.iter().enumerate() {
            if pred(k) {
                r.set(a, a);
            }
        }
        r
    }

    /// `eco = (rf ∪ co ∪ rb)+`.
    pub fn eco(&self) -> Rel {
        self.rf.union(&self.co).union(&self.rb).plus()
    }
}
