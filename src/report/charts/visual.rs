//! Right-to-left text for the PNG rasteriser: a backend wrapper that hands every
//! label to plotters' bitmap backend in visual order.

use std::borrow::Cow;

use plotters::backend::DrawingBackend;
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind,
};

/// A backend that hands text to the one it wraps in visual order. plotters' bitmap
/// backend draws characters in memory order, so a right-to-left label (a Hebrew or
/// Arabic group name) would come out backwards in the PNG; the SVG needs no help,
/// as the browser applies the bidirectional algorithm itself.
pub struct VisualOrder<B>(pub B);

/// `text` in visual (left-to-right drawing) order, by the Unicode bidirectional
/// algorithm; unchanged when it holds no right-to-left character.
fn visual(text: &str) -> Cow<'_, str> {
    let info = unicode_bidi::BidiInfo::new(text, None);
    if !info.has_rtl() {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    for para in &info.paragraphs {
        out.push_str(&info.reorder_line(para, para.range.clone()));
    }
    Cow::Owned(out)
}

type BackendResult<B> = Result<(), DrawingErrorKind<<B as DrawingBackend>::ErrorType>>;

impl<B: DrawingBackend> DrawingBackend for VisualOrder<B> {
    type ErrorType = B::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.0.get_size()
    }
    fn ensure_prepared(&mut self) -> BackendResult<B> {
        self.0.ensure_prepared()
    }
    fn present(&mut self) -> BackendResult<B> {
        self.0.present()
    }
    fn draw_pixel(&mut self, point: BackendCoord, color: BackendColor) -> BackendResult<B> {
        self.0.draw_pixel(point, color)
    }
    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> BackendResult<B> {
        self.0.draw_line(from, to, style)
    }
    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> BackendResult<B> {
        self.0.draw_rect(upper_left, bottom_right, style, fill)
    }
    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> BackendResult<B> {
        self.0.draw_path(path, style)
    }
    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> BackendResult<B> {
        self.0.draw_circle(center, radius, style, fill)
    }
    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> BackendResult<B> {
        self.0.fill_polygon(vert, style)
    }
    fn draw_text<T: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &T,
        pos: BackendCoord,
    ) -> BackendResult<B> {
        self.0.draw_text(&visual(text), style, pos)
    }
    fn estimate_text_size<T: BackendTextStyle>(
        &self,
        text: &str,
        style: &T,
    ) -> Result<(u32, u32), DrawingErrorKind<Self::ErrorType>> {
        self.0.estimate_text_size(&visual(text), style)
    }
    fn blit_bitmap(&mut self, pos: BackendCoord, size: (u32, u32), src: &[u8]) -> BackendResult<B> {
        self.0.blit_bitmap(pos, size, src)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn right_to_left_labels_are_drawn_in_visual_order() {
        // Hebrew "shalom" (shin, lamed, vav, mem-final) is stored first letter first
        // and drawn right to left: the rasteriser must get it last letter first.
        assert_eq!(
            visual("\u{05E9}\u{05DC}\u{05D5}\u{05DD}"),
            "\u{05DD}\u{05D5}\u{05DC}\u{05E9}"
        );
        assert_eq!(visual("Finance"), "Finance");
        assert!(matches!(visual("Finance"), std::borrow::Cow::Borrowed(_)));
    }
}
