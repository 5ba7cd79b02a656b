//! The demo's random draws: one independent stream per purpose (so adding a draw to one part
//! of the simulation changes no other), and the few distributions it draws from. Split from
//! `sample.rs` by job.

use super::*;

/// A random stream for one purpose, independent of every other stream.
pub(super) fn stream(seed: u64, a: u64, b: u64, c: u64) -> ChaCha8Rng {
    // SplitMix64 finaliser over the combined identifiers.
    let mut x = seed
        ^ a.wrapping_mul(0x9e37_79b9_7f4a_7c15)
        ^ b.wrapping_mul(0xbf58_476d_1ce4_e5b9)
        ^ c.wrapping_mul(0x94d0_49bb_1331_11eb);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    ChaCha8Rng::seed_from_u64(x ^ (x >> 31))
}

pub(super) fn normal(rng: &mut impl Rng) -> f64 {
    let u1: f64 = rng.random::<f64>().max(f64::MIN_POSITIVE);
    let u2: f64 = rng.random();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

pub(super) fn poisson(rng: &mut impl Rng, lambda: f64) -> u32 {
    let lambda = lambda.min(30.0);
    let l = (-lambda).exp();
    let mut k = 0;
    let mut p = 1.0;
    loop {
        p *= rng.random::<f64>();
        if p <= l {
            return k;
        }
        k += 1;
    }
}

pub(super) fn exponential_hours(rng: &mut impl Rng, mean_hours: f64) -> Duration {
    let u: f64 = rng.random::<f64>().max(1e-12);
    Duration::seconds((-u.ln() * mean_hours * 3600.0) as i64)
}

pub(super) fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

pub(super) fn pick_weighted(rng: &mut impl Rng, weights: &[f64]) -> usize {
    let total: f64 = weights.iter().sum();
    let mut x = rng.random::<f64>() * total;
    for (i, w) in weights.iter().enumerate() {
        if x < *w {
            return i;
        }
        x -= w;
    }
    weights.len() - 1
}

pub(super) fn month_start(start: NaiveDate, m: u32) -> NaiveDate {
    let idx = start.year() * 12 + start.month0() as i32 + m as i32;
    NaiveDate::from_ymd_opt(idx.div_euclid(12), idx.rem_euclid(12) as u32 + 1, 1)
        .expect("valid month")
}

/// A moment during working life on a random day in `[from, to]`, in local office hours mostly.
pub(super) fn working_moment(rng: &mut impl Rng, from: NaiveDate, to: NaiveDate) -> DateTime<Utc> {
    let span = (to - from).num_days().max(0);
    let mut day = from;
    for _ in 0..4 {
        day = from + Duration::days(rng.random_range(0..=span));
        let weekend = matches!(day.weekday(), Weekday::Sat | Weekday::Sun);
        if !weekend || rng.random::<f64>() < 0.1 {
            break;
        }
    }
    let hour = if rng.random::<f64>() < 0.9 {
        rng.random_range(8..18)
    } else {
        rng.random_range(18..23)
    };
    let local = day.and_time(
        NaiveTime::from_hms_opt(hour, rng.random_range(0..60), rng.random_range(0..60))
            .expect("valid time"),
    );
    TZ.from_local_datetime(&local)
        .earliest()
        .unwrap_or_else(|| TZ.from_utc_datetime(&local))
        .with_timezone(&Utc)
}
