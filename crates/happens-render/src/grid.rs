//! A character grid for the terminal diagram. Lines are drawn as direction
//! masks and turned into box-drawing characters (or ASCII) at the end, so
//! joins and branches of one connection come out right. Where lines of two
//! different connections cross, the vertical one is drawn unbroken and the
//! horizontal one passes under it (`─│─`), so a crossing never looks like a
//! branch.

const N: u8 = 1;
const E: u8 = 2;
const S: u8 = 4;
const W: u8 = 8;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Cell {
    Empty,
    /// A fixed character (text, box borders, arrows).
    Char(char),
    /// Line directions, and the connection owning the horizontal and the
    /// vertical part.
    Line {
        mask: u8,
        h: usize,
        v: usize,
    },
}

/// A grid of `width × height` cells.
pub struct Grid {
    width: usize,
    cells: Vec<Vec<Cell>>,
    ascii: bool,
}

impl Grid {
    pub fn new(width: usize, height: usize, ascii: bool) -> Grid {
        Grid {
            width,
            cells: vec![vec![Cell::Empty; width]; height],
            ascii,
        }
    }

    /// Puts a fixed character (overwrites anything).
    pub fn put(&mut self, x: usize, y: usize, c: char) {
        if y < self.cells.len() && x < self.width {
            self.cells[y][x] = Cell::Char(c);
        }
    }

    /// Writes `s` from column `x`.
    pub fn text(&mut self, x: usize, y: usize, s: &str) {
        for (i, c) in s.chars().enumerate() {
            self.put(x + i, y, c);
        }
    }

    fn add(&mut self, x: usize, y: usize, bits: u8, net: usize) {
        let cell = &mut self.cells[y][x];
        let horiz = bits & (E | W) != 0;
        match cell {
            Cell::Char(_) => {}
            Cell::Empty => {
                *cell = Cell::Line {
                    mask: bits,
                    h: if horiz { net } else { usize::MAX },
                    v: if horiz { usize::MAX } else { net },
                }
            }
            Cell::Line { mask, h, v } => {
                *mask |= bits;
                if horiz {
                    *h = net;
                } else {
                    *v = net;
                }
            }
        }
    }

    /// Horizontal line of connection `net` on row `y` between columns `x0`
    /// and `x1` (inclusive; the ends only get the half towards the other end).
    pub fn hline(&mut self, y: usize, x0: usize, x1: usize, net: usize) {
        let (a, b) = (x0.min(x1), x0.max(x1));
        for x in a..=b {
            let mut bits = 0;
            if x > a {
                bits |= W;
            }
            if x < b {
                bits |= E;
            }
            if bits != 0 {
                self.add(x, y, bits, net);
            }
        }
    }

    /// Vertical line of connection `net` in column `x` between rows `y0` and
    /// `y1` (inclusive, like [`Grid::hline`]).
    pub fn vline(&mut self, x: usize, y0: usize, y1: usize, net: usize) {
        let (a, b) = (y0.min(y1), y0.max(y1));
        for y in a..=b {
            let mut bits = 0;
            if y > a {
                bits |= N;
            }
            if y < b {
                bits |= S;
            }
            if bits != 0 {
                self.add(x, y, bits, net);
            }
        }
    }

    fn line_char(&self, mask: u8, h: usize, v: usize) -> char {
        let horiz = mask & (E | W) != 0;
        let vert = mask & (N | S) != 0;
        if horiz && vert && h != v && h != usize::MAX && v != usize::MAX {
            // a crossing of two connections: the vertical passes over
            return if self.ascii { '|' } else { '│' };
        }
        if self.ascii {
            return match (horiz, vert) {
                (true, true) => '+',
                (true, false) => '-',
                _ => '|',
            };
        }
        match mask {
            m if m == N | S || m == N || m == S => '│',
            m if m == E | W || m == E || m == W => '─',
            m if m == N | E => '└',
            m if m == N | W => '┘',
            m if m == S | E => '┌',
            m if m == S | W => '┐',
            m if m == N | S | E => '├',
            m if m == N | S | W => '┤',
            m if m == E | W | S => '┬',
            m if m == E | W | N => '┴',
            _ => '┼',
        }
    }

    /// The grid as text, trailing spaces removed.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for row in &self.cells {
            let mut line = String::new();
            for c in row {
                line.push(match *c {
                    Cell::Empty => ' ',
                    Cell::Char(c) => c,
                    Cell::Line { mask, h, v } => self.line_char(mask, h, v),
                });
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_and_crossings() {
        let mut g = Grid::new(5, 3, false);
        g.hline(1, 0, 4, 1);
        g.vline(2, 0, 2, 2); // another connection: crossing
        g.vline(4, 1, 2, 1); // same connection: a corner
        assert_eq!(g.render(), "  │\n──│─┐\n  │ │\n");
        let mut a = Grid::new(3, 1, true);
        a.hline(0, 0, 2, 0);
        a.put(1, 0, '>');
        assert_eq!(a.render(), "->-\n");
    }
}
