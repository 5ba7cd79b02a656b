//! The chart kinds the report uses, built on the SVG kit: lines (with optional bands and step
//! shapes), bars (stacked, also below zero), heatmaps (with suppressed cells) and scatters.
//! Each returns a [`Chart`] that knows how many data marks it drew.

use super::svg::{legend, n, ticks, Plot, Svg, BLUES, HEIGHT, INK, MUTED, WIDTH};

/// One finished chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    /// File stem under `charts/`.
    pub name: String,
    pub title: String,
    pub svg: String,
    /// Data marks drawn: one per point, bar segment or cell.
    pub marks: usize,
}

/// The value axis.
pub struct Axis<'a> {
    pub title: String,
    /// Lowest and highest value to cover (ticks round them outward).
    pub min: f64,
    pub max: f64,
    pub label: &'a dyn Fn(f64) -> String,
}

fn plot_for(y: &Axis, legend_width: f64) -> (Plot, Vec<f64>) {
    let t = ticks(y.min, y.max.max(y.min + 1e-9), 5);
    let plot = Plot {
        left: 72.0,
        top: 52.0,
        right: WIDTH - 20.0 - legend_width,
        bottom: HEIGHT - 64.0,
        y_min: *t.first().unwrap_or(&y.min),
        y_max: *t.last().unwrap_or(&y.max),
    };
    (plot, t)
}

/// A line over categories (periods) or numbers.
pub struct Line {
    pub name: String,
    pub colour: String,
    /// `(x position, value, x label for the mark)`; a missing value breaks the line.
    pub points: Vec<(f64, Option<f64>, String)>,
    /// Draw as steps (a survival curve).
    pub step: bool,
    pub dashed: bool,
    /// Draw a mark per point (reference lines do not).
    pub marks: bool,
    /// `(x, low, high)`: a shaded band around the line.
    pub band: Vec<(f64, f64, f64)>,
}

impl Line {
    /// A solid line over the periods with a mark per value: `values` in period order (a
    /// missing one breaks the line), `labels` the periods' labels.
    pub fn over_periods(
        name: &str,
        colour: &str,
        values: impl Iterator<Item = Option<f64>>,
        labels: &[String],
    ) -> Line {
        Line {
            name: name.to_string(),
            colour: colour.to_string(),
            points: values
                .zip(labels)
                .enumerate()
                .map(|(i, (v, label))| (i as f64, v, label.clone()))
                .collect(),
            step: false,
            dashed: false,
            marks: true,
            band: Vec::new(),
        }
    }
}

/// The horizontal axis of a line chart: categories (x = index) or a numeric range.
pub enum XAxis {
    Categories(Vec<String>),
    Numeric {
        min: f64,
        max: f64,
        label: Box<dyn Fn(f64) -> String>,
    },
}

/// A line chart with a legend on the right.
pub fn lines(
    name: &str,
    title: &str,
    x: &XAxis,
    x_title: &str,
    y: &Axis,
    series: &[Line],
) -> Chart {
    let mut svg = Svg::new(title, WIDTH, HEIGHT);
    let named: Vec<&Line> = series.iter().filter(|l| !l.name.is_empty()).collect();
    let legend_width = if named.len() > 1 { 170.0 } else { 0.0 };
    let (plot, t) = plot_for(y, legend_width);
    plot.y_axis(&mut svg, &t, y.label, &y.title);
    let x_of: Box<dyn Fn(f64) -> f64> = match x {
        XAxis::Categories(labels) => {
            plot.x_categories(&mut svg, labels, x_title);
            let band = plot.width() / labels.len().max(1) as f64;
            let left = plot.left;
            Box::new(move |i| left + band * (i + 0.5))
        }
        XAxis::Numeric { min, max, label } => Box::new(plot.x_numeric(
            &mut svg,
            (*min, *max),
            &ticks(*min, *max, 6),
            label.as_ref(),
            x_title,
        )),
    };
    let mut marks = 0;
    for l in series {
        if !l.band.is_empty() {
            let mut poly: Vec<(f64, f64)> = Vec::new();
            for w in l.band.windows(2) {
                poly.push((x_of(w[0].0), plot.y(w[0].2)));
                poly.push((x_of(w[1].0), plot.y(w[0].2)));
            }
            if let Some(last) = l.band.last() {
                poly.push((x_of(last.0), plot.y(last.2)));
                poly.push((x_of(last.0), plot.y(last.1)));
            }
            for w in l.band.windows(2).rev() {
                poly.push((x_of(w[1].0), plot.y(w[0].1)));
                poly.push((x_of(w[0].0), plot.y(w[0].1)));
            }
            svg.polygon(&poly, &l.colour, 0.15);
        }
        // Segments between missing values.
        let mut run: Vec<(f64, f64)> = Vec::new();
        let flush = |run: &mut Vec<(f64, f64)>, svg: &mut Svg| {
            svg.polyline(run, &l.colour, 2.2, l.dashed);
            run.clear();
        };
        for (x, v, _) in &l.points {
            match v {
                Some(v) => {
                    let p = (x_of(*x), plot.y(*v));
                    if l.step {
                        if let Some(prev) = run.last().copied() {
                            run.push((p.0, prev.1));
                        }
                    }
                    run.push(p);
                }
                None => flush(&mut run, &mut svg),
            }
        }
        flush(&mut run, &mut svg);
        if l.marks {
            for (x, v, at) in &l.points {
                if let Some(v) = v {
                    svg.mark_point(x_of(*x), plot.y(*v), 3.2, &l.colour, &l.name, at, &n(*v));
                    marks += 1;
                }
            }
        }
    }
    let items = named
        .iter()
        .map(|l| (l.name.clone(), l.colour.clone()))
        .collect();
    finish(svg, name, title, marks, items)
}

/// The chart, with a legend of `items` (name, colour) when there is more than one series.
fn finish(
    mut svg: Svg,
    name: &str,
    title: &str,
    marks: usize,
    items: Vec<(String, String)>,
) -> Chart {
    if items.len() > 1 {
        legend(&mut svg, &items, WIDTH - 180.0, 64.0);
    }
    Chart {
        name: name.to_string(),
        title: title.to_string(),
        svg: svg.finish(),
        marks,
    }
}

/// A set of bars with one value per category.
pub struct Bars {
    pub name: String,
    pub colour: String,
    pub values: Vec<Option<f64>>,
}

/// Bars per category: stacked (negative values stack downward from zero) or side by side.
/// The first series sits at the bottom of a stack.
pub fn bars(
    name: &str,
    title: &str,
    categories: &[String],
    x_title: &str,
    y: &Axis,
    series: &[Bars],
    stacked: bool,
) -> Chart {
    let mut svg = Svg::new(title, WIDTH, HEIGHT);
    let legend_width = if series.len() > 1 { 170.0 } else { 0.0 };
    let (plot, t) = plot_for(y, legend_width);
    plot.y_axis(&mut svg, &t, y.label, &y.title);
    plot.x_categories(&mut svg, categories, x_title);
    let band = plot.width() / categories.len().max(1) as f64;
    let gap = (band * 0.2).min(14.0);
    let mut marks = 0;
    for (i, category) in categories.iter().enumerate() {
        let x0 = plot.left + band * i as f64 + gap / 2.0;
        let width = band - gap;
        let (mut up, mut down) = (0.0, 0.0);
        for (s, bars) in series.iter().enumerate() {
            let Some(v) = bars.values.get(i).copied().flatten() else {
                continue;
            };
            let (x, w) = if stacked {
                (x0, width)
            } else {
                let w = width / series.len() as f64;
                (x0 + w * s as f64, w)
            };
            let (from, to) = if !stacked {
                (0.0, v)
            } else if v >= 0.0 {
                up += v;
                (up - v, up)
            } else {
                down += v;
                (down - v, down)
            };
            let (top, bottom) = (plot.y(from.max(to)), plot.y(from.min(to)));
            svg.mark_rect(
                x,
                top,
                w,
                bottom - top,
                &bars.colour,
                &bars.name,
                category,
                &n(v),
                "",
            );
            marks += 1;
        }
    }
    if y.min < 0.0 {
        let zero = plot.y(0.0);
        svg.line(plot.left, zero, plot.right, zero, INK, 1.0, false);
    }
    let items = series
        .iter()
        .rev()
        .map(|b| (b.name.clone(), b.colour.clone()))
        .collect();
    finish(svg, name, title, marks, items)
}

/// Cell `(i, j)` of a heatmap in `(x, y, width, height)`: hatched when suppressed, coloured by
/// its value (with the value written when `show_text`), nothing when empty; whether it drew a
/// data mark.
fn cell(
    svg: &mut Svg,
    heat: &Heat,
    (i, j): (usize, usize),
    (x, y, cw, ch): (f64, f64, f64, f64),
    show_text: bool,
) -> bool {
    let (r, c) = (&heat.rows[i], &heat.columns[j]);
    let hidden = heat
        .suppressed
        .get(i)
        .and_then(|s| s.get(j))
        .copied()
        .unwrap_or(false);
    let value = heat.values.get(i).and_then(|v| v.get(j)).copied().flatten();
    match (hidden, value) {
        (true, _) => {
            svg.mark_hidden((x + 1.0, y + 1.0, cw - 2.0, ch - 2.0), r, c, heat.hidden);
            true
        }
        (false, Some(v)) => {
            let share = if heat.max > 0.0 {
                (v / heat.max).clamp(0.0, 1.0)
            } else {
                0.0
            };
            let k = ((share * (BLUES.len() - 1) as f64).round() as usize).min(BLUES.len() - 1);
            svg.mark_rect(
                x + 1.0,
                y + 1.0,
                cw - 2.0,
                ch - 2.0,
                BLUES[k],
                r,
                c,
                &n(v),
                "",
            );
            if show_text {
                let ink = if k >= 4 { "#ffffff" } else { INK };
                let label = (heat.label)(v);
                svg.text(
                    x + cw / 2.0,
                    y + ch / 2.0 + 4.0,
                    &label,
                    10.0,
                    "middle",
                    ink,
                    false,
                );
            }
            true
        }
        (false, None) => false,
    }
}

/// A grid of cells coloured by value; suppressed cells are hatched and say so.
pub struct Heat<'a> {
    pub rows: Vec<String>,
    pub columns: Vec<String>,
    /// `values[row][column]`: None is an empty cell (no data) unless suppressed.
    pub values: Vec<Vec<Option<f64>>>,
    pub suppressed: Vec<Vec<bool>>,
    pub row_title: String,
    pub column_title: String,
    pub max: f64,
    pub label: &'a dyn Fn(f64) -> String,
    /// Shown under the grid (e.g. what hatching means).
    pub note: String,
    /// The tooltip word of a suppressed cell, in the report's language.
    pub hidden: &'a str,
}

pub fn heatmap(name: &str, title: &str, heat: &Heat) -> Chart {
    let mut svg = Svg::new(title, WIDTH, HEIGHT);
    svg.hatch_pattern();
    let longest = heat
        .rows
        .iter()
        .map(|r| r.chars().count())
        .max()
        .unwrap_or(4) as f64;
    // Room for the row labels and, left of them, the turned row title.
    let left = (longest * 6.5 + 44.0).clamp(80.0, 240.0);
    let (top, bottom, right) = (72.0, HEIGHT - 56.0, WIDTH - 20.0);
    let cw = (right - left) / heat.columns.len().max(1) as f64;
    let ch = (bottom - top) / heat.rows.len().max(1) as f64;
    let every = heat.columns.len().div_ceil(14).max(1);
    for (j, c) in heat.columns.iter().enumerate() {
        if j % every == 0 {
            svg.text(
                left + cw * (j as f64 + 0.5),
                top - 8.0,
                c,
                11.0,
                "middle",
                MUTED,
                false,
            );
        }
    }
    svg.text(
        (left + right) / 2.0,
        top - 26.0,
        &heat.column_title,
        12.0,
        "middle",
        MUTED,
        false,
    );
    svg.vertical_text(14.0, (top + bottom) / 2.0, &heat.row_title, 12.0);
    let mut marks = 0;
    let show_text = cw >= 34.0 && ch >= 14.0;
    for (i, r) in heat.rows.iter().enumerate() {
        let y = top + ch * i as f64;
        svg.text(left - 8.0, y + ch / 2.0 + 4.0, r, 11.0, "end", INK, false);
        for j in 0..heat.columns.len() {
            let x = left + cw * j as f64;
            if cell(&mut svg, heat, (i, j), (x, y, cw, ch), show_text) {
                marks += 1;
            }
        }
    }
    if !heat.note.is_empty() {
        svg.text(left, HEIGHT - 24.0, &heat.note, 11.0, "start", MUTED, false);
    }
    Chart {
        name: name.to_string(),
        title: title.to_string(),
        svg: svg.finish(),
        marks,
    }
}

/// Points with a note (e.g. the correlation) under the title.
pub fn scatter(
    name: &str,
    title: &str,
    points: &[(f64, f64)],
    x: &Axis,
    y: &Axis,
    note: &str,
) -> Chart {
    let mut svg = Svg::new(title, WIDTH, HEIGHT);
    let (plot, t) = plot_for(y, 0.0);
    plot.y_axis(&mut svg, &t, y.label, &y.title);
    let xt = ticks(x.min, x.max.max(x.min + 1e-9), 6);
    let domain = (*xt.first().unwrap_or(&x.min), *xt.last().unwrap_or(&x.max));
    let x_of = plot.x_numeric(&mut svg, domain, &xt, x.label, &x.title);
    for (px, py) in points {
        svg.mark_point(
            x_of(*px),
            plot.y(*py),
            4.5,
            "#0072B2",
            "team",
            &n(*px),
            &n(*py),
        );
    }
    if !note.is_empty() {
        svg.text(16.0, 46.0, note, 12.0, "start", MUTED, false);
    }
    Chart {
        name: name.to_string(),
        title: title.to_string(),
        svg: svg.finish(),
        marks: points.len(),
    }
}

/// Longest label a ranked chart shows whole; longer ones end in an ellipsis.
const RANKED_LABEL: usize = 28;

/// Horizontal bars, one per labelled value, first at the top: a ranking (terms by people,
/// terms by rising score). Every bar is a mark named by its label.
pub fn ranked(name: &str, title: &str, rows: &[(String, f64)], x: &Axis, colour: &str) -> Chart {
    let mut svg = Svg::new(title, WIDTH, HEIGHT);
    let t = ticks(x.min, x.max.max(x.min + 1e-9), 5);
    let (lo, hi) = (*t.first().unwrap_or(&x.min), *t.last().unwrap_or(&x.max));
    let plot = Plot {
        left: 200.0,
        top: 52.0,
        right: WIDTH - 24.0,
        bottom: HEIGHT - 64.0,
        y_min: 0.0,
        y_max: 1.0,
    };
    let x_of = plot.x_numeric(&mut svg, (lo, hi), &t, x.label, &x.title);
    let band = (plot.bottom - plot.top) / rows.len().max(1) as f64;
    let zero = x_of(0.0f64.clamp(lo, hi));
    for (i, (label, value)) in rows.iter().enumerate() {
        let y = plot.top + band * i as f64;
        let shown: String = if label.chars().count() > RANKED_LABEL {
            label.chars().take(RANKED_LABEL - 1).collect::<String>() + "…"
        } else {
            label.clone()
        };
        svg.text(
            plot.left - 8.0,
            y + band * 0.5 + 4.0,
            &shown,
            11.0,
            "end",
            INK,
            false,
        );
        let end = x_of(*value);
        svg.mark_rect(
            zero.min(end),
            y + band * 0.15,
            (end - zero).abs(),
            band * 0.7,
            colour,
            &x.title,
            label,
            &(x.label)(*value),
            "",
        );
    }
    finish(svg, name, title, rows.len(), Vec::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pct(v: f64) -> String {
        format!("{v:.0}%")
    }

    #[test]
    fn every_value_is_one_mark() {
        let label = |v: f64| format!("{v}");
        let y = Axis {
            title: "Share (%)".into(),
            min: 0.0,
            max: 100.0,
            label: &pct,
        };
        let chart = bars(
            "b",
            "Bars",
            &["a".into(), "b".into(), "c".into()],
            "period",
            &y,
            &[
                Bars {
                    name: "one".into(),
                    colour: "#000".into(),
                    values: vec![Some(10.0), None, Some(30.0)],
                },
                Bars {
                    name: "two".into(),
                    colour: "#111".into(),
                    values: vec![Some(5.0), Some(0.0), Some(1.0)],
                },
            ],
            true,
        );
        assert_eq!(chart.marks, 5);
        assert_eq!(chart.svg.matches("class=\"mark\"").count(), 5);
        let l = lines(
            "l",
            "Lines",
            &XAxis::Categories(vec!["a".into(), "b".into()]),
            "period",
            &Axis {
                title: "x".into(),
                min: 0.0,
                max: 1.0,
                label: &label,
            },
            &[Line {
                name: "s".into(),
                colour: "#000".into(),
                points: vec![(0.0, Some(0.5), "a".into()), (1.0, None, "b".into())],
                step: false,
                dashed: false,
                marks: true,
                band: Vec::new(),
            }],
        );
        assert_eq!(l.marks, 1);
        assert_eq!(l.svg.matches("<circle class=\"mark\"").count(), 1);
        assert!(l.svg.contains("<title>Lines</title>"));
    }
}
