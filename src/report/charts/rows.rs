//! Rows of dots with interval whiskers: groups against target (b), lift (e).

use super::*;

// ---------------------------------------------------------------------------
// Rows of dots with interval whiskers: groups against target (b), lift (e).

struct Mark {
    value: f64,
    interval: Option<(f64, f64)>,
    colour: RGBColor,
    /// Vertical offset within the row, in rows (−0.5..0.5).
    offset: f64,
}

struct DotRow {
    label: String,
    marks: Vec<Mark>,
    target: Option<f64>,
    right: String,
    /// Starts a new block (a thin rule is drawn above it).
    block_start: bool,
}

pub(super) struct DotRows {
    pub(super) title: String,
    subtitle: String,
    x_desc: String,
    right_header: String,
    rows: Vec<DotRow>,
    legend: Vec<LegendEntry>,
    row_height: u32,
    empty: String,
}

const DOT_LABEL_W: u32 = 300;
const DOT_RIGHT_W: u32 = 110;

impl Plot for DotRows {
    fn size(&self) -> (u32, u32) {
        let n = self.rows.len().max(1) as u32;
        (
            WIDTH,
            header_height(&self.legend) + 30 + n * self.row_height + 60,
        )
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let body = draw_header(root, &self.title, &self.subtitle, &self.legend)?;
        let n = self.rows.len();
        let mut chart = ChartBuilder::on(&body)
            .margin_top(30)
            .margin_left(20)
            .margin_right(20 + DOT_RIGHT_W)
            .margin_bottom(10)
            .x_label_area_size(50)
            .y_label_area_size(DOT_LABEL_W)
            .build_cartesian_2d(0f64..1.0, -0.5f64..(n as f64 - 0.5))?;
        let y_of = |i: usize| (n - 1 - i) as f64;
        // Alternate bands first, under the grid and the marks.
        chart.draw_series((0..n).filter(|i| i % 2 == 0).map(|i| {
            Rectangle::new([(0.0, y_of(i) - 0.5), (1.0, y_of(i) + 0.5)], BAND.filled())
        }))?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(0)
            .x_labels(11)
            .x_label_formatter(&percent_label)
            .x_desc(self.x_desc.as_str())
            .label_style(font(TICK_SIZE))
            .axis_desc_style(font(LABEL_SIZE))
            .light_line_style(TRANSPARENT)
            .bold_line_style(RULE)
            .draw()?;
        let label_style =
            text_style(LABEL_SIZE, &OI_BLACK).pos(Pos::new(HPos::Right, VPos::Center));
        let right_style =
            text_style(LABEL_SIZE, &OI_BLACK).pos(Pos::new(HPos::Right, VPos::Center));
        let (_, top) = chart.backend_coord(&(0.0, n as f64 - 0.5));
        let (right_x, _) = chart.backend_coord(&(1.0, 0.0));
        root.draw(&Text::new(
            fit(&self.right_header, TICK_SIZE, DOT_RIGHT_W),
            (right_x + DOT_RIGHT_W as i32 + 10, top - 14),
            text_style(TICK_SIZE, &INK_SOFT).pos(Pos::new(HPos::Right, VPos::Center)),
        ))?;
        for (i, row) in self.rows.iter().enumerate() {
            let y = y_of(i);
            let (left_x, py) = chart.backend_coord(&(0.0, y));
            root.draw(&Text::new(
                fit(&row.label, LABEL_SIZE, DOT_LABEL_W - 16),
                (left_x - 8, py),
                label_style.clone(),
            ))?;
            root.draw(&Text::new(
                fit(&row.right, LABEL_SIZE, DOT_RIGHT_W - 8),
                (right_x + DOT_RIGHT_W as i32 + 10, py),
                right_style.clone(),
            ))?;
            if row.block_start && i > 0 {
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![(0.0, y + 0.5), (1.0, y + 0.5)],
                    INK_SOFT.stroke_width(1),
                )))?;
            }
            if let Some(t) = row.target {
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![(t, y - 0.38), (t, y + 0.38)],
                    OI_BLACK.stroke_width(3),
                )))?;
            }
            for m in &row.marks {
                let my = y + m.offset;
                if let Some((lo, hi)) = m.interval {
                    let style = m.colour.stroke_width(2);
                    chart.draw_series([
                        PathElement::new(vec![(lo, my), (hi, my)], style),
                        PathElement::new(vec![(lo, my - 0.15), (lo, my + 0.15)], style),
                        PathElement::new(vec![(hi, my - 0.15), (hi, my + 0.15)], style),
                    ])?;
                }
                chart.draw_series(std::iter::once(Circle::new(
                    (m.value, my),
                    5,
                    m.colour.filled(),
                )))?;
            }
        }
        Ok(())
    }
}

impl Framed for DotRows {
    fn why_empty(&self) -> Option<String> {
        self.rows.is_empty().then(|| self.empty.clone())
    }
}

/// (b) Every shown group's enrollment rate against its target, most behind first.
pub(super) fn group_gaps(view: &View) -> DotRows {
    let mut groups: Vec<_> = view
        .groups
        .iter()
        .filter(|g| g.shown && g.rate.is_some() && g.gap.is_some())
        .collect();
    let wave_ix = |w: &str| view.waves.iter().position(|x| x.line.wave == w);
    groups.sort_by(|a, b| {
        let (ga, gb) = (a.gap.unwrap_or(0.0), b.gap.unwrap_or(0.0));
        ga.total_cmp(&gb)
            .then_with(|| wave_ix(&a.wave).cmp(&wave_ix(&b.wave)))
            .then_with(|| a.group.cmp(&b.group))
    });
    let one_wave = view.waves.len() <= 1;
    let rows = groups
        .iter()
        .map(|g| DotRow {
            label: if one_wave {
                clean_label(&g.group)
            } else {
                format!("{} · {}", clean_label(&g.wave), clean_label(&g.group))
            },
            marks: vec![Mark {
                value: g.rate.unwrap_or(0.0),
                interval: g.rate_low.zip(g.rate_high),
                colour: status_colour(g.status),
                offset: 0.0,
            }],
            target: g.target,
            right: g.gap_text.clone(),
            block_start: false,
        })
        .collect();
    let legend = vec![
        LegendEntry {
            label: "on track".into(),
            swatch: Swatch::Dot(OI_GREEN),
        },
        LegendEntry {
            label: format!("at risk (up to {} pts under)", view.at_risk_margin_text),
            swatch: Swatch::Dot(OI_ORANGE),
        },
        LegendEntry {
            label: "behind".into(),
            swatch: Swatch::Dot(OI_VERMILLION),
        },
        LegendEntry {
            label: "not started".into(),
            swatch: Swatch::Dot(OI_GREY),
        },
        LegendEntry {
            label: "target today".into(),
            swatch: Swatch::Tick(OI_BLACK),
        },
        LegendEntry {
            label: "95 % interval".into(),
            swatch: Swatch::Whisker(INK_SOFT),
        },
    ];
    DotRows {
        title: "Groups against today's target, most behind first".into(),
        subtitle: format!(
            "Enrolled share of eligible people on {}; groups under {} people are folded, not shown alone",
            view.as_of, view.min_group_size
        ),
        x_desc: "Enrolled (% of eligible)".into(),
        right_header: "gap to target".into(),
        rows,
        legend,
        row_height: 24,
        empty: "No group to show: every wave is too small to show, or none has people.".into(),
    }
}

/// (f) One cut's values against today's target: a block per wave, most behind first
/// within it — small multiples of the same scale, so waves compare at a glance.
pub(super) fn cut_gaps(view: &View, section: &CutSection) -> DotRows {
    let several = view.several_workloads;
    let rows = section
        .waves
        .iter()
        .flat_map(|w| {
            w.values.iter().enumerate().map(move |(i, g)| {
                let wave = if several {
                    format!("{} · {}", clean_label(&w.workload), clean_label(&w.wave))
                } else {
                    clean_label(&w.wave)
                };
                DotRow {
                    label: format!("{wave} · {}", clean_label(&g.group)),
                    marks: vec![Mark {
                        value: g.rate.unwrap_or(0.0),
                        interval: g.rate_low.zip(g.rate_high),
                        colour: status_colour(g.status),
                        offset: 0.0,
                    }],
                    target: g.target,
                    right: g.gap_text.clone(),
                    block_start: i == 0,
                }
            })
        })
        .collect();
    let mut gaps = group_gaps(view);
    DotRows {
        title: format!("By {}: each wave's values against today's target", clean_label(&section.cut)),
        subtitle: format!(
            "Enrolled share of eligible people on {}, wave by wave, most behind first; values under {} people are folded",
            view.as_of, view.min_group_size
        ),
        rows,
        legend: std::mem::take(&mut gaps.legend),
        empty: format!(
            "No value of {} to show: every wave is too small to show.",
            clean_label(&section.cut)
        ),
        ..gaps
    }
}

/// (e) Enrollment with and without each factor (opened an email, trained).
pub(super) fn lift(view: &View) -> DotRows {
    let mut rows = Vec::new();
    let mut last_wave: Option<&str> = None;
    for l in &view.lift {
        let (Some(rw), Some(ro)) = (l.rate_with, l.rate_without) else {
            continue;
        };
        let wave = if l.wave == ALL {
            "All waves".to_string()
        } else {
            clean_label(&l.wave)
        };
        rows.push(DotRow {
            label: format!("{wave} · {}", l.factor_label),
            marks: vec![
                Mark {
                    value: rw,
                    interval: l.with_interval,
                    colour: OI_BLUE,
                    offset: 0.17,
                },
                Mark {
                    value: ro,
                    interval: l.without_interval,
                    colour: OI_ORANGE,
                    offset: -0.17,
                },
            ],
            target: None,
            right: l.difference_text.clone(),
            block_start: last_wave.is_some_and(|w| w != l.wave),
        });
        last_wave = Some(&l.wave);
    }
    let legend = vec![
        LegendEntry {
            label: "with the factor".into(),
            swatch: Swatch::Dot(OI_BLUE),
        },
        LegendEntry {
            label: "without it".into(),
            swatch: Swatch::Dot(OI_ORANGE),
        },
        LegendEntry {
            label: "95 % interval".into(),
            swatch: Swatch::Whisker(INK_SOFT),
        },
    ];
    DotRows {
        title: "Enrollment with and without email opens and training".into(),
        subtitle:
            "Observational: people who open or train may differ in other ways; not proof of cause"
                .into(),
        x_desc: "Enrolled (% of the people with / without)".into(),
        right_header: "difference".into(),
        rows,
        legend,
        row_height: 34,
        empty: "No lift to show: no wave has people both with and without a factor.".into(),
    }
}
