//! The term uses of themes while a source is read, kept as one 128-bit number per use: period,
//! space, the term's stems and the account, most significant first, so that sorting the
//! numbers groups them. Appending a number costs nothing; at the end they are sorted on every
//! core, a term's mentions are its numbers and its distinct accounts the distinct numbers.
//! 16 bytes a use (a million messages of 30 words: about 0.5 GB); a hash map of the same
//! tuples took six times the memory and most of the time growing.

use rayon::prelude::*;

/// Bits of each field but the account.
const BITS: u32 = 24;
/// Ids of periods, spaces and stems stay below this (16.7 million).
pub const LIMIT: u32 = (1 << BITS) - 1;
/// The space of "every space together".
pub const ALL_SPACES: u32 = LIMIT;
/// One use of a term: a word (`second` 0) or a phrase (`second` its second stem plus one).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Use {
    pub period: u32,
    pub space: u32,
    pub first: u32,
    pub second: u32,
    pub actor: u32,
}

impl Use {
    pub fn pack(self) -> u128 {
        let field = |v: u32| u128::from(v & LIMIT);
        field(self.period) << (3 * BITS + 32)
            | field(self.space) << (2 * BITS + 32)
            | field(self.first) << (BITS + 32)
            | field(self.second) << 32
            | u128::from(self.actor)
    }

    pub fn unpack(key: u128) -> Use {
        let field = |shift: u32| (key >> shift) as u32 & LIMIT;
        Use {
            period: field(3 * BITS + 32),
            space: field(2 * BITS + 32),
            first: field(BITS + 32),
            second: field(32),
            actor: key as u32,
        }
    }
}

/// The uses of one source, one number each (a use repeated is a number repeated).
#[derive(Default)]
pub struct Uses {
    all: Vec<u128>,
}

impl Uses {
    pub fn push(&mut self, u: Use) {
        self.all.push(u.pack());
    }

    /// Every use, sorted: repeats side by side.
    pub fn sorted(self) -> Vec<u128> {
        let mut all = self.all;
        all.par_sort_unstable();
        all
    }
}

/// Per term of a period and space in sorted uses (the numbers that differ only in the
/// account) that at least `min_people` accounts used: the term's use with account 0, its
/// mentions (uses) and its distinct accounts. The others are never held.
pub fn per_term(sorted: &[u128], min_people: u32) -> Vec<(Use, u64, u32)> {
    let mut out: Vec<(Use, u64, u32)> = Vec::new();
    // The group being counted: its key without the account, mentions, accounts.
    let mut current: Option<(u128, u64, u32)> = None;
    let mut previous: Option<u128> = None;
    let mut close = |group: Option<(u128, u64, u32)>| {
        if let Some((key, mentions, people)) = group.filter(|g| g.2 >= min_people) {
            out.push((Use::unpack(key << 32), mentions, people));
        }
    };
    for &key in sorted {
        match current.as_mut() {
            Some(group) if group.0 == key >> 32 => {
                group.1 += 1;
                group.2 += u32::from(previous != Some(key));
            }
            _ => {
                close(current.take());
                current = Some((key >> 32, 1, 1));
            }
        }
        previous = Some(key);
    }
    close(current);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packing_keeps_every_field_and_sorts_by_period_first() {
        let u = Use {
            period: 24_300,
            space: 7,
            first: LIMIT - 1,
            second: 3,
            actor: u32::MAX,
        };
        assert_eq!(Use::unpack(u.pack()), u);
        let later = Use {
            period: 24_301,
            space: 0,
            first: 0,
            second: 0,
            actor: 0,
        };
        assert!(later.pack() > u.pack());
    }

    /// By hand: account 1 uses term (1, 0) twice and account 2 once, in one period and space;
    /// term (2, 0) once by account 1. Per term: (1, 0) 3 mentions by 2 accounts, (2, 0) 1 by 1.
    #[test]
    fn terms_count_mentions_and_accounts() {
        let at = |first: u32, actor: u32| Use {
            period: 5,
            space: 1,
            first,
            second: 0,
            actor,
        };
        let mut uses = Uses::default();
        for u in [at(1, 1), at(2, 1), at(1, 2), at(1, 1)] {
            uses.push(u);
        }
        let sorted = uses.sorted();
        assert_eq!(
            per_term(&sorted, 1),
            vec![(at(1, 0), 3, 2), (at(2, 0), 1, 1)]
        );
        // With two accounts needed, only the first term is kept.
        assert_eq!(per_term(&sorted, 2), vec![(at(1, 0), 3, 2)]);
    }
}
