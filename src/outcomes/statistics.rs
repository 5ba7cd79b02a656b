//! The statistics of README "Outputs" that no well-kept crate offers in this form: Kaplan–Meier with
//! the Greenwood band, the log-rank test across groups, Spearman's rho with average ranks for
//! ties, its Fisher-z interval with the Bonett–Wright standard error, and Benjamini–Hochberg
//! adjustment. Distributions (normal, chi-squared, Student's t) come from statrs. Inputs are
//! small (one value per person or team), so these are plain Rust over slices.

use statrs::distribution::{ChiSquared, ContinuousCDF, Normal, StudentsT};

/// The two-sided 95% normal quantile, 1.959963984540054.
pub fn z95() -> f64 {
    Normal::new(0.0, 1.0)
        .map(|n| n.inverse_cdf(0.975))
        .unwrap_or(1.959_963_984_540_054)
}

/// One step of a Kaplan–Meier curve: at time `t`, `at_risk` people were still followed,
/// `events` of them had the event and `censored` left the study without it.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub t: f64,
    pub at_risk: usize,
    pub events: usize,
    pub censored: usize,
    pub survival: f64,
    /// Greenwood standard error of `survival`.
    pub se: f64,
    /// The 95% band `survival ± 1.96·se`, clipped to [0, 1].
    pub lower: f64,
    pub upper: f64,
}

/// The Kaplan–Meier estimate for `(time, event)` pairs: one step per distinct time at which
/// anything happens (an event or a censoring), in time order.
pub fn kaplan_meier(observations: &[(f64, bool)]) -> Vec<Step> {
    let mut sorted: Vec<(f64, bool)> = observations
        .iter()
        .copied()
        .filter(|(t, _)| t.is_finite())
        .collect();
    sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
    let z = z95();
    let mut steps = Vec::new();
    let mut at_risk = sorted.len();
    let mut survival = 1.0;
    let mut greenwood = 0.0;
    let mut i = 0;
    while i < sorted.len() {
        let t = sorted[i].0;
        let same = sorted[i..].iter().take_while(|o| o.0 == t).count();
        let events = sorted[i..i + same].iter().filter(|o| o.1).count();
        if events > 0 {
            survival *= 1.0 - events as f64 / at_risk as f64;
            if at_risk > events {
                greenwood += events as f64 / (at_risk as f64 * (at_risk - events) as f64);
            }
        }
        let se = if survival > 0.0 {
            survival * greenwood.sqrt()
        } else {
            0.0
        };
        steps.push(Step {
            t,
            at_risk,
            events,
            censored: same - events,
            survival,
            se,
            lower: (survival - z * se).clamp(0.0, 1.0),
            upper: (survival + z * se).clamp(0.0, 1.0),
        });
        at_risk -= same;
        i += same;
    }
    steps
}

/// The log-rank test of equal survival across groups (each a list of `(time, event)`):
/// the statistic, its degrees of freedom (groups − 1) and the chi-squared p-value. `None` with
/// fewer than two groups or no events.
pub fn log_rank(groups: &[Vec<(f64, bool)>]) -> Option<(f64, usize, f64)> {
    let k = groups.len();
    if k < 2 {
        return None;
    }
    let mut times: Vec<f64> = groups
        .iter()
        .flatten()
        .filter(|(_, e)| *e)
        .map(|(t, _)| *t)
        .collect();
    times.sort_by(f64::total_cmp);
    times.dedup();
    if times.is_empty() {
        return None;
    }
    let mut observed_minus_expected = vec![0.0; k];
    let mut variance = vec![vec![0.0; k]; k];
    for &t in &times {
        let n: Vec<f64> = groups
            .iter()
            .map(|g| g.iter().filter(|(x, _)| *x >= t).count() as f64)
            .collect();
        let d: Vec<f64> = groups
            .iter()
            .map(|g| g.iter().filter(|(x, e)| *e && *x == t).count() as f64)
            .collect();
        let (n_all, d_all): (f64, f64) = (n.iter().sum(), d.iter().sum());
        for g in 0..k {
            observed_minus_expected[g] += d[g] - n[g] * d_all / n_all;
        }
        if n_all > 1.0 {
            let factor = d_all * (n_all - d_all) / (n_all - 1.0);
            for g in 0..k {
                for h in 0..k {
                    let delta = if g == h { 1.0 } else { 0.0 };
                    variance[g][h] += factor * n[g] / n_all * (delta - n[h] / n_all);
                }
            }
        }
    }
    // The k deviations sum to zero: test the first k − 1.
    let m = k - 1;
    let sub: Vec<Vec<f64>> = variance[..m].iter().map(|r| r[..m].to_vec()).collect();
    let x = solve(sub, observed_minus_expected[..m].to_vec())?;
    let statistic: f64 = x
        .iter()
        .zip(&observed_minus_expected[..m])
        .map(|(a, b)| a * b)
        .sum();
    let p = ChiSquared::new(m as f64).ok()?.sf(statistic);
    Some((statistic, m, p))
}

/// Solves `a · x = b` by Gaussian elimination with partial pivoting; `None` when singular.
fn solve(mut a: Vec<Vec<f64>>, mut b: Vec<f64>) -> Option<Vec<f64>> {
    let n = b.len();
    for col in 0..n {
        let pivot = (col..n).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[pivot][col].abs() < 1e-12 {
            return None;
        }
        a.swap(col, pivot);
        b.swap(col, pivot);
        let pivot_row = a[col].clone();
        for row in col + 1..n {
            let f = a[row][col] / pivot_row[col];
            for (x, p) in a[row][col..].iter_mut().zip(&pivot_row[col..]) {
                *x -= f * p;
            }
            b[row] -= f * b[col];
        }
    }
    let mut x = vec![0.0; n];
    for row in (0..n).rev() {
        let s: f64 = (row + 1..n).map(|c| a[row][c] * x[c]).sum();
        x[row] = (b[row] - s) / a[row][row];
    }
    Some(x)
}

/// An ordinary least squares fit: coefficients, their standard errors (from σ²·(XᵀX)⁻¹, σ²
/// the residual sum of squares over the residual degrees of freedom) and those degrees.
#[derive(Debug, Clone, PartialEq)]
pub struct Fit {
    pub coef: Vec<f64>,
    pub se: Vec<f64>,
    pub df: usize,
}

impl Fit {
    /// The 95% interval of coefficient `i` from Student's t with the fit's degrees of freedom.
    pub fn interval(&self, i: usize) -> Option<(f64, f64)> {
        let t = StudentsT::new(0.0, 1.0, self.df as f64)
            .ok()?
            .inverse_cdf(0.975);
        Some((self.coef[i] - t * self.se[i], self.coef[i] + t * self.se[i]))
    }

    /// The two-sided p-value of coefficient `i` being zero.
    pub fn p(&self, i: usize) -> Option<f64> {
        if self.se[i] == 0.0 {
            // An exact fit: the coefficient is known without error.
            return Some(if self.coef[i] == 0.0 { 1.0 } else { 0.0 });
        }
        let t = self.coef[i] / self.se[i];
        Some(2.0 * StudentsT::new(0.0, 1.0, self.df as f64).ok()?.sf(t.abs()))
    }
}

/// Ordinary least squares of `y` on the rows of `x` (each row the regressors of one
/// observation, an intercept column included by the caller); `None` when there are no more
/// observations than coefficients or the regressors are collinear.
pub fn ols(x: &[Vec<f64>], y: &[f64]) -> Option<Fit> {
    let k = x.first()?.len();
    let n = y.len();
    if n <= k || x.len() != n {
        return None;
    }
    let xtx: Vec<Vec<f64>> = (0..k)
        .map(|i| {
            (0..k)
                .map(|j| x.iter().map(|r| r[i] * r[j]).sum())
                .collect()
        })
        .collect();
    let xty: Vec<f64> = (0..k)
        .map(|i| x.iter().zip(y).map(|(r, v)| r[i] * v).sum())
        .collect();
    let coef = solve(xtx.clone(), xty)?;
    let residuals: f64 = x
        .iter()
        .zip(y)
        .map(|(r, v)| v - r.iter().zip(&coef).map(|(a, b)| a * b).sum::<f64>())
        .map(|e| e * e)
        .sum();
    let df = n - k;
    let sigma2 = residuals / df as f64;
    let se = (0..k)
        .map(|i| {
            let unit: Vec<f64> = (0..k).map(|j| f64::from(u8::from(i == j))).collect();
            solve(xtx.clone(), unit).map(|column| (sigma2 * column[i]).sqrt())
        })
        .collect::<Option<Vec<f64>>>()?;
    Some(Fit { coef, se, df })
}

/// Ranks from 1, ties sharing the average of the ranks they span.
pub fn average_ranks(values: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&i, &j| values[i].total_cmp(&values[j]));
    let mut ranks = vec![0.0; values.len()];
    let mut i = 0;
    while i < order.len() {
        let same = order[i..]
            .iter()
            .take_while(|&&j| values[j] == values[order[i]])
            .count();
        // Ranks i+1 ..= i+same, averaged.
        let rank = i as f64 + (same as f64 + 1.0) / 2.0;
        for &j in &order[i..i + same] {
            ranks[j] = rank;
        }
        i += same;
    }
    ranks
}

fn pearson(x: &[f64], y: &[f64]) -> Option<f64> {
    let n = x.len() as f64;
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    (sxx > 0.0 && syy > 0.0).then(|| sxy / (sxx * syy).sqrt())
}

/// Spearman's rho with its 95% interval and p-value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Correlation {
    pub n: usize,
    pub rho: f64,
    /// Fisher-z interval with the Bonett–Wright standard error; needs n > 3.
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    /// Two-sided, from t = rho·sqrt((n − 2)/(1 − rho²)) on n − 2 degrees of freedom.
    pub p_value: Option<f64>,
}

/// Spearman's rank correlation: Pearson's correlation of average ranks (so ties are handled).
/// `None` with fewer than three pairs or when either variable is constant.
pub fn spearman(x: &[f64], y: &[f64]) -> Option<Correlation> {
    let n = x.len();
    if n != y.len() || n < 3 {
        return None;
    }
    let rho = pearson(&average_ranks(x), &average_ranks(y))?;
    let (ci_low, ci_high) = match bonett_wright(rho, n) {
        Some((l, h)) => (Some(l), Some(h)),
        None => (None, None),
    };
    Some(Correlation {
        n,
        rho,
        ci_low,
        ci_high,
        p_value: t_test_p(rho, n),
    })
}

/// The 95% interval of a Spearman correlation: tanh(atanh(rho) ± 1.96·sqrt((1 + rho²/2)/(n − 3))).
pub fn bonett_wright(rho: f64, n: usize) -> Option<(f64, f64)> {
    if n <= 3 {
        return None;
    }
    let se = ((1.0 + rho * rho / 2.0) / (n as f64 - 3.0)).sqrt();
    let z = rho.clamp(-0.999_999_999_999, 0.999_999_999_999).atanh();
    Some(((z - z95() * se).tanh(), (z + z95() * se).tanh()))
}

fn t_test_p(rho: f64, n: usize) -> Option<f64> {
    let df = n as f64 - 2.0;
    if rho.abs() >= 1.0 {
        return Some(0.0);
    }
    let t = rho * (df / (1.0 - rho * rho)).sqrt();
    let dist = StudentsT::new(0.0, 1.0, df).ok()?;
    Some(2.0 * dist.sf(t.abs()))
}

/// Benjamini–Hochberg adjusted p-values (the step-up false discovery rate), in input order;
/// `None`s stay `None` and do not count towards the family.
pub fn benjamini_hochberg(p: &[Option<f64>]) -> Vec<Option<f64>> {
    let mut present: Vec<(usize, f64)> = p
        .iter()
        .enumerate()
        .filter_map(|(i, v)| v.map(|v| (i, v)))
        .collect();
    present.sort_by(|a, b| a.1.total_cmp(&b.1));
    let m = present.len() as f64;
    let mut adjusted = vec![None; p.len()];
    let mut running = 1.0f64;
    for (rank, (i, v)) in present.iter().enumerate().rev() {
        running = running.min(v * m / (rank as f64 + 1.0));
        adjusted[*i] = Some(running.min(1.0));
    }
    adjusted
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    /// The 6-MP arm of Freireich et al. (1963), the remission data used in Kleinbaum & Klein,
    /// "Survival Analysis: A Self-Learning Text" (ch. 2) and in R's MASS::gehan: weeks in
    /// remission, + censored.
    fn six_mp() -> Vec<(f64, bool)> {
        let events = [6, 6, 6, 7, 10, 13, 16, 22, 23];
        let censored = [6, 9, 10, 11, 17, 19, 20, 25, 32, 32, 34, 35];
        events
            .iter()
            .map(|t| (*t as f64, true))
            .chain(censored.iter().map(|t| (*t as f64, false)))
            .collect()
    }

    /// The placebo arm: 21 relapses, none censored.
    fn placebo() -> Vec<(f64, bool)> {
        [
            1, 1, 2, 2, 3, 4, 4, 5, 5, 8, 8, 8, 8, 11, 11, 12, 12, 15, 17, 22, 23,
        ]
        .iter()
        .map(|t| (*t as f64, true))
        .collect()
    }

    // Published (Kleinbaum & Klein table 2.2; R survfit): S(t) = 0.857, 0.807, 0.753, 0.690,
    // 0.627, 0.538, 0.448 at t = 6, 7, 10, 13, 16, 22, 23, with Greenwood standard errors
    // 0.0764, 0.0869, 0.0963, 0.1068, 0.1141, 0.1282, 0.1346. The exact values, from the
    // products of (1 − d/n) and S²·Σ d/(n(n − d)) in exact fractions: 18/21, 18/21·16/17, …
    #[test]
    fn kaplan_meier_matches_the_freireich_data() {
        let steps = kaplan_meier(&six_mp());
        let events: Vec<&Step> = steps.iter().filter(|s| s.events > 0).collect();
        let expected = [
            (
                6.0,
                21,
                3,
                0.857_142_857_142_857_1,
                0.076_360_354_832_121_25,
            ),
            (
                7.0,
                17,
                1,
                0.806_722_689_075_630_3,
                0.086_935_285_180_057_19,
            ),
            (
                10.0,
                15,
                1,
                0.752_941_176_470_588_2,
                0.096_349_652_994_320_51,
            ),
            (
                13.0,
                12,
                1,
                0.690_196_078_431_372_5,
                0.106_814_707_775_009_82,
            ),
            (
                16.0,
                11,
                1,
                0.627_450_980_392_156_9,
                0.114_053_865_256_752_54,
            ),
            (22.0, 7, 1, 0.537_815_126_050_420_1, 0.128_233_751_693_034),
            (
                23.0,
                6,
                1,
                0.448_179_271_708_683_5,
                0.134_591_456_755_760_45,
            ),
        ];
        assert_eq!(events.len(), expected.len());
        let published_se = [0.0764, 0.0869, 0.0963, 0.1068, 0.1141, 0.1282, 0.1346];
        for ((s, e), published) in events.iter().zip(expected).zip(published_se) {
            assert_eq!((s.t, s.at_risk, s.events), (e.0, e.1, e.2));
            assert!(close(s.survival, e.3, 1e-12), "{s:?}");
            assert!(close(s.se, e.4, 1e-9), "{s:?}");
            assert!(close(s.se, published, 5e-5), "{s:?}");
            assert!(close(
                s.lower,
                (e.3 - 1.959_963_984_540_054 * e.4).max(0.0),
                1e-9
            ));
            assert!(close(
                s.upper,
                (e.3 + 1.959_963_984_540_054 * e.4).min(1.0),
                1e-9
            ));
        }
        // t = 6: three relapses and one censoring, so 17 remain at t = 7; the band at t = 6
        // reaches above 1 and is clipped.
        assert_eq!(steps[0].censored, 1);
        assert_eq!(steps[0].upper, 1.0);
        // After the last relapse (t = 23) the curve stays flat to the last censoring (35).
        assert_eq!(steps.last().unwrap().t, 35.0);
        assert!(close(
            steps.last().unwrap().survival,
            0.448_179_271_708_683_5,
            1e-12
        ));
    }

    // Published: the log-rank test of 6-MP against placebo gives chi-squared 16.79 on 1 degree
    // of freedom, p = 4.17e-5 (Kleinbaum & Klein ch. 2; R survdiff "Chisq= 16.8 on 1 degrees
    // of freedom, p= 4e-05", expected relapses 19.25 and 10.75). Exact, from the sums of
    // n1·d/n and d(n − d)/(n − 1)·(n1/n)(1 − n1/n) in fractions: O − E = 21 − 10.749499…,
    // V = 6.256960…, statistic 16.792940989216532.
    #[test]
    fn log_rank_matches_the_freireich_data() {
        let (statistic, df, p) = log_rank(&[six_mp(), placebo()]).unwrap();
        assert!(
            close(statistic, 16.792_940_989_216_532, 1e-9),
            "{statistic}"
        );
        assert_eq!(df, 1);
        assert!(close(p, 4.17e-5, 5e-7), "{p}");
        // Group order does not matter; three groups give two degrees of freedom.
        let (again, _, _) = log_rank(&[placebo(), six_mp()]).unwrap();
        assert!(close(again, statistic, 1e-9));
        let (_, df3, _) = log_rank(&[six_mp(), placebo(), six_mp()]).unwrap();
        assert_eq!(df3, 2);
        assert_eq!(log_rank(&[six_mp()]), None);
    }

    // Wikipedia, "Spearman's rank correlation coefficient", worked example: IQ against hours
    // of TV per week for ten people: rho = −29/165 = −0.175757…, p = 0.627188 (t-distribution).
    // The Bonett–Wright interval: z = atanh(rho), se = sqrt((1 + rho²/2)/7):
    // tanh(z ∓ 1.96·se) = −0.7278300282394071, 0.5145466616329561.
    #[test]
    fn spearman_matches_the_published_example() {
        let iq = [
            106.0, 100.0, 86.0, 101.0, 99.0, 103.0, 97.0, 113.0, 112.0, 110.0,
        ];
        let tv = [7.0, 27.0, 2.0, 50.0, 28.0, 29.0, 20.0, 12.0, 6.0, 17.0];
        let c = spearman(&iq, &tv).unwrap();
        assert!(close(c.rho, -29.0 / 165.0, 1e-12));
        assert!(close(c.p_value.unwrap(), 0.627_188, 1e-6), "{c:?}");
        assert!(close(c.ci_low.unwrap(), -0.727_830_028_239_407_1, 1e-9));
        assert!(close(c.ci_high.unwrap(), 0.514_546_661_632_956_1, 1e-9));
    }

    // Ties take the average of their ranks: x = 1, 2, 2, 3, 4, 4, 4, 5 ranks 1, 2.5, 2.5, 4, 6,
    // 6, 6, 8; y = 2, 1, 3, 3, 5, 4, 6, 6 ranks 2, 1, 3.5, 3.5, 6, 5, 7.5, 7.5. Deviations from
    // the mean rank 4.5: Σ dx·dy = 36.25, Σ dx² = 39.5, Σ dy² = 41 -> rho = 36.25 /
    // sqrt(39.5·41) = 0.9007775105401477.
    #[test]
    fn spearman_with_ties_by_hand() {
        let x = [1.0, 2.0, 2.0, 3.0, 4.0, 4.0, 4.0, 5.0];
        let y = [2.0, 1.0, 3.0, 3.0, 5.0, 4.0, 6.0, 6.0];
        assert_eq!(
            average_ranks(&x),
            vec![1.0, 2.5, 2.5, 4.0, 6.0, 6.0, 6.0, 8.0]
        );
        let c = spearman(&x, &y).unwrap();
        assert!(close(c.rho, 36.25 / (39.5f64 * 41.0).sqrt(), 1e-12));
        assert!(close(c.rho, 0.900_777_510_540_147_7, 1e-12));
        assert_eq!(spearman(&[1.0, 1.0, 1.0], &[1.0, 2.0, 3.0]), None);
    }

    // Benjamini & Hochberg (1995), section 4: fifteen p-values from a trial; at q = 0.05 the
    // step-up procedure rejects the first four. The adjusted values (min over j >= i of
    // p_j·m/j): 0.0015, 0.003, 0.0095, 0.035625, 0.0603, 0.063857142857…, 0.063857142857…,
    // 0.0645, 0.0765, 0.486, 0.581818…, 0.714875, 0.753230…, 0.813214…, 1.
    #[test]
    fn benjamini_hochberg_matches_the_paper() {
        let p = [
            0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459, 0.3240, 0.4262,
            0.5719, 0.6528, 0.7590, 1.000,
        ];
        let adjusted: Vec<f64> = benjamini_hochberg(&p.map(Some))
            .into_iter()
            .map(Option::unwrap)
            .collect();
        let expected = [
            0.0015,
            0.003,
            0.0095,
            0.035625,
            0.0603,
            0.0298 * 15.0 / 7.0,
            0.0298 * 15.0 / 7.0,
            0.0645,
            0.0765,
            0.486,
            0.4262 * 15.0 / 11.0,
            0.714875,
            0.6528 * 15.0 / 13.0,
            0.7590 * 15.0 / 14.0,
            1.0,
        ];
        for (a, e) in adjusted.iter().zip(expected) {
            assert!(close(*a, e, 1e-12), "{a} {e}");
        }
        assert_eq!(adjusted.iter().filter(|a| **a <= 0.05).count(), 4);
        // Order is kept and missing values stay missing.
        assert_eq!(
            benjamini_hochberg(&[Some(0.04), None, Some(0.01)]),
            vec![Some(0.04), None, Some(0.02)]
        );
    }
}
