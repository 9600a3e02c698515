//! (g) Time to enroll: each wave's Kaplan–Meier curve of the share enrolled by day of
//! its own rollout, laid over each other with their 95 % bands — how one wave teaches
//! the next.

use super::*;
use crate::report::view::CurveLine;

struct Series {
    style: WaveStyle,
    /// Marks on the curve at each week of the wave (days 0, 7, 14, …), drawn when there
    /// are more curves than colours so that two curves of one colour differ.
    marks: Vec<(i64, f64)>,
    /// The step curve: (day, share) at each corner.
    steps: Vec<(i64, f64)>,
    /// The band as a closed polygon (upper edge forward, lower edge back).
    band: Vec<(i64, f64)>,
}

pub(super) struct TimeToEnroll {
    series: Vec<Series>,
    /// Whether the curves carry their marks (more curves than colours).
    marked: bool,
    legend: Vec<LegendEntry>,
    max_day: i64,
}

/// The corners of a step function that starts at 0 on day 0, changes on each point's
/// day to `value(point)` and runs flat to `horizon`.
fn steps(points: &[(i64, f64)], horizon: i64) -> Vec<(i64, f64)> {
    let mut out = vec![(0, 0.0)];
    let mut last = 0.0;
    for &(day, v) in points {
        out.push((day, last));
        out.push((day, v));
        last = v;
    }
    out.push((horizon.max(out.last().map_or(0, |p| p.0)), last));
    out
}

/// The step curve's value at days 0, 7, 14, … up to `horizon`.
fn weekly(steps: &[(i64, f64)], horizon: i64) -> Vec<(i64, f64)> {
    (0..=horizon)
        .step_by(7)
        .map(|day| {
            let v = steps
                .iter()
                .take_while(|p| p.0 <= day)
                .last()
                .map_or(0.0, |p| p.1);
            (day, v)
        })
        .collect()
}

impl TimeToEnroll {
    pub(super) fn new(view: &View) -> TimeToEnroll {
        let series: Vec<Series> = view
            .curves
            .iter()
            .enumerate()
            .filter(|(_, c)| !c.points.is_empty())
            .map(|(i, c): (usize, &CurveLine)| {
                let share: Vec<(i64, f64)> = c.points.iter().map(|p| (p.0, p.1)).collect();
                // Where the band is empty (S is 0 or 1) it closes on the curve.
                let high: Vec<(i64, f64)> =
                    c.points.iter().map(|p| (p.0, p.3.unwrap_or(p.1))).collect();
                let low: Vec<(i64, f64)> =
                    c.points.iter().map(|p| (p.0, p.2.unwrap_or(p.1))).collect();
                let mut band = steps(&high, c.horizon);
                band.extend(steps(&low, c.horizon).into_iter().rev());
                let steps = steps(&share, c.horizon);
                Series {
                    style: wave_style(i),
                    marks: weekly(&steps, c.horizon),
                    steps,
                    band,
                }
            })
            .collect();
        let marked = series.len() > WAVE_COLOURS.len();
        let legend = view
            .curves
            .iter()
            .enumerate()
            .filter(|(_, c)| !c.points.is_empty())
            .map(|(i, c)| LegendEntry {
                label: if view.several_workloads {
                    format!("{} · {}", clean_label(&c.workload), clean_label(&c.wave))
                } else {
                    clean_label(&c.wave)
                },
                swatch: if marked {
                    Swatch::Marked(wave_style(i))
                } else {
                    Swatch::Line(wave_style(i).colour)
                },
            })
            .collect();
        let max_day = view.curves.iter().map(|c| c.horizon).max().unwrap_or(0);
        TimeToEnroll {
            series,
            marked,
            legend,
            max_day,
        }
    }

    pub(super) fn title(&self) -> String {
        "Time to enroll: the share enrolled by day of each wave".to_string()
    }
}

impl Plot for TimeToEnroll {
    fn size(&self) -> (u32, u32) {
        (WIDTH, header_height(&self.legend) + 440)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let body = draw_header(
            root,
            &self.title(),
            "Kaplan–Meier estimate by day since each wave's start, with its 95 % band (shaded); people not yet enrolled count up to the as-of day",
            &self.legend,
        )?;
        let mut chart = share_over_time(
            &body,
            0i64..self.max_day.max(1),
            "Days since the wave's start",
            "Enrolled (% of the wave)",
            12,
        )?;
        for s in &self.series {
            chart.draw_series(std::iter::once(Polygon::new(
                s.band.clone(),
                s.style.colour.mix(0.15).filled(),
            )))?;
        }
        for s in &self.series {
            chart.draw_series(LineSeries::new(
                s.steps.iter().copied(),
                s.style.colour.stroke_width(3),
            ))?;
            if self.marked {
                chart.draw_series(s.marks.iter().map(|&p| mark_at(p, s.style, 4)))?;
            }
        }
        Ok(())
    }
}

impl Framed for TimeToEnroll {
    fn why_empty(&self) -> Option<String> {
        self.series.is_empty().then(|| {
            "No wave has an enrollment to draw yet (none has started, or every wave is too small to show).".to_string()
        })
    }
}
