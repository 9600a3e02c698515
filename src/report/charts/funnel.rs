//! The funnel per wave (c): eligible, opened (reached, with touchpoints), trained,
//! enrolled.

use super::*;

// ---------------------------------------------------------------------------
// (c) The funnel per wave: eligible → opened → trained → enrolled.

struct FunnelWave {
    name: String,
    eligible: i64,
    /// (share of eligible, people) per stage.
    stages: [(f64, i64); 4],
}

pub(super) struct Funnel {
    waves: Vec<FunnelWave>,
    legend: Vec<LegendEntry>,
}

const STAGE_COLOURS: [RGBColor; 4] = [OI_GREY, OI_SKY, OI_GREEN, OI_BLUE];
const FUNNEL_BAR: u32 = 20;
const FUNNEL_GAP: u32 = 22;
const FUNNEL_LABEL_W: u32 = 220;

impl Funnel {
    pub(super) fn new(view: &View) -> Funnel {
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
                        share(eligible),
                        // With touchpoints the funnel starts from reach (any channel).
                        share(l.reached.or(l.openers).unwrap_or(0)),
                        share(l.trained.unwrap_or(0)),
                        share(l.enrolled.unwrap_or(0)),
                    ],
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
        let legend = ["eligible", heard, "trained", "enrolled"]
            .iter()
            .zip(STAGE_COLOURS)
            .map(|(label, c)| LegendEntry {
                label: (*label).to_string(),
                swatch: Swatch::Bar(c),
            })
            .collect();
        Funnel { waves, legend }
    }

    pub(super) fn title(&self) -> String {
        "From eligible to enrolled, per wave".to_string()
    }
}

impl Plot for Funnel {
    fn size(&self) -> (u32, u32) {
        let per_wave = 4 * FUNNEL_BAR + FUNNEL_GAP;
        (
            WIDTH,
            header_height(&self.legend) + 20 + self.waves.len() as u32 * per_wave + 60,
        )
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let body = draw_header(
            root,
            &self.title(),
            "Share of each wave's eligible people who opened a rollout email, trained and enrolled (people in brackets)",
            &self.legend,
        )?;
        let per_wave = (4 * FUNNEL_BAR + FUNNEL_GAP) as f64;
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
            for (k, &(share, people)) in w.stages.iter().enumerate() {
                let y1 = top - k as f64 * bar - 2.0;
                let y0 = y1 - bar + 4.0;
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(0.0, y0), (share.clamp(0.0, 1.0), y1)],
                    STAGE_COLOURS[k].filled(),
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
