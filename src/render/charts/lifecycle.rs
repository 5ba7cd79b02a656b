//! Lifecycle: new, returning and resurrecting people above zero each period, dormant below.

use super::context::Context;
use super::kit::palette::CATEGORICAL;
use super::kit::{bars, Axis, Bars, Drawing};

pub fn chart(c: &Context) -> Drawing {
    let (periods, w, lang) = (&c.report.periods, c.w, c.lang);
    let names = [w.new, w.returning, w.resurrecting, w.dormant];
    let series: Vec<Bars> = (0..4)
        .map(|k| Bars {
            name: names[k].to_string(),
            colour: CATEGORICAL[k].to_string(),
            values: periods
                .iter()
                .map(|p| {
                    let v = f64::from(p.lifecycle[k]);
                    Some(if k == 3 { -v } else { v })
                })
                .collect(),
        })
        .collect();
    let up = periods
        .iter()
        .map(|p| f64::from(p.lifecycle[0] + p.lifecycle[1] + p.lifecycle[2]))
        .fold(1.0, f64::max);
    let down = periods
        .iter()
        .map(|p| f64::from(p.lifecycle[3]))
        .fold(0.0, f64::max);
    let count = |v: f64| lang.number(v.abs(), 0);
    let y = Axis {
        title: w.people.into(),
        min: -down,
        max: up,
        label: &count,
        tip: &count,
    };
    bars(
        "lifecycle",
        w.lifecycle_chart,
        &c.labels,
        c.kind,
        &y,
        &series,
        true,
    )
}
