//! The shapes at every layer of this project's detectors (level one's class-and-box head, level
//! two's CenterNet-style head) and of the source article's head, put on the same backbone and
//! canvas so the page can show them. Plain data (no burn); `tests/detect_training.rs` and
//! `tests/detect_centres.rs` check the detectors' real outputs against these.

use super::config::HeadKind;
use super::data::CANVAS;
use crate::models::resnet::ResnetSettings;

/// One dimension of a shape after the batch: a size, or a symbol where the article does not
/// fix one (its convolution's channel count).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dim {
    Size(usize),
    Symbol(&'static str),
}

/// One layer: its name (an i18n key's last part) and the shape it outputs, batch left out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layer {
    pub name: &'static str,
    pub shape: Vec<Dim>,
}

/// The digit classes the detector names.
pub const CLASSES: usize = 10;
/// The article's hidden dense layer and its output layer.
pub const ARTICLE_DENSE: usize = 1024;
pub const ARTICLE_OUTPUTS: usize = 2;
/// What one digit needs: a score per class and a box of four numbers.
pub const NEEDED_OUTPUTS: usize = CLASSES + 4;

fn layer(name: &'static str, shape: &[Dim]) -> Layer {
    Layer {
        name,
        shape: shape.to_vec(),
    }
}

/// The input and the backbone's output maps, which both designs share.
fn trunk(backbone: &ResnetSettings) -> (Vec<Layer>, usize, usize) {
    let (channels, side) = (backbone.feature_channels(), backbone.feature_side(CANVAS));
    let s = Dim::Size;
    let layers = vec![
        layer("input", &[s(1), s(CANVAS), s(CANVAS)]),
        layer("backbone", &[s(channels), s(side), s(side)]),
    ];
    (layers, channels, side)
}

/// This project's detector with `head` and `hidden` channels on `backbone`.
pub fn detector(backbone: &ResnetSettings, head: HeadKind, hidden: usize) -> Vec<Layer> {
    let (mut layers, _, side) = trunk(backbone);
    let s = Dim::Size;
    layers.push(layer("mix", &[s(hidden), s(side), s(side)]));
    match head {
        HeadKind::Spatial => layers.extend([
            layer("heat", &[s(side * side)]),
            layer("centre", &[s(2)]),
            layer("attended", &[s(hidden)]),
            layer("classes", &[s(CLASSES)]),
            layer("size", &[s(2)]),
            layer("box", &[s(4)]),
        ]),
        HeadKind::Pooled => layers.extend([
            layer("pooled", &[s(hidden)]),
            layer("classes", &[s(CLASSES)]),
            layer("box", &[s(4)]),
        ]),
    }
    layers
}

/// Level two's multi-digit detector with `hidden` channels on `backbone`: per cell a heat logit
/// for each class and the box's size and offset (the order of `CentreDetector::stages`).
pub fn centre_detector(backbone: &ResnetSettings, hidden: usize) -> Vec<Layer> {
    let (mut layers, _, side) = trunk(backbone);
    let s = Dim::Size;
    layers.extend([
        layer("centre_mix", &[s(hidden), s(side), s(side)]),
        layer("centre_mix2", &[s(hidden), s(side), s(side)]),
        layer("centre_heat", &[s(CLASSES), s(side), s(side)]),
        layer(
            "centre_regression",
            &[s(super::centres::REGRESSION), s(side), s(side)],
        ),
    ]);
    layers
}

/// The article's head (a convolution, a 2 × 2 max-pool, a 1,024-unit dense layer, one 2-unit
/// sigmoid layer) on `backbone`.
pub fn article(backbone: &ResnetSettings) -> Vec<Layer> {
    let (mut layers, _, side) = trunk(backbone);
    let (s, c) = (Dim::Size, Dim::Symbol("C"));
    let pooled = side / 2;
    layers.extend([
        layer("article_conv", &[c, s(side), s(side)]),
        layer("article_pool", &[c, s(pooled), s(pooled)]),
        layer("article_dense", &[s(ARTICLE_DENSE)]),
        layer("article_output", &[s(ARTICLE_OUTPUTS)]),
    ]);
    layers
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_backbone_gives_16_by_16_maps_and_the_heads_their_outputs() {
        let backbone = ResnetSettings::default();
        let spatial = detector(&backbone, HeadKind::Spatial, 8);
        let shape = |layers: &[Layer], name: &str| {
            layers
                .iter()
                .find(|l| l.name == name)
                .map(|l| l.shape.clone())
                .unwrap()
        };
        let s = Dim::Size;
        assert_eq!(shape(&spatial, "backbone"), [s(64), s(16), s(16)]);
        assert_eq!(shape(&spatial, "heat"), [s(256)]);
        assert_eq!(shape(&spatial, "box"), [s(4)]);
        let pooled = detector(&backbone, HeadKind::Pooled, 8);
        assert_eq!(shape(&pooled, "classes"), [s(10)]);
        let article = article(&backbone);
        assert_eq!(
            shape(&article, "article_pool"),
            [Dim::Symbol("C"), s(8), s(8)]
        );
        assert_eq!(shape(&article, "article_output"), [s(2)]);
    }
}
