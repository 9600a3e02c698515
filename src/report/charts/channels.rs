//! Channels compared per wave (issue 17): for each wave and channel of the `channels`
//! table, the share of eligible people the channel reached (a bar) and its lift — the
//! enrolled share of the people it reached minus that of the people it did not (a
//! dot either side of zero). A figure the table leaves empty (fewer than
//! min_group_size people, or a side too small) is neither drawn nor written: its row
//! says "not shown" (docs/metrics.md, "channels"; docs/privacy.md).

use super::*;
use crate::report::format::points;
use crate::report::reach::ReachLine;

struct ChannelBar {
    /// The workload (when there are several) and the wave.
    wave: String,
    channel: String,
    reach: Option<f64>,
    difference: Option<f64>,
    /// Starts a new wave (a rule is drawn above it).
    block_start: bool,
}

pub(super) struct Channels {
    rows: Vec<ChannelBar>,
    min_group_size: i64,
    /// The lift axis runs from −span to +span (a share difference).
    span: f64,
    legend: Vec<LegendEntry>,
    empty: String,
}

const ROW: u32 = 24;
// 20 + 240 + 260 + 80 + 260 = 860: the lift's figures fit in the last 100 pixels,
// a negative one in the gap between the panels.
const LABEL_W: i32 = 240;
const REACH_W: i32 = 260;
const PANEL_GAP: i32 = 80;
const LIFT_W: i32 = 260;
const TOP: i32 = 34;
const AXIS_H: u32 = 56;

impl Channels {
    pub(super) fn new(view: &View) -> Channels {
        let lines = &view.reach.channels;
        let several_waves = lines
            .iter()
            .filter(|l| l.wave != ALL)
            .map(|l| (&l.workload, &l.wave))
            .collect::<std::collections::BTreeSet<_>>()
            .len()
            > 1;
        let mut rows = Vec::new();
        let mut last: Option<(&str, &str)> = None;
        for l in lines.iter().filter(|l| several_waves || l.wave != ALL) {
            let key = (l.workload.as_str(), l.wave.as_str());
            rows.push(ChannelBar {
                wave: wave_label(view, l),
                channel: clean_label(&l.name),
                reach: l.share,
                difference: l.difference,
                block_start: last.is_some_and(|k| k != key),
            });
            last = Some(key);
        }
        // Whole tens of points, at least 10, so every shown lift fits.
        let widest = rows
            .iter()
            .filter_map(|r| r.difference)
            .fold(0.0f64, |m, d| m.max(d.abs()));
        let span = ((widest * 10.0).ceil() / 10.0).max(0.1);
        let legend = vec![
            LegendEntry {
                label: "reached (% of eligible)".into(),
                swatch: Swatch::Bar(OI_BLUE),
            },
            LegendEntry {
                label: "enrolled, reached minus not reached (pts)".into(),
                swatch: Swatch::Dot(OI_VERMILLION),
            },
        ];
        let shown = rows
            .iter()
            .any(|r| r.reach.is_some() || r.difference.is_some());
        let empty = if lines.is_empty() {
            "No channel to compare: no touchpoints source is configured.".to_string()
        } else {
            format!(
                "No channel to compare: each reached fewer than {} people, or left too few unreached.",
                view.min_group_size
            )
        };
        Channels {
            rows: if shown { rows } else { Vec::new() },
            min_group_size: view.min_group_size,
            span,
            legend,
            empty,
        }
    }

    pub(super) fn title(&self) -> String {
        "Channels per wave: how many each reached, and how enrollment differed".into()
    }
}

/// The wave (with the workload first when there are several).
fn wave_label(view: &View, l: &ReachLine) -> String {
    let wave = if l.wave == ALL {
        "All waves".to_string()
    } else {
        clean_label(&l.wave)
    };
    if view.several_workloads {
        format!("{} · {wave}", clean_label(&l.workload))
    } else {
        wave
    }
}

/// `wave · channel` in `max` pixels: the wave is cut first, so the channel stays
/// readable (a channel name longer than half the room is cut too).
fn row_label(wave: &str, channel: &str, max: u32) -> String {
    let channel = fit(channel, LABEL_SIZE, max / 2);
    // Widths measured apart do not quite add up (kerning, rounding): a few pixels spare.
    let rest = max.saturating_sub(text_width(&format!(" · {channel}"), LABEL_SIZE) + 6);
    format!("{} · {channel}", fit(wave, LABEL_SIZE, rest))
}

impl Plot for Channels {
    fn size(&self) -> (u32, u32) {
        let n = self.rows.len().max(1) as u32;
        (
            WIDTH,
            header_height(&self.legend) + TOP as u32 + n * ROW + AXIS_H,
        )
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let subtitle = format!(
            "Observational: a channel may reach the keenest people first. Fewer than {} people: not shown",
            self.min_group_size
        );
        let body = draw_header(root, &self.title(), &subtitle, &self.legend)?;
        let n = self.rows.len() as i32;
        let reach_x0 = 20 + LABEL_W;
        let lift_x0 = reach_x0 + REACH_W + PANEL_GAP;
        let zero_x = lift_x0 + LIFT_W / 2;
        let y_of = |i: i32| TOP + i * ROW as i32 + ROW as i32 / 2;
        let bottom = TOP + n * ROW as i32;
        let head = text_style(TICK_SIZE, &INK_SOFT).pos(Pos::new(HPos::Center, VPos::Bottom));
        body.draw(&Text::new(
            "Reached (% of eligible)",
            (reach_x0 + REACH_W / 2, TOP - 8),
            head.clone(),
        ))?;
        body.draw(&Text::new(
            "Enrolled: reached minus not reached",
            (zero_x, TOP - 8),
            head,
        ))?;
        for i in (0..n).filter(|i| i % 2 == 0) {
            body.draw(&Rectangle::new(
                [
                    (20, y_of(i) - ROW as i32 / 2),
                    (lift_x0 + LIFT_W, y_of(i) + ROW as i32 / 2),
                ],
                BAND.filled(),
            ))?;
        }
        // Grid and axes: reach every 25 %, lift at −span, −span/2, 0, span/2, span.
        let tick = text_style(TICK_SIZE, &INK_SOFT).pos(Pos::new(HPos::Center, VPos::Top));
        for k in 0..=4 {
            let x = reach_x0 + REACH_W * k / 4;
            body.draw(&PathElement::new(
                vec![(x, TOP), (x, bottom)],
                RULE.stroke_width(1),
            ))?;
            body.draw(&Text::new(
                format!("{} %", 25 * k),
                (x, bottom + 6),
                tick.clone(),
            ))?;
            let d = self.span * (f64::from(k) - 2.0) / 2.0;
            let x = zero_x + (LIFT_W / 2) * (k - 2) / 2;
            let style = if k == 2 {
                INK_SOFT.stroke_width(2)
            } else {
                RULE.stroke_width(1)
            };
            body.draw(&PathElement::new(vec![(x, TOP), (x, bottom)], style))?;
            let text = if k == 2 {
                "0".to_string()
            } else {
                whole_points(d)
            };
            body.draw(&Text::new(text, (x, bottom + 6), tick.clone()))?;
        }
        let left = text_style(LABEL_SIZE, &OI_BLACK).pos(Pos::new(HPos::Right, VPos::Center));
        let value = text_style(TICK_SIZE, &OI_BLACK).pos(Pos::new(HPos::Left, VPos::Center));
        let hidden = text_style(TICK_SIZE, &INK_SOFT).pos(Pos::new(HPos::Left, VPos::Center));
        for (i, row) in self.rows.iter().enumerate() {
            let y = y_of(i as i32);
            if row.block_start {
                let top = y - ROW as i32 / 2;
                body.draw(&PathElement::new(
                    vec![(20, top), (lift_x0 + LIFT_W, top)],
                    INK_SOFT.stroke_width(1),
                ))?;
            }
            body.draw(&Text::new(
                row_label(&row.wave, &row.channel, (LABEL_W - 12) as u32),
                (reach_x0 - 8, y),
                left.clone(),
            ))?;
            match row.reach {
                Some(r) => {
                    let w = (f64::from(REACH_W) * r.clamp(0.0, 1.0)).round() as i32;
                    body.draw(&Rectangle::new(
                        [(reach_x0, y - 7), (reach_x0 + w, y + 7)],
                        OI_BLUE.filled(),
                    ))?;
                    body.draw(&Text::new(
                        pct(Some(r)),
                        (reach_x0 + w + 6, y),
                        value.clone(),
                    ))?;
                }
                None => {
                    body.draw(&Text::new("not shown", (reach_x0 + 6, y), hidden.clone()))?;
                }
            }
            match row.difference {
                Some(d) => {
                    let x = zero_x + (f64::from(LIFT_W / 2) * d / self.span).round() as i32;
                    body.draw(&PathElement::new(
                        vec![(zero_x, y), (x, y)],
                        OI_VERMILLION.stroke_width(2),
                    ))?;
                    body.draw(&Circle::new((x, y), 5, OI_VERMILLION.filled()))?;
                    // The figure on the side away from zero, inside the panel.
                    let text = points(Some(d));
                    let (at, pos) = if d < 0.0 {
                        (x - 10, HPos::Right)
                    } else {
                        (x + 10, HPos::Left)
                    };
                    body.draw(&Text::new(
                        text,
                        (at, y),
                        text_style(TICK_SIZE, &OI_BLACK).pos(Pos::new(pos, VPos::Center)),
                    ))?;
                }
                None => {
                    body.draw(&Text::new("not shown", (zero_x + 8, y), hidden.clone()))?;
                }
            }
        }
        Ok(())
    }
}

/// An axis tick: whole points, signed (`+10 pts`, `−20 pts`).
fn whole_points(d: f64) -> String {
    let p = (100.0 * d).round() as i64;
    match p.signum() {
        1 => format!("+{p} pts"),
        -1 => format!("\u{2212}{} pts", -p),
        _ => "0".to_string(),
    }
}

impl Framed for Channels {
    fn why_empty(&self) -> Option<String> {
        self.rows.is_empty().then(|| self.empty.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_label_cuts_the_wave_and_keeps_the_channel() {
        register_fonts();
        let label = row_label(&"Workload ".repeat(6), "viva engage", 228);
        assert!(label.ends_with("… · viva engage"), "{label}");
        assert!(text_width(&label, LABEL_SIZE) <= 228, "{label}");
        assert_eq!(row_label("W1", "meeting", 228), "W1 · meeting");
    }

    #[test]
    fn axis_ticks_are_whole_signed_points() {
        assert_eq!(whole_points(0.2), "+20 pts");
        assert_eq!(whole_points(-0.1), "\u{2212}10 pts");
        assert_eq!(whole_points(0.0), "0");
    }
}
