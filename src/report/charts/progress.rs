//! Line charts by week of wave: enrollment against target (a), help-desk load
//! with the top ticket categories (d).

use super::*;

// ---------------------------------------------------------------------------
// (a) Each wave's enrollment against its target curve, by week of its own rollout.

struct WaveSeries {
    name: String,
    style: WaveStyle,
    /// (week of wave, enrolled share, target share)
    points: Vec<(i32, f64, f64)>,
}

pub(super) struct WaveProgress {
    series: Vec<WaveSeries>,
    legend: Vec<LegendEntry>,
    max_week: i32,
}

impl WaveProgress {
    pub(super) fn new(view: &View) -> WaveProgress {
        let series: Vec<WaveSeries> = view
            .waves
            .iter()
            .enumerate()
            .map(|(i, w)| WaveSeries {
                name: w.line.wave.clone(),
                style: wave_style(i),
                points: view
                    .weeks
                    .iter()
                    .filter(|p| p.wave == w.line.wave)
                    .filter_map(|p| Some((p.week_of_wave as i32, p.rate?, p.target?)))
                    .collect(),
            })
            .filter(|s| !s.points.is_empty())
            .collect();
        let mut legend: Vec<LegendEntry> = series
            .iter()
            .map(|s| LegendEntry {
                label: s.name.clone(),
                swatch: Swatch::Marked(s.style),
            })
            .collect();
        legend.push(LegendEntry {
            label: "target (dashed, in the wave's colour)".to_string(),
            swatch: Swatch::Dashed(INK_SOFT),
        });
        let max_week = series
            .iter()
            .flat_map(|s| s.points.iter().map(|p| p.0))
            .max()
            .unwrap_or(0);
        WaveProgress {
            series,
            legend,
            max_week,
        }
    }

    pub(super) fn title(&self) -> String {
        "Enrollment by week of each wave, against target".to_string()
    }
}

impl Plot for WaveProgress {
    fn size(&self) -> (u32, u32) {
        (WIDTH, header_height(&self.legend) + 440)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let body = draw_header(
            root,
            &self.title(),
            "Share of eligible people enrolled at the end of each week; week 0 is the wave's start week",
            &self.legend,
        )?;
        let mut chart = share_over_time(
            &body,
            0i32..self.max_week.max(1),
            "Weeks since the wave's start",
            "Enrolled (% of eligible)",
            (self.max_week.max(1) as usize + 1).min(20),
        )?;
        for s in &self.series {
            chart.draw_series(DashedLineSeries::new(
                s.points.iter().map(|p| (p.0, p.2)),
                8,
                5,
                s.style.colour.stroke_width(2),
            ))?;
            chart.draw_series(LineSeries::new(
                s.points.iter().map(|p| (p.0, p.1)),
                s.style.colour.stroke_width(3),
            ))?;
            chart.draw_series(s.points.iter().map(|p| mark_at((p.0, p.1), s.style, 4)))?;
        }
        Ok(())
    }
}

impl Framed for WaveProgress {
    fn why_empty(&self) -> Option<String> {
        self.series
            .is_empty()
            .then(|| "No wave has weekly progress to show yet (none has started, or every wave is too small to show).".to_string())
    }
}

// ---------------------------------------------------------------------------
// (d) Help-desk load by week of wave, and the top categories.

/// A wave's line: name, colour and mark, (week of wave, value).
type WeekSeries = (String, WaveStyle, Vec<(i32, f64)>);

pub(super) struct HelpDesk {
    /// Per wave: name, colour, (week, tickets per 100 enrolled).
    series: Vec<WeekSeries>,
    /// (category, share, tickets), overall, largest first.
    categories: Vec<(String, f64, i64)>,
    legend: Vec<LegendEntry>,
    max_week: i32,
    max_rate: f64,
    any_tickets: bool,
}

const TOP_CATEGORIES: usize = 8;

impl HelpDesk {
    pub(super) fn new(view: &View) -> HelpDesk {
        let series: Vec<WeekSeries> = view
            .waves
            .iter()
            .enumerate()
            .map(|(i, w)| {
                let points = view
                    .weeks
                    .iter()
                    .filter(|p| p.wave == w.line.wave)
                    .filter_map(|p| Some((p.week_of_wave as i32, p.tickets_per_100()?)))
                    .collect();
                (clean_label(&w.line.wave), wave_style(i), points)
            })
            .filter(|s: &WeekSeries| !s.2.is_empty())
            .collect();
        let any_tickets = view.weeks.iter().any(|p| p.tickets > 0)
            || view.categories.iter().any(|c| c.tickets > 0);
        let mut categories: Vec<(String, f64, i64)> = view
            .categories
            .iter()
            .filter(|c| c.wave == ALL)
            .map(|c| (clean_label(&c.category), c.share.unwrap_or(0.0), c.tickets))
            .collect();
        categories.truncate(TOP_CATEGORIES);
        let legend = series
            .iter()
            .map(|s| LegendEntry {
                label: s.0.clone(),
                swatch: Swatch::Marked(s.1),
            })
            .collect();
        let max_week = series
            .iter()
            .flat_map(|s| s.2.iter().map(|p| p.0))
            .max()
            .unwrap_or(0);
        let max_rate = series
            .iter()
            .flat_map(|s| s.2.iter().map(|p| p.1))
            .fold(0.0, f64::max);
        HelpDesk {
            series,
            categories,
            legend,
            max_week,
            max_rate,
            any_tickets,
        }
    }

    pub(super) fn title(&self) -> String {
        "Help-desk load by week of each wave, and what the tickets were about".to_string()
    }
}

impl Plot for HelpDesk {
    fn size(&self) -> (u32, u32) {
        (WIDTH, header_height(&self.legend) + 400)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let body = draw_header(
            root,
            &self.title(),
            "Left: tickets opened in the week per 100 people enrolled by its end. Right: share of all tickets",
            &self.legend,
        )?;
        let (left, right) = body.split_horizontally(560);
        let y_max = (self.max_rate * 1.15).max(1.0);
        let mut chart = ChartBuilder::on(&left)
            .margin_left(20)
            .margin_right(20)
            .margin_bottom(10)
            .margin_top(10)
            .x_label_area_size(50)
            .y_label_area_size(70)
            .build_cartesian_2d(0i32..self.max_week.max(1), 0f64..y_max)?;
        chart
            .configure_mesh()
            .x_desc("Weeks since the wave's start")
            .y_desc("Tickets per 100 enrolled")
            .x_labels((self.max_week.max(1) as usize + 1).min(20))
            .y_labels(8)
            .y_label_formatter(&|v| format!("{v:.0}"))
            .label_style(font(TICK_SIZE))
            .axis_desc_style(font(LABEL_SIZE))
            .light_line_style(TRANSPARENT)
            .bold_line_style(RULE)
            .draw()?;
        for (_, style, points) in &self.series {
            chart.draw_series(LineSeries::new(
                points.iter().copied(),
                style.colour.stroke_width(3),
            ))?;
            chart.draw_series(points.iter().map(|&p| mark_at(p, *style, 4)))?;
        }

        // Top categories as labelled bars, drawn in pixels.
        let (w, _) = right.dim_in_pixel();
        let (ox, oy) = right.get_base_pixel();
        root.draw(&Text::new(
            "Top categories, all waves",
            (ox + 10, oy + 16),
            text_style(LABEL_SIZE, &OI_BLACK).pos(Pos::new(HPos::Left, VPos::Center)),
        ))?;
        if self.categories.is_empty() {
            root.draw(&Text::new(
                "No ticket categories.",
                (ox + 10, oy + 48),
                text_style(TICK_SIZE, &INK_SOFT).pos(Pos::new(HPos::Left, VPos::Center)),
            ))?;
        }
        let label_w = 130u32;
        let bar_max = w.saturating_sub(label_w + 120) as f64;
        for (i, (name, share, tickets)) in self.categories.iter().enumerate() {
            let y = oy + 52 + i as i32 * 34;
            let x0 = ox + 10 + label_w as i32;
            root.draw(&Text::new(
                fit(name, TICK_SIZE, label_w - 10),
                (x0 - 8, y),
                text_style(TICK_SIZE, &OI_BLACK).pos(Pos::new(HPos::Right, VPos::Center)),
            ))?;
            let len = (share.clamp(0.0, 1.0) * bar_max).round() as i32;
            root.draw(&Rectangle::new(
                [(x0, y - 9), (x0 + len.max(1), y + 9)],
                OI_SKY.filled(),
            ))?;
            root.draw(&Text::new(
                format!("{} ({})", pct(Some(*share)), thousands(*tickets)),
                (x0 + len + 6, y),
                text_style(TICK_SIZE, &OI_BLACK).pos(Pos::new(HPos::Left, VPos::Center)),
            ))?;
        }
        Ok(())
    }
}

impl Framed for HelpDesk {
    fn why_empty(&self) -> Option<String> {
        (!self.any_tickets).then(|| "No help-desk tickets up to the as-of day.".to_string())
    }
}
