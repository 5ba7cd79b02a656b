//! Small-group suppression (docs/privacy.md), one model for every table: see docs/privacy.md. A table
//! is a [`Grid`] of people counts tied together by margins, sums whose total is published in
//! the same table or another one. A count under `min_group_size` is hidden; so is every figure
//! of a group whose size is hidden; and a margin whose hidden cells, unpublished remainders
//! included, could be worked out by subtraction (a lone hidden cell, or hidden cells that
//! together rest on fewer than the minimum) hides its next smallest cell until it cannot.

/// What a margin adds up to.
#[derive(Clone, Copy, Debug)]
pub enum Total {
    /// A total published elsewhere (period metrics, the overall table): always known.
    Published,
    /// A cell of the grid: known while that cell is shown.
    Cell(usize),
}

/// People counts to suppress together: shown cells, unpublished remainders (a group's
/// inactive people, say, which anyone can work out as headcount minus active), the margins
/// that tie them, and the groups whose size hides all their figures.
#[derive(Debug, Default)]
pub struct Grid {
    values: Vec<u64>,
    remainder: Vec<bool>,
    /// Whether a cell is a group's size (hiding it hides the group).
    size: Vec<bool>,
    margins: Vec<(Vec<usize>, Total)>,
    groups: Vec<(usize, Vec<usize>)>,
}

impl Grid {
    /// A published count; returns its index.
    pub fn cell(&mut self, value: u64) -> usize {
        self.values.push(value);
        self.remainder.push(false);
        self.size.push(false);
        self.values.len() - 1
    }

    /// A count never published but worked out from others (`whole − part`); it is hidden
    /// from the start, and a margin it belongs to is checked like any other.
    pub fn remainder(&mut self, whole: u64, part: u64) -> usize {
        let i = self.cell(whole.saturating_sub(part));
        self.remainder[i] = true;
        i
    }

    /// `parts` add up to `total`.
    pub fn margin(&mut self, parts: Vec<usize>, total: Total) {
        if parts.len() > 1 {
            self.margins.push((parts, total));
        }
    }

    /// The figures `members` describe a group of `size` people: hidden when it is.
    pub fn group(&mut self, size: usize, members: Vec<usize>) {
        self.size[size] = true;
        self.groups.push((size, members));
    }

    /// Which cells must not be shown under minimum `k` (remainders are always hidden): start
    /// from the cells under `k`, then, while someone holding the shown cells and the published
    /// totals can work out a hidden cell (a remainder only when under `k`) or the sum of a
    /// margin's unknown cells under `k`, hide one more shown cell next to each such finding.
    /// A minimum of 1 hides nothing: every group has at least one person.
    pub fn hidden(&self, k: u64) -> Vec<bool> {
        if k <= 1 {
            return self.remainder.clone();
        }
        let mut hidden: Vec<bool> = (0..self.values.len())
            .map(|i| self.remainder[i] || self.values[i] < k)
            .collect();
        let by_cell = self.margins_by_cell();
        loop {
            self.hide_groups(&mut hidden);
            let known = self.known(&hidden);
            // One cell per finding, skipping findings next to a margin already changed this
            // round (the next round looks at them again), so no margin loses two at once.
            let mut touched = vec![false; self.margins.len()];
            let mut changed = false;
            for (i, finding) in self.findings(&hidden, &known, k).iter().enumerate() {
                let near = self.deriving(finding, &known, &by_cell);
                if near.iter().any(|&m| touched[m]) {
                    continue;
                }
                // A group's size only for the round's first finding, while what is known is
                // exact: the round's other cells may already settle the rest.
                if let Some(cell) = self.neighbour(&hidden, &known, &by_cell, near, i == 0) {
                    hidden[cell] = true;
                    changed = true;
                    by_cell[cell].iter().for_each(|&m| touched[m] = true);
                }
            }
            if !changed {
                return hidden;
            }
        }
    }

    /// For each cell, the margins it is a part or the total of.
    fn margins_by_cell(&self) -> Vec<Vec<usize>> {
        let mut by_cell = vec![Vec::new(); self.values.len()];
        for m in 0..self.margins.len() {
            self.members(m).for_each(|c| by_cell[c].push(m));
        }
        by_cell
    }

    /// A hidden group size hides the group's figures.
    fn hide_groups(&self, hidden: &mut [bool]) {
        for (size, members) in &self.groups {
            if hidden[*size] {
                members.iter().for_each(|&m| hidden[m] = true);
            }
        }
    }

    /// The parts of a margin with its total (the total last, when it is a cell).
    fn members(&self, m: usize) -> impl Iterator<Item = usize> + '_ {
        let (parts, total) = &self.margins[m];
        let total = match total {
            Total::Cell(t) => Some(*t),
            Total::Published => None,
        };
        parts.iter().copied().chain(total)
    }

    /// What can be worked out: the shown cells, and any cell that is the one unknown of a
    /// margin, again and again.
    fn known(&self, hidden: &[bool]) -> Vec<bool> {
        let mut known: Vec<bool> = hidden.iter().map(|h| !h).collect();
        loop {
            let mut progress = false;
            for m in 0..self.margins.len() {
                let mut unknown = self.members(m).filter(|&c| !known[c]);
                if let (Some(c), None) = (unknown.next(), unknown.next()) {
                    known[c] = true;
                    progress = true;
                }
            }
            if !progress {
                return known;
            }
        }
    }

    /// What can be worked out and must not be: hidden cells now known (a remainder only when
    /// under `k`), and margins whose unknown parts, fewer than all of them, add up to less
    /// than `k` beside a known total.
    fn findings(&self, hidden: &[bool], known: &[bool], k: u64) -> Vec<Finding> {
        let cells = (0..self.values.len())
            .filter(|&c| hidden[c] && known[c] && (!self.remainder[c] || self.values[c] < k))
            .map(Finding::Cell);
        let sums = self
            .margins
            .iter()
            .enumerate()
            .filter_map(|(m, (parts, total))| {
                let total_known = match total {
                    Total::Published => true,
                    Total::Cell(t) => known[*t],
                };
                let unknown: Vec<usize> = parts.iter().copied().filter(|&p| !known[p]).collect();
                let sum: u64 = unknown.iter().map(|&p| self.values[p]).sum();
                (total_known && !unknown.is_empty() && unknown.len() < parts.len() && sum < k)
                    .then_some(Finding::Sum(m))
            });
        cells.chain(sums).collect()
    }

    /// The margins a finding comes from: a margin whose unknown cells add up too small, or
    /// the margins that give a worked-out cell away (every other member known).
    fn deriving(&self, finding: &Finding, known: &[bool], by_cell: &[Vec<usize>]) -> Vec<usize> {
        match *finding {
            Finding::Sum(m) => vec![m],
            Finding::Cell(c) => by_cell[c]
                .iter()
                .copied()
                .filter(|&m| self.members(m).all(|x| x == c || known[x]))
                .collect(),
        }
    }

    /// The shown cell to hide for a finding in `near` margins: their smallest shown part
    /// (ties: the first), else the same one step further out, through the margins that give
    /// their hidden but known cells away. A group's size hides the whole group, so it is
    /// chosen only where nothing else can be, and only when `sizes` allows it.
    fn neighbour(
        &self,
        hidden: &[bool],
        known: &[bool],
        by_cell: &[Vec<usize>],
        near: Vec<usize>,
        sizes: bool,
    ) -> Option<usize> {
        let is_size = |c: usize| self.size[c];
        let parts = |m: usize| -> Vec<usize> {
            self.margins[m]
                .0
                .iter()
                .copied()
                .filter(|&c| !is_size(c))
                .collect()
        };
        let members =
            |m: usize| -> Vec<usize> { self.members(m).filter(|&c| !is_size(c)).collect() };
        let any = |m: usize| -> Vec<usize> { self.members(m).collect() };
        let cell = self.nearest(hidden, known, by_cell, near.clone(), &parts);
        let cell = cell.or_else(|| self.nearest(hidden, known, by_cell, near.clone(), &members));
        cell.or_else(|| {
            sizes
                .then(|| self.nearest(hidden, known, by_cell, near, &any))
                .flatten()
        })
    }

    /// The smallest shown cell of `cells(m)` over the margins `near`, widening through the
    /// known hidden cells until one is found or nothing more can be reached.
    fn nearest(
        &self,
        hidden: &[bool],
        known: &[bool],
        by_cell: &[Vec<usize>],
        mut near: Vec<usize>,
        cells: &dyn Fn(usize) -> Vec<usize>,
    ) -> Option<usize> {
        let mut seen: std::collections::BTreeSet<usize> = near.iter().copied().collect();
        while !near.is_empty() {
            let pick = near
                .iter()
                .flat_map(|&m| cells(m))
                .filter(|&c| !hidden[c])
                .min_by_key(|&c| (self.values[c], c));
            if pick.is_some() {
                return pick;
            }
            near = near
                .iter()
                .flat_map(|&m| self.members(m))
                .filter(|&c| known[c])
                .flat_map(|c| self.deriving(&Finding::Cell(c), known, by_cell))
                .filter(|m| seen.insert(*m))
                .collect();
        }
        None
    }
}

/// Something someone can work out that rests on fewer people than the minimum.
enum Finding {
    /// A hidden cell, known exactly.
    Cell(usize),
    /// The margin whose unknown parts add up to too few.
    Sum(usize),
}

/// A block of groups (rows) with the same people counts (columns) as one [`Grid`]: each column
/// adds up over the rows to a published total; each `(part, whole)` pair of columns nests
/// (active within headcount, say), so `whole − part` is a remainder of its own, adding up to
/// a published total too; a row whose `sizes` column is hidden is hidden whole.
pub struct Rows {
    pub grid: Grid,
    /// `cells[row][column]`.
    pub cells: Vec<Vec<usize>>,
    /// `rests[row][pair]`: the remainder of each nesting pair.
    pub rests: Vec<Vec<usize>>,
}

impl Rows {
    pub fn new(rows: &[Vec<u64>], nest: &[(usize, usize)], sizes: &[usize]) -> Self {
        let mut grid = Grid::default();
        let (mut cells, mut rests) = (Vec::new(), Vec::new());
        for row in rows {
            let c: Vec<usize> = row.iter().map(|&v| grid.cell(v)).collect();
            let rest: Vec<usize> = nest
                .iter()
                .map(|&(part, whole)| {
                    let r = grid.remainder(row[whole], row[part]);
                    grid.margin(vec![c[part], r], Total::Cell(c[whole]));
                    r
                })
                .collect();
            for &size in sizes {
                grid.group(c[size], c.iter().chain(&rest).copied().collect());
            }
            cells.push(c);
            rests.push(rest);
        }
        for column in 0..rows.first().map_or(0, Vec::len) {
            grid.margin(cells.iter().map(|c| c[column]).collect(), Total::Published);
        }
        for pair in 0..nest.len() {
            grid.margin(rests.iter().map(|r| r[pair]).collect(), Total::Published);
        }
        Rows { grid, cells, rests }
    }

    /// `hidden[row][column]` under minimum `k`.
    pub fn hidden(&self, k: u64) -> Vec<Vec<bool>> {
        let hidden = self.grid.hidden(k);
        self.cells
            .iter()
            .map(|row| row.iter().map(|&c| hidden[c]).collect())
            .collect()
    }
}

/// The runs of equal keys in `keys` (rows sorted by them): each is suppressed on its own.
pub fn blocks<T: PartialEq>(keys: &[T]) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    while start < keys.len() {
        let end = (start..keys.len())
            .find(|&i| keys[i] != keys[start])
            .unwrap_or(keys.len());
        out.push(start..end);
        start = end;
    }
    out
}

/// A rate shown only when both its count and its denominator are.
pub fn rate(num: Option<u64>, den: Option<u64>) -> Option<f64> {
    match (num, den) {
        (Some(n), Some(d)) if d > 0 => Some(n as f64 / d as f64),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    // k = 5; columns headcount, active; active nests in headcount (inactive = hc − active,
    // never published, but the period's total is: headcount minus active).
    //   G1 [20, 12]: inactive 8.
    //   G2 [12, 10]: inactive 2 < 5 could be worked out, so active (10) goes.
    //   G3 [3, 1]: headcount 3 < 5: the whole row.
    //   Headcount column: G3 (3) alone hidden could be worked out from the total: the next
    //   smallest, G2 (12), goes, and with it G2's row. Active column: 10 + 1 = 11 >= 5.
    //   Inactive column: G1's 8 can be worked out (20 − 12), leaving G2 and G3 with 2 + 2 = 4
    //   < 5 of the published total: G1's active (12) goes too.
    #[test]
    fn margins_by_hand() {
        let grid = Rows::new(&[vec![20, 12], vec![12, 10], vec![3, 1]], &[(1, 0)], &[0]);
        assert_eq!(
            grid.hidden(5),
            vec![vec![false, true], vec![true, true], vec![true, true]]
        );
    }

    // The example: leaders 2 and managers 2 hidden beside 21 employees; the two
    // hidden cells together are 4 < 5, so the employees go too and nothing is left to
    // subtract from the published total of 25.
    #[test]
    fn hidden_cells_of_a_margin_together_reach_the_minimum() {
        let mut grid = Grid::default();
        let cells: Vec<usize> = [21, 2, 2].map(|v| grid.cell(v)).to_vec();
        grid.margin(cells, Total::Published);
        assert_eq!(grid.hidden(5), vec![true, true, true]);
        // With 3 managers, the two hidden cells make 5: the employees stay.
        let mut grid = Grid::default();
        let cells: Vec<usize> = [20, 2, 3].map(|v| grid.cell(v)).to_vec();
        grid.margin(cells, Total::Published);
        assert_eq!(grid.hidden(5), vec![false, true, true]);
    }

    // A lone hidden cell is worked out from the total whatever its size: 40 hidden beside
    // 60 shown is hidden only because something else made it so; here the group rule hides
    // 40 (its group has 3 people), so the 60 goes too.
    #[test]
    fn a_lone_hidden_cell_takes_another_with_it() {
        let mut grid = Grid::default();
        let size = grid.cell(3);
        let (a, b) = (grid.cell(40), grid.cell(60));
        grid.group(size, vec![a]);
        grid.margin(vec![a, b], Total::Published);
        assert_eq!(grid.hidden(5), vec![true, true, true]);
    }

    // A minimum of 1 hides nothing, zeros included: every group has at least one person.
    #[test]
    fn a_minimum_of_one_hides_nothing() {
        let grid = Rows::new(&[vec![3, 0], vec![1, 1]], &[(1, 0)], &[0]);
        assert!(grid.hidden(1).iter().flatten().all(|h| !h));
    }

    #[test]
    fn large_groups_are_shown_whole() {
        let grid = Rows::new(&[vec![40, 20], vec![30, 10]], &[(1, 0)], &[0]);
        assert!(grid.hidden(5).iter().flatten().all(|h| !h));
    }

    /// What someone holding every shown cell and every published total can work out: solve
    /// any margin with one unknown, again and again; then the sum of the unknowns of every
    /// margin with a known total. Returns what was found resting on fewer than `k` people.
    fn attack(grid: &Grid, hidden: &[bool], k: u64) -> Vec<String> {
        let mut known: Vec<bool> = hidden.iter().map(|h| !h).collect();
        let mut found = Vec::new();
        let total_known = |t: &Total, known: &[bool]| match t {
            Total::Published => true,
            Total::Cell(c) => known[*c],
        };
        loop {
            let mut progress = false;
            for (parts, total) in &grid.margins {
                let mut unknown: Vec<usize> =
                    parts.iter().copied().filter(|&p| !known[p]).collect();
                if let Total::Cell(t) = total {
                    if !known[*t] {
                        unknown.push(*t);
                    }
                }
                if unknown.len() == 1 {
                    known[unknown[0]] = true;
                    progress = true;
                    if grid.values[unknown[0]] < k {
                        found.push(format!("cell {} = {}", unknown[0], grid.values[unknown[0]]));
                    }
                }
            }
            if !progress {
                break;
            }
        }
        for (parts, total) in &grid.margins {
            let unknown: Vec<usize> = parts.iter().copied().filter(|&p| !known[p]).collect();
            let sum: u64 = unknown.iter().map(|&p| grid.values[p]).sum();
            if total_known(total, &known)
                && !unknown.is_empty()
                && unknown.len() < parts.len()
                && sum < k
            {
                found.push(format!("cells {unknown:?} together = {sum}"));
            }
        }
        found
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]
        // Random groups of one period: the columns add up to published totals.
        #[test]
        fn nothing_small_is_shown_or_recoverable(
            rows in prop::collection::vec((0u64..40, 0u64..40, 0u64..40, 0u64..40), 2..7),
            k in 2u64..9,
        ) {
            // headcount, active, contributors, and two rungs that add up to the headcount.
            let rows: Vec<Vec<u64>> = rows
                .iter()
                .map(|&(hc, a, c, r)| {
                    let active = a.min(hc);
                    vec![hc, active, c.min(active), r.min(hc), hc - r.min(hc)]
                })
                .collect();
            let mut table = Rows::new(&rows, &[(1, 0), (2, 1)], &[0]);
            for cells in table.cells.clone() {
                table.grid.margin(vec![cells[3], cells[4]], Total::Cell(cells[0]));
            }
            let hidden = table.grid.hidden(k);
            for (c, &v) in table.grid.values.iter().enumerate() {
                prop_assert!(hidden[c] || v >= k, "cell {c} = {v} shown under k = {k}");
            }
            for (r, cells) in table.cells.iter().enumerate() {
                if hidden[cells[0]] {
                    prop_assert!(cells.iter().all(|&c| hidden[c]), "row {r} partly shown");
                }
            }
            let found = attack(&table.grid, &hidden, k);
            prop_assert!(found.is_empty(), "{found:?} in {rows:?}");
        }
    }
}
