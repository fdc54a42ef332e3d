//! The terminal diagram.
//!
//! Layout: the visible threads are columns, the first half on the left of the
//! location columns and the rest on the right. Time runs down in *bands* of
//! three text lines; each band holds one event box or one value cell (a
//! write's box and its value share a band when no other line has to pass),
//! the first band holds the initial values. Between each thread column and
//! the locations is a gutter with vertical *lanes*; a connection goes
//! horizontally from a value cell to a lane, along the lane, and
//! horizontally into the event's box. Each value cell with the write that
//! made it and the reads of it form one connection (one net of lines).
//!
//! The tight layout, used only when the diagram does not fit otherwise,
//! leaves no spare column in the gutters and wraps each read whose label is
//! wider than its column needs onto two lines, the value read on the second
//! (`fetch_add 1 rlx` / `→ 0`); a band holding such a box is four lines
//! high.
//!
//! Marks: `⇓` program order, `⋮` on a thread's spine where events were
//! elided (see [`Labels::elided_events`](crate::Labels)); a plain line is a write or a read; an arrow into
//! a value cell is a release write and an arrow into a box an acquire read
//! that synchronise with each other (each such `sw` edge is also listed below
//! the diagram); double-lined boxes are marked events (races, failures).

use std::collections::{BTreeMap, BTreeSet};

use happens_engine::{EventId, Graph};

use crate::grid::Grid;
use crate::label::Form;
use crate::list::{footer, list};
use crate::view::View;
use crate::{Labels, Marks};

/// Options of [`render_terminal`].
#[derive(Clone, Debug)]
pub struct TermOptions {
    /// Maximum width in columns; a wider diagram becomes a list.
    pub width: usize,
    /// Plain ASCII instead of Unicode box drawing.
    pub ascii: bool,
}

impl Default for TermOptions {
    fn default() -> Self {
        TermOptions {
            width: 100,
            ascii: false,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Item {
    Event(EventId),
    Cell(EventId),
}

/// Column facts of a visible thread.
struct Col {
    left: bool,
    depth: usize,
    x: usize,
    w: usize,
    lanes: usize,
    gutter_x: usize,
}

struct Diagram<'v, 'g> {
    v: &'v View<'g>,
    /// The tight layout: gutters without spare columns, and read labels
    /// wider than their column needs wrapped before the value read.
    tight: bool,
    /// The text lines of each event's box.
    lines: BTreeMap<EventId, Vec<String>>,
    /// thread index of a visible event
    tix: BTreeMap<EventId, usize>,
    cols: Vec<Col>,
    /// location index of a write (its value cell)
    lix: BTreeMap<EventId, usize>,
    loc_x: Vec<usize>,
    loc_w: Vec<usize>,
    band_ev: BTreeMap<EventId, usize>,
    band_cell: BTreeMap<EventId, usize>,
    merged: BTreeSet<EventId>,
    nbands: usize,
    /// Middle text row of each band (bands are 3 rows high, 4 with a
    /// wrapped box).
    mids: Vec<usize>,
    /// Rows of the whole diagram.
    rows: usize,
    /// Rows of the names at the top (a name may span lines).
    header: usize,
    /// lane of (cell write, thread index)
    lane: BTreeMap<(EventId, usize), usize>,
}

/// Renders one execution as a terminal diagram, or as a list when the
/// diagram would be wider than `opts.width`. Boxes carry compact labels
/// naming their locations (`x = 1 rlx`). A diagram too wide for
/// `opts.width` is tried with labels that leave the location to the column
/// the box is connected to (`store 1 rlx`), then in the tight layout (see
/// the module documentation), with either labels. The lines under the
/// diagram (and the list) always name the locations.
pub fn render_terminal(g: &Graph, labels: &Labels, marks: &Marks, opts: &TermOptions) -> String {
    match try_render_terminal(g, labels, marks, opts) {
        Ok(out) => out,
        Err(Wide { width, list }) => format!(
            "{list}(the diagram needs {width} columns, more than {}: use --svg FILE for a picture)\n",
            opts.width
        ),
    }
}

/// Why [`try_render_terminal`] drew no diagram.
#[derive(Clone, Debug)]
pub struct Wide {
    /// The fewest columns the diagram needs.
    pub width: usize,
    /// The list form with the lines under it, in place of the diagram.
    pub list: String,
}

/// [`render_terminal`], but a diagram wider than `opts.width` is an error
/// saying how wide it would be (with the list form).
pub fn try_render_terminal(
    g: &Graph,
    labels: &Labels,
    marks: &Marks,
    opts: &TermOptions,
) -> Result<String, Wide> {
    let form = Form {
        columns: false,
        ascii: opts.ascii,
    };
    let v = View::new(g, labels, marks, form);
    let mut columns = None;
    let mut width = usize::MAX;
    let mut drawn = None;
    for (column_labels, tight) in [(false, false), (true, false), (false, true), (true, true)] {
        let view = if column_labels {
            let c = Form {
                columns: true,
                ..form
            };
            &*columns.get_or_insert_with(|| View::new(g, labels, marks, c))
        } else {
            &v
        };
        let d = Diagram::new(view, tight);
        width = width.min(d.total_width());
        if width <= opts.width {
            drawn = Some(d.draw(opts.ascii));
            break;
        }
    }
    match drawn {
        Some(mut out) => {
            out.push_str(&footer(&v, opts.ascii));
            Ok(out)
        }
        None => {
            let mut list = list(&v, opts.ascii);
            list.push_str(&footer(&v, opts.ascii));
            Err(Wide { width, list })
        }
    }
}

/// The text lines of the boxes of one thread's `events`: one line each,
/// except in the tight layout, where a read whose label is wider than the
/// column needs gets a second line for the value read.
fn box_lines(v: &View<'_>, events: &[EventId], tight: bool) -> Vec<(EventId, Vec<String>)> {
    let len = |s: &str| s.chars().count();
    let need = events
        .iter()
        .map(|&e| match v.parts(e) {
            (head, Some(result)) if tight => len(head).max(len(result)),
            _ => len(v.text(e)),
        })
        .max()
        .unwrap_or(0);
    events
        .iter()
        .map(|&e| {
            let lines = match v.parts(e) {
                (head, Some(result)) if tight && len(v.text(e)) > need => {
                    vec![head.to_string(), result.to_string()]
                }
                _ => vec![v.text(e).to_string()],
            };
            (e, lines)
        })
        .collect()
}

impl<'v, 'g> Diagram<'v, 'g> {
    fn new(v: &'v View<'g>, tight: bool) -> Self {
        let n = v.threads.len();
        let nleft = n.div_ceil(2);
        let mut tix = BTreeMap::new();
        let mut cols = Vec::new();
        let mut lines = BTreeMap::new();
        for (i, th) in v.threads.iter().enumerate() {
            for &e in &th.events {
                tix.insert(e, i);
            }
            let boxes = box_lines(v, &th.events, tight);
            let w = boxes
                .iter()
                .flat_map(|(_, ls)| ls.iter().map(|l| l.chars().count() + 4))
                .chain([widest_line(&th.name), 5])
                .max()
                .unwrap_or(5);
            let left = i < nleft;
            cols.push(Col {
                left,
                depth: if left { nleft - 1 - i } else { i - nleft },
                x: 0,
                w,
                lanes: 0,
                gutter_x: 0,
            });
            lines.extend(boxes);
        }
        let mut lix = BTreeMap::new();
        let mut loc_w = Vec::new();
        for (k, l) in v.locs.iter().enumerate() {
            for &w in &l.co {
                lix.insert(w, k);
            }
            let w =
                l.co.iter()
                    .map(|&w| v.value(w).chars().count() + 4)
                    .chain([widest_line(&l.name), 5])
                    .max()
                    .unwrap_or(5);
            loc_w.push(w);
        }
        let mut d = Diagram {
            v,
            tight,
            lines,
            tix,
            cols,
            lix,
            loc_x: vec![0; v.locs.len()],
            loc_w,
            band_ev: BTreeMap::new(),
            band_cell: BTreeMap::new(),
            merged: BTreeSet::new(),
            nbands: 0,
            mids: Vec::new(),
            rows: 1,
            header: v
                .threads
                .iter()
                .map(|t| t.name.lines().count())
                .chain(v.locs.iter().map(|l| l.name.lines().count()))
                .chain([1])
                .max()
                .unwrap_or(1),
            lane: BTreeMap::new(),
        };
        d.place_bands();
        d.assign_lanes();
        d.place_columns();
        d
    }

    /// Shown events connected to the value cell of `w`: its writer (if
    /// visible) and its readers.
    fn connected(&self, w: EventId) -> Vec<EventId> {
        let mut out: Vec<EventId> = Vec::new();
        if self.tix.contains_key(&w) {
            out.push(w);
        }
        out.extend(
            self.v
                .rf
                .iter()
                .filter(|(x, r)| *x == w && self.tix.contains_key(r))
                .map(|(_, r)| *r),
        );
        out
    }

    fn sides(&self, w: EventId) -> (bool, bool) {
        let c = self.connected(w);
        let left = c.iter().any(|e| self.cols[self.tix[e]].left);
        let right = c.iter().any(|e| !self.cols[self.tix[e]].left);
        (left, right)
    }

    /// Whether the box of write `w` and its value cell can share a band.
    fn can_merge(&self, w: EventId) -> bool {
        let Some(&i) = self.tix.get(&w) else {
            return false;
        };
        let c = &self.cols[i];
        self.connected(w).iter().all(|e| {
            let o = &self.cols[self.tix[e]];
            o.left != c.left || o.depth <= c.depth
        })
    }

    fn place_bands(&mut self) {
        let v = self.v;
        // initial values: co-first writes of hidden threads, packed in bands
        // where no line would cross another value cell
        let mut band = 0usize;
        let mut group: Vec<(usize, bool, bool)> = Vec::new();
        for (k, l) in v.locs.iter().enumerate() {
            let Some(&w) = l.co.first() else { continue };
            if self.tix.contains_key(&w) {
                continue;
            }
            let (sl, sr) = self.sides(w);
            let clash = group
                .iter()
                .any(|&(j, jl, jr)| (j < k && (sl || jr)) || (j > k && (sr || jl)));
            if clash {
                band += 1;
                group.clear();
            }
            group.push((k, sl, sr));
            self.band_cell.insert(w, band);
        }
        let mut next = if self.band_cell.is_empty() {
            0
        } else {
            band + 1
        };
        let mut th_head = vec![0usize; v.threads.len()];
        let mut loc_head = vec![0usize; v.locs.len()];
        let mut last: Option<Item> = None;
        loop {
            for (k, l) in v.locs.iter().enumerate() {
                while loc_head[k] < l.co.len() && self.band_cell.contains_key(&l.co[loc_head[k]]) {
                    loc_head[k] += 1;
                }
            }
            let mut cands = Vec::new();
            for (i, th) in v.threads.iter().enumerate() {
                if let Some(&e) = th.events.get(th_head[i]) {
                    cands.push(Item::Event(e));
                }
            }
            for (k, l) in v.locs.iter().enumerate() {
                if let Some(&w) = l.co.get(loc_head[k]) {
                    cands.push(Item::Cell(w));
                }
            }
            if cands.is_empty() {
                break;
            }
            let ready = |it: &Item| match *it {
                Item::Cell(w) => !self.tix.contains_key(&w) || self.band_ev.contains_key(&w),
                Item::Event(e) => match v.g.read(e) {
                    Some(r) => !self.lix.contains_key(&r.rf) || self.band_cell.contains_key(&r.rf),
                    None => true,
                },
            };
            let stamp = |it: &Item| match *it {
                Item::Cell(w) | Item::Event(w) => v.g.stamp(w),
            };
            let pick = cands
                .iter()
                .copied()
                .find(|it| matches!(it, Item::Cell(_)) && ready(it))
                .or_else(|| {
                    cands
                        .iter()
                        .copied()
                        .filter(|it| ready(it))
                        .min_by_key(|it| stamp(it))
                })
                .unwrap_or_else(|| cands.iter().copied().min_by_key(|it| stamp(it)).unwrap());
            match pick {
                Item::Event(e) => {
                    let i = self.tix[&e];
                    let n = th_head[i];
                    th_head[i] += 1;
                    // room for the `⋮` of events elided before it: a spine
                    // row after the previous box, or a row under the names
                    let room = match n.checked_sub(1) {
                        Some(p) => self.band_ev[&v.threads[i].events[p]] + 1 < next,
                        None => next > 0,
                    };
                    if v.threads[i].gaps[n] && !room {
                        next += 1;
                    }
                    self.band_ev.insert(e, next);
                    next += 1;
                }
                Item::Cell(w) => {
                    if last == Some(Item::Event(w)) && self.can_merge(w) {
                        self.merged.insert(w);
                        self.band_cell.insert(w, next - 1);
                    } else {
                        self.band_cell.insert(w, next);
                        next += 1;
                    }
                }
            }
            last = Some(pick);
        }
        self.nbands = next;
        let mut height = vec![3; next];
        for (e, &b) in &self.band_ev {
            height[b] = height[b].max(2 + self.lines[e].len());
        }
        let mut top = self.header;
        for h in height {
            self.mids.push(top + 1);
            top += h;
        }
        self.rows = top;
        // a `⋮` under the last box of a thread with elided events after it
        for th in &v.threads {
            if let (true, Some(&e)) = (th.gap_after, th.events.last()) {
                let y = self.mid(self.band_ev[&e]) + self.nlines(e) + 1;
                self.rows = self.rows.max(y + 1);
            }
        }
    }

    /// Middle text row of band `b` (row 0 holds the names).
    fn mid(&self, b: usize) -> usize {
        self.mids[b]
    }

    /// Number of text lines of the box of `e`.
    fn nlines(&self, e: EventId) -> usize {
        self.lines.get(&e).map_or(1, Vec::len)
    }

    fn assign_lanes(&mut self) {
        // intervals (in rows) per gutter
        let mut reqs: Vec<Vec<(usize, usize, EventId)>> = vec![Vec::new(); self.cols.len()];
        for (&w, &b) in &self.band_cell {
            let yc = self.mid(b);
            let mut per: BTreeMap<usize, (usize, usize)> = BTreeMap::new();
            for e in self.connected(w) {
                if self.merged.contains(&e) && e == w {
                    continue;
                }
                let i = self.tix[&e];
                let ye = self.mid(self.band_ev[&e]);
                let iv = per.entry(i).or_insert((yc, yc));
                iv.0 = iv.0.min(ye);
                iv.1 = iv.1.max(ye);
            }
            for (i, (a, z)) in per {
                reqs[i].push((a, z, w));
            }
        }
        for (i, mut rs) in reqs.into_iter().enumerate() {
            rs.sort();
            let mut ends: Vec<usize> = Vec::new();
            for (a, z, w) in rs {
                let j = match ends.iter().position(|&end| end < a) {
                    Some(j) => j,
                    None => {
                        ends.push(0);
                        ends.len() - 1
                    }
                };
                ends[j] = z;
                self.lane.insert((w, i), j);
            }
            self.cols[i].lanes = ends.len();
        }
    }

    fn gutter_w(&self, c: &Col) -> usize {
        if self.tight {
            1 + 2 * c.lanes
        } else {
            2 + 2 * c.lanes.max(1)
        }
    }

    fn place_columns(&mut self) {
        let mut x = 0;
        for i in 0..self.cols.len() {
            if self.cols[i].left {
                let gw = self.gutter_w(&self.cols[i]);
                let c = &mut self.cols[i];
                c.x = x;
                x += c.w;
                c.gutter_x = x;
                x += gw;
            }
        }
        for k in 0..self.loc_x.len() {
            self.loc_x[k] = x;
            x += self.loc_w[k] + 1;
        }
        for i in 0..self.cols.len() {
            if !self.cols[i].left {
                let gw = self.gutter_w(&self.cols[i]);
                let c = &mut self.cols[i];
                c.gutter_x = x;
                x += gw;
                c.x = x;
                x += c.w;
            }
        }
    }

    fn total_width(&self) -> usize {
        let t = self.cols.iter().map(|c| c.x + c.w).max().unwrap_or(0);
        let l = (0..self.loc_x.len())
            .map(|k| self.loc_x[k] + self.loc_w[k])
            .max()
            .unwrap_or(0);
        t.max(l)
    }

    fn lane_x(&self, w: EventId, i: usize) -> usize {
        let c = &self.cols[i];
        let j = self.lane[&(w, i)];
        if c.left {
            c.gutter_x + 1 + 2 * j
        } else {
            c.x - 2 - 2 * j
        }
    }

    /// Column of the box edge facing the locations.
    fn port_x(&self, i: usize) -> usize {
        let c = &self.cols[i];
        if c.left {
            c.x + c.w - 1
        } else {
            c.x
        }
    }

    fn draw(&self, ascii: bool) -> String {
        let v = self.v;
        let mut g = Grid::new(self.total_width(), self.rows, ascii);
        let pick = |u: char, a: char| if ascii { a } else { u };
        // names, a line per row, at the bottom of the header
        let mut name = |x: usize, w: usize, s: &str| {
            let n = s.lines().count();
            for (row, line) in s.lines().enumerate() {
                let y = self.header - n + row;
                g.text(x + (w - line.chars().count()) / 2, y, line);
            }
        };
        for (i, th) in v.threads.iter().enumerate() {
            let c = &self.cols[i];
            name(c.x, c.w, &th.name);
        }
        for (k, l) in v.locs.iter().enumerate() {
            name(self.loc_x[k], self.loc_w[k], &l.name);
        }
        // connections first: boxes and ports overwrite them
        let sync_reads: BTreeSet<EventId> = v.syncs.iter().map(|s| s.read).collect();
        let sync_writes: BTreeSet<EventId> = v.syncs.iter().map(|s| s.write).collect();
        let mut ports: Vec<(usize, usize, char)> = Vec::new();
        for (net, (&w, &b)) in self.band_cell.iter().enumerate() {
            let k = self.lix[&w];
            let yc = self.mid(b);
            let conn = self.connected(w);
            for left in [true, false] {
                let side: Vec<EventId> = conn
                    .iter()
                    .copied()
                    .filter(|e| self.cols[self.tix[e]].left == left)
                    .collect();
                if side.is_empty() {
                    continue;
                }
                let cell_port = if left {
                    self.loc_x[k]
                } else {
                    self.loc_x[k] + self.loc_w[k] - 1
                };
                let mut far = cell_port;
                let further = |a: usize, b: usize| if left { a.min(b) } else { a.max(b) };
                for &e in &side {
                    let i = self.tix[&e];
                    if e == w && self.merged.contains(&w) {
                        far = further(far, self.port_x(i));
                        continue;
                    }
                    let lx = self.lane_x(w, i);
                    far = further(far, lx);
                    let ye = self.mid(self.band_ev[&e]);
                    g.vline(lx, yc, ye, net);
                    g.hline(ye, self.port_x(i), lx, net);
                }
                g.hline(yc, cell_port, far, net);
                let into_cell = side.contains(&w) && sync_writes.contains(&w);
                let c = match (left, into_cell) {
                    (true, false) => pick('┤', '+'),
                    (false, false) => pick('├', '+'),
                    (true, true) => pick('→', '>'),
                    (false, true) => pick('←', '<'),
                };
                ports.push((cell_port, yc, c));
                for &e in &side {
                    let i = self.tix[&e];
                    let c = if e != w && sync_reads.contains(&e) {
                        if left {
                            pick('←', '<')
                        } else {
                            pick('→', '>')
                        }
                    } else if v.is_marked(e) {
                        if left {
                            pick('╟', '+')
                        } else {
                            pick('╢', '+')
                        }
                    } else if left {
                        pick('├', '+')
                    } else {
                        pick('┤', '+')
                    };
                    ports.push((self.port_x(i), self.mid(self.band_ev[&e]), c));
                }
            }
        }
        // program order spines, with `⋮` where events were elided
        let elided = pick('⋮', '~');
        for (i, th) in v.threads.iter().enumerate() {
            let c = &self.cols[i];
            let cx = c.x + c.w / 2;
            for (n, p) in th.events.windows(2).enumerate() {
                let (b0, b1) = (self.band_ev[&p[0]], self.band_ev[&p[1]]);
                let rows = self.mid(b0) + self.nlines(p[0]) + 1..self.mid(b1) - 1;
                let gap_at = th.gaps[n + 1].then(|| rows.start + rows.len() / 2);
                for y in rows {
                    let ch = if Some(y) == gap_at {
                        elided
                    } else {
                        pick('║', ':')
                    };
                    g.put(cx, y, ch);
                }
            }
            if let Some(&e) = th.events.first().filter(|_| th.gaps[0]) {
                g.put(cx, self.mid(self.band_ev[&e]) - 2, elided);
            }
            if let Some(&e) = th.events.last().filter(|_| th.gap_after) {
                g.put(cx, self.mid(self.band_ev[&e]) + self.nlines(e) + 1, elided);
            }
        }
        // boxes
        for (i, th) in v.threads.iter().enumerate() {
            let c = &self.cols[i];
            for (n, &e) in th.events.iter().enumerate() {
                let y = self.mid(self.band_ev[&e]);
                let dbl = v.is_marked(e);
                let ch = match (dbl, ascii) {
                    (false, false) => ['╭', '╮', '╰', '╯', '─', '│'],
                    (true, false) => ['╔', '╗', '╚', '╝', '═', '║'],
                    (false, true) => ['.', '.', '\'', '\'', '-', '|'],
                    (true, true) => ['#', '#', '#', '#', '=', '#'],
                };
                draw_box(&mut g, c.x, y - 1, c.w, &self.lines[&e], ch);
                let cx = c.x + c.w / 2;
                if n > 0 {
                    g.put(cx, y - 1, pick('⇓', 'v'));
                }
                if n + 1 < th.events.len() {
                    let t = match (dbl, ascii) {
                        (_, true) => '+',
                        (false, false) => '╥',
                        (true, false) => '╦',
                    };
                    g.put(cx, y + self.nlines(e), t);
                }
            }
        }
        // value cells
        for (&w, &b) in &self.band_cell {
            let k = self.lix[&w];
            let ch = if ascii {
                ['+', '+', '+', '+', '-', '|']
            } else {
                ['┌', '┐', '└', '┘', '─', '│']
            };
            draw_box(
                &mut g,
                self.loc_x[k],
                self.mid(b) - 1,
                self.loc_w[k],
                &[v.value(w)],
                ch,
            );
        }
        for (x, y, c) in ports {
            g.put(x, y, c);
        }
        g.render()
    }
}

/// Columns of the widest line of `s`.
fn widest_line(s: &str) -> usize {
    s.lines().map(|l| l.chars().count()).max().unwrap_or(0)
}

/// A box of width `w` with top-left corner at `(x, y)` and `lines` centred
/// one below the other; `ch` = top-left, top-right, bottom-left,
/// bottom-right, horizontal, vertical.
fn draw_box(g: &mut Grid, x: usize, y: usize, w: usize, lines: &[String], ch: [char; 6]) {
    let bottom = y + lines.len() + 1;
    for i in 1..w - 1 {
        g.put(x + i, y, ch[4]);
        g.put(x + i, bottom, ch[4]);
    }
    g.put(x, y, ch[0]);
    g.put(x + w - 1, y, ch[1]);
    g.put(x, bottom, ch[2]);
    g.put(x + w - 1, bottom, ch[3]);
    for (k, text) in lines.iter().enumerate() {
        let row = y + 1 + k;
        for i in 1..w - 1 {
            g.put(x + i, row, ' ');
        }
        g.put(x, row, ch[5]);
        g.put(x + w - 1, row, ch[5]);
        let pad = w - 2 - text.chars().count();
        g.text(x + 1 + pad.div_ceil(2), row, text);
    }
}
