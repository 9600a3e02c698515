//! The funnel per wave (c): eligible, opened (reached, with touchpoints), trained,
//! enrolled, and where the data exists healthy, active and satisfied
//! (docs/metrics.md, "after_enrollment").

use super::*;

// ---------------------------------------------------------------------------
// (c) The funnel per wave: eligible → opened → trained → enrolled.

struct FunnelWave {
    name: String,
    eligible: i64,
    /// (share of eligible, people) per stage; `None` where a later stage has no
    /// figure for this wave (not measured, or not shown).
    stages: Vec<Option<(f64, i64)>>,
}

pub(super) struct Funnel {
    waves: Vec<FunnelWave>,
    legend: Vec<LegendEntry>,
    /// Bars per wave: the four steps to enrollment and the later ones that exist.
    bars: u32,
    /// The colour of each bar, in order.
    colours: Vec<RGBColor>,
}

const STAGE_COLOURS: [RGBColor; 7] = [
    OI_GREY,
    OI_SKY,
    OI_GREEN,
    OI_BLUE,
    OI_ORANGE,
    OI_VERMILLION,
    OI_PURPLE,
];
const STAGE_NAMES: [&str; 7] = [
    "eligible",
    "opened an email",
    "trained",
    "enrolled",
    "healthy device",
    "active",
    "satisfied",
];
const FUNNEL_BAR: u32 = 20;
const FUNNEL_GAP: u32 = 22;
const FUNNEL_LABEL_W: u32 = 220;

impl Funnel {
    pub(super) fn new(view: &View) -> Funnel {
        // The later steps of a wave's (or the overall) row, and which exist at all.
        let steps = |l: &super::super::view::GroupLine| {
            view.after.as_ref().and_then(|a| {
                a.steps
                    .iter()
                    .find(|s| s.workload == l.workload && s.wave == l.wave)
                    .map(|s| [s.healthy, s.active, s.satisfied])
            })
        };
        let mut later = [false; 3];
        for l in view
            .waves
            .iter()
            .map(|w| &w.line)
            .chain(view.overall.iter())
        {
            for (k, v) in steps(l).unwrap_or([None; 3]).iter().enumerate() {
                later[k] |= v.is_some();
            }
        }
        let mut waves: Vec<FunnelWave> = view
            .waves
            .iter()
            .map(|w| &w.line)
            .chain(view.overall.iter())
            .filter_map(|l| {
                let eligible = l.eligible.filter(|&e| e > 0)?;
                let share = |k: i64| (k as f64 / eligible as f64, k);
                Some(FunnelWave {
                    name: if l.wave == ALL {
                        "All waves".to_string()
                    } else {
                        clean_label(&l.wave)
                    },
                    eligible,
                    stages: [
                        Some(share(eligible)),
                        // With touchpoints the funnel starts from reach (any channel).
                        Some(share(l.reached.or(l.openers).unwrap_or(0))),
                        Some(share(l.trained.unwrap_or(0))),
                        Some(share(l.enrolled.unwrap_or(0))),
                    ]
                    .into_iter()
                    .chain(
                        steps(l)
                            .unwrap_or([None; 3])
                            .into_iter()
                            .zip(later)
                            .filter(|(_, exists)| *exists)
                            .map(|(v, _)| v.map(share)),
                    )
                    .collect(),
                })
            })
            .collect();
        // With a single wave the overall row repeats it.
        if waves.len() == 2 {
            waves.pop();
        }
        let heard = if view.waves.iter().any(|w| w.line.reached.is_some()) {
            "reached"
        } else {
            "opened an email"
        };
        let shown = |k: usize| k < 4 || later[k - 4];
        let legend: Vec<LegendEntry> = STAGE_NAMES
            .iter()
            .zip(STAGE_COLOURS)
            .enumerate()
            .filter(|(k, _)| shown(*k))
            .map(|(k, (label, c))| LegendEntry {
                label: if k == 1 { heard } else { label }.to_string(),
                swatch: Swatch::Bar(c),
            })
            .collect();
        let colours: Vec<RGBColor> = (0..STAGE_COLOURS.len())
            .filter(|&k| shown(k))
            .map(|k| STAGE_COLOURS[k])
            .collect();
        Funnel {
            bars: legend.len() as u32,
            waves,
            legend,
            colours,
        }
    }

    pub(super) fn title(&self) -> String {
        "From eligible to enrolled, per wave".to_string()
    }
}

impl Plot for Funnel {
    fn size(&self) -> (u32, u32) {
        let per_wave = self.bars * FUNNEL_BAR + FUNNEL_GAP;
        (
            WIDTH,
            header_height(&self.legend) + 20 + self.waves.len() as u32 * per_wave + 60,
        )
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let body = draw_header(
            root,
            &self.title(),
            if self.bars > 4 {
                "Share of each wave's eligible people at each step, enrollment and after (people in brackets)"
            } else {
                "Share of each wave's eligible people who opened a rollout email, trained and enrolled (people in brackets)"
            },
            &self.legend,
        )?;
        let per_wave = (self.bars * FUNNEL_BAR + FUNNEL_GAP) as f64;
        let total = self.waves.len() as f64 * per_wave;
        let mut chart = ChartBuilder::on(&body)
            .margin_top(20)
            .margin_left(20)
            .margin_right(40)
            .margin_bottom(10)
            .x_label_area_size(50)
            .y_label_area_size(FUNNEL_LABEL_W)
            .build_cartesian_2d(0f64..1.0, 0f64..total)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(0)
            .x_labels(11)
            .x_label_formatter(&percent_label)
            .x_desc("% of the wave's eligible people")
            .label_style(font(TICK_SIZE))
            .axis_desc_style(font(LABEL_SIZE))
            .light_line_style(TRANSPARENT)
            .bold_line_style(RULE)
            .draw()?;
        let bar = FUNNEL_BAR as f64;
        for (i, w) in self.waves.iter().enumerate() {
            // Top of this wave's block, in chart units (y grows upwards).
            let top = total - i as f64 * per_wave - FUNNEL_GAP as f64 / 2.0;
            let (left_x, py) = chart.backend_coord(&(0.0, top - 2.0 * bar));
            root.draw(&Text::new(
                fit(&w.name, LABEL_SIZE, FUNNEL_LABEL_W - 70),
                (left_x - 10, py - 9),
                text_style(LABEL_SIZE, &OI_BLACK).pos(Pos::new(HPos::Right, VPos::Center)),
            ))?;
            root.draw(&Text::new(
                format!("{} people", thousands(w.eligible)),
                (left_x - 10, py + 10),
                text_style(TICK_SIZE, &INK_SOFT).pos(Pos::new(HPos::Right, VPos::Center)),
            ))?;
            for (k, stage) in w.stages.iter().enumerate() {
                let Some((share, people)) = *stage else {
                    continue;
                };
                let y1 = top - k as f64 * bar - 2.0;
                let y0 = y1 - bar + 4.0;
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(0.0, y0), (share.clamp(0.0, 1.0), y1)],
                    self.colours[k].filled(),
                )))?;
                let label = format!("{} ({})", pct(Some(share)), thousands(people));
                let (bx, by) = chart.backend_coord(&(share.clamp(0.0, 1.0), (y0 + y1) / 2.0));
                let (plot_right, _) = chart.backend_coord(&(1.0, 0.0));
                let w_label = text_width(&label, TICK_SIZE) as i32;
                // Inside the bar's end when there is no room after it.
                let (x, colour, anchor) = if bx + 6 + w_label > plot_right + 30 {
                    (bx - 6, &WHITE, HPos::Right)
                } else {
                    (bx + 6, &OI_BLACK, HPos::Left)
                };
                root.draw(&Text::new(
                    label,
                    (x, by),
                    text_style(TICK_SIZE, colour).pos(Pos::new(anchor, VPos::Center)),
                ))?;
            }
        }
        Ok(())
    }
}

impl Framed for Funnel {
    fn why_empty(&self) -> Option<String> {
        self.waves
            .is_empty()
            .then(|| "No funnel to show: no wave has people to show.".to_string())
    }
}
