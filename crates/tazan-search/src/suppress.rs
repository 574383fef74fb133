//! Small-cell suppression for published counts (trends, digests).
//!
//! A count under the threshold (3) can single out a company, so it is never published:
//! it is shown as `*`. Suppressing only those cells is not enough, because totals give
//! them back: in a row `設定ミス 5, 操作ミス 1, total 6`, hiding the 1 leaves `6 - 5`.
//! So **complementary suppression** hides more, until no hidden number can be worked
//! out exactly from what is shown:
//!
//! - A *line* is a set of cells whose sum is published or can be derived: the whole
//!   table (its total), each published group (the human-error count is the sum of the
//!   human-error causes), and whatever differences of those are implied (the other causes:
//!   total − human error).
//! - In every line, the hidden cells must be at least two, and their known sum must leave
//!   each of them more than one possible value (every listed cell is at least 1, so two
//!   hidden cells summing to 2 would both be 1). Otherwise the smallest shown cell of the
//!   line is hidden too (ties: the later one in table order; the finest lines are settled
//!   first); when the line has none left, its total is hidden (a group's count, or the
//!   table's total).
//!
//! A group's count is hidden only once all its cells are; the line around it then takes a
//! partner from outside the group, so the count cannot be worked out either. The property
//! test checks all of this by brute force over small tables: every hidden number keeps at
//! least two possible values given everything shown.
//!
//! Tables whose cells do not add up to anything (a lesson can serve several scenes) have
//! no lines: only their small cells are hidden.

/// What to hide in one table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Hidden {
    /// Per cell.
    pub(crate) cells: Vec<bool>,
    /// The table's total.
    pub(crate) total: bool,
    /// Per group total.
    pub(crate) groups: Vec<bool>,
}

/// Decides what to hide in a table of `values` (each ≥ 1) that sums to a published total
/// (`additive`), with published sums over disjoint `groups` of its cells; counts under
/// `min` are hidden, then whatever is needed so none can be recovered.
pub(crate) fn suppress(
    values: &[usize],
    groups: &[Vec<usize>],
    additive: bool,
    min: usize,
) -> Hidden {
    let mut h = Hidden {
        cells: values.iter().map(|&v| v > 0 && v < min).collect(),
        total: additive && values.iter().sum::<usize>() < min && !values.is_empty(),
        groups: groups
            .iter()
            .map(|g| {
                let sum: usize = g.iter().map(|&i| values[i]).sum();
                sum > 0 && sum < min
            })
            .collect(),
    };
    if !additive || min <= 1 {
        return h;
    }
    // Each pass hides at least one more cell or total, so this ends.
    loop {
        let mut changed = false;
        // The finest lines first: a partner found there also serves the lines around it.
        let mut all = lines(values.len(), groups, &h);
        all.sort_by_key(|l| l.cells.len());
        for line in all {
            let hidden: Vec<usize> = line.cells.iter().copied().filter(|&i| h.cells[i]).collect();
            let m = hidden.len();
            let s: usize = hidden.iter().map(|&i| values[i]).sum();
            let pinned = m == 1 || (m > 1 && s == m);
            if !pinned {
                continue;
            }
            let shown = line.cells.iter().copied().filter(|&i| !h.cells[i]);
            match shown.min_by(|&a, &b| values[a].cmp(&values[b]).then(b.cmp(&a))) {
                Some(i) => h.cells[i] = true,
                None => match line.total {
                    Total::Table => h.total = true,
                    Total::Group(g) => h.groups[g] = true,
                    Total::Derived => {
                        // Its total comes from published ones: hide the first of them still shown.
                        if let Some(g) = line.from.iter().copied().find(|&g| !h.groups[g]) {
                            h.groups[g] = true;
                        } else {
                            h.total = true;
                        }
                    }
                },
            }
            changed = true;
            break;
        }
        if !changed {
            return h;
        }
    }
}

/// Which published number a line's sum is.
#[derive(Debug, Clone, Copy)]
enum Total {
    Table,
    Group(usize),
    Derived,
}

struct Line {
    cells: Vec<usize>,
    total: Total,
    /// The groups whose published totals it is derived from.
    from: Vec<usize>,
}

/// Every line whose sum is published or derivable from what is still published: unions of
/// published groups, and (with the total shown) the table minus such unions.
fn lines(n: usize, groups: &[Vec<usize>], h: &Hidden) -> Vec<Line> {
    let shown: Vec<usize> = (0..groups.len()).filter(|&g| !h.groups[g]).collect();
    let mut out = Vec::new();
    for mask in 0u32..(1 << shown.len()) {
        let chosen: Vec<usize> = (0..shown.len())
            .filter(|b| mask & (1 << b) != 0)
            .map(|b| shown[b])
            .collect();
        let mut union: Vec<usize> = chosen
            .iter()
            .flat_map(|&g| groups[g].iter().copied())
            .collect();
        union.sort_unstable();
        union.dedup();
        if !chosen.is_empty() && !union.is_empty() {
            out.push(Line {
                cells: union.clone(),
                total: if chosen.len() == 1 {
                    Total::Group(chosen[0])
                } else {
                    Total::Derived
                },
                from: chosen.clone(),
            });
        }
        if !h.total {
            let rest: Vec<usize> = (0..n).filter(|i| !union.contains(i)).collect();
            if !rest.is_empty() {
                out.push(Line {
                    cells: rest,
                    total: if chosen.is_empty() {
                        Total::Table
                    } else {
                        Total::Derived
                    },
                    from: chosen,
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hidden_cells(h: &Hidden) -> Vec<usize> {
        (0..h.cells.len()).filter(|&i| h.cells[i]).collect()
    }

    #[test]
    fn one_small_cell_takes_the_next_smallest_with_it() {
        let h = suppress(&[5, 1, 4, 7], &[], true, 3);
        assert_eq!(hidden_cells(&h), [1, 2]);
        assert!(!h.total);
    }

    #[test]
    fn two_ones_are_not_enough() {
        // 1 + 1 = 2 would give both back: a third cell goes too.
        let h = suppress(&[1, 1, 9, 4], &[], true, 3);
        assert_eq!(hidden_cells(&h), [0, 1, 3]);
    }

    #[test]
    fn nothing_small_nothing_hidden() {
        let h = suppress(&[3, 4, 9], &[vec![0, 1]], true, 3);
        assert_eq!(hidden_cells(&h), Vec::<usize>::new());
        assert_eq!(h.groups, [false]);
    }

    #[test]
    fn a_tiny_table_hides_its_total() {
        let h = suppress(&[2], &[], true, 3);
        assert!(h.cells[0] && h.total);
        let h = suppress(&[1, 1], &[], true, 3);
        assert!(h.cells.iter().all(|c| *c) && h.total);
    }

    #[test]
    fn groups_are_lines_too() {
        // Human error = cells 0 and 1 (published); cell 1 is small. The partner must come
        // from the group, or the group count gives it back.
        let h = suppress(&[6, 1, 3, 8], &[vec![0, 1]], true, 3);
        assert_eq!(hidden_cells(&h), [0, 1]);
        assert_eq!(h.groups, [false]);
    }

    #[test]
    fn a_group_of_one_small_cell_hides_its_count() {
        let h = suppress(&[2, 5, 4], &[vec![0]], true, 3);
        assert!(h.cells[0] && h.groups[0]);
        // …and the rest of the table gives a partner, so neither the cell nor the group
        // count follows from the total.
        assert!(h.cells[2], "{h:?}");
    }

    #[test]
    fn without_a_total_only_small_cells_go() {
        let h = suppress(&[5, 1, 4], &[], false, 3);
        assert_eq!(hidden_cells(&h), [1]);
    }

    /// Brute force: every assignment of the hidden numbers consistent with what is shown.
    /// Each hidden cell, hidden group total and hidden table total must take at least two
    /// values across them.
    fn audit(values: &[usize], groups: &[Vec<usize>], h: &Hidden) -> Result<(), String> {
        let n = values.len();
        let total: usize = values.iter().sum();
        let cap = total + 2;
        let hidden: Vec<usize> = (0..n).filter(|&i| h.cells[i]).collect();
        let mut seen_cells: Vec<std::collections::BTreeSet<usize>> = vec![Default::default(); n];
        let mut seen_groups: Vec<std::collections::BTreeSet<usize>> =
            vec![Default::default(); groups.len()];
        let mut seen_total = std::collections::BTreeSet::new();
        let mut x = values.to_vec();
        fn rec(
            k: usize,
            hidden: &[usize],
            x: &mut Vec<usize>,
            cap: usize,
            check: &mut dyn FnMut(&[usize]),
        ) {
            if k == hidden.len() {
                check(x);
                return;
            }
            for v in 1..=cap {
                x[hidden[k]] = v;
                rec(k + 1, hidden, x, cap, check);
            }
        }
        let mut check = |x: &[usize]| {
            let sum: usize = x.iter().sum();
            if !h.total && sum != total {
                return;
            }
            for (g, cells) in groups.iter().enumerate() {
                let gs: usize = cells.iter().map(|&i| x[i]).sum();
                let truth: usize = cells.iter().map(|&i| values[i]).sum();
                if !h.groups[g] && gs != truth {
                    return;
                }
            }
            for &i in &hidden {
                seen_cells[i].insert(x[i]);
            }
            for (g, cells) in groups.iter().enumerate() {
                seen_groups[g].insert(cells.iter().map(|&i| x[i]).sum());
            }
            seen_total.insert(sum);
        };
        rec(0, &hidden, &mut x, cap, &mut check);
        for &i in &hidden {
            if seen_cells[i].len() < 2 {
                return Err(format!(
                    "cell {i} ({}) recoverable: {:?}",
                    values[i], seen_cells[i]
                ));
            }
        }
        for (g, seen) in seen_groups.iter().enumerate() {
            if h.groups[g] && seen.len() < 2 {
                return Err(format!("group {g} recoverable"));
            }
        }
        if h.total && seen_total.len() < 2 {
            return Err("total recoverable".into());
        }
        Ok(())
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(400))]

        /// No hidden number can be worked out from the shown cells and totals, and no cell
        /// under the threshold is shown.
        #[test]
        fn no_suppressed_cell_is_recoverable(
            values in proptest::collection::vec(1usize..=7, 1..=5),
            membership in proptest::collection::vec(0u8..3, 5),
        ) {
            // Up to two disjoint published groups (like human error and overload).
            let groups: Vec<Vec<usize>> = (1..3u8)
                .map(|g| (0..values.len()).filter(|&i| membership[i] == g).collect::<Vec<_>>())
                .filter(|g| !g.is_empty())
                .collect();
            let h = suppress(&values, &groups, true, 3);
            for (i, v) in values.iter().enumerate() {
                proptest::prop_assert!(*v >= 3 || h.cells[i], "small cell {i} shown");
            }
            if let Err(e) = audit(&values, &groups, &h) {
                return Err(proptest::test_runner::TestCaseError::fail(format!(
                    "{e}: values {values:?} groups {groups:?} hidden {h:?}"
                )));
            }
        }
    }
}
