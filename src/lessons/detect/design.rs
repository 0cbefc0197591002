//! The article's design and this one side by side, with the shape each layer outputs, and what
//! the article's head does and why it cannot work. The shapes come from the engine
//! (`lessons::detect::shapes`), for the loaded backbone; "this one" is the head of the level
//! shown (level one's class-and-box head, or level two's CenterNet-style head).

use kindling_engine::lessons::detect::config::HeadKind;
use kindling_engine::lessons::detect::data::{CANVAS, Level};
use kindling_engine::lessons::detect::shapes::{
    self, ARTICLE_DENSE, ARTICLE_OUTPUTS, CLASSES, Layer, NEEDED_OUTPUTS,
};
use kindling_engine::models::resnet::ResnetSettings;
use yew::prelude::*;

use crate::i18n::{Lang, t, tf};
use crate::lessons::detect::text::shape;

fn column(lang: Lang, id: &'static str, title: String, layers: &[Layer]) -> Html {
    html! {
        <div class="design-column" {id}>
            <h3>{title}</h3>
            <ol class="layer-list">
                { for layers.iter().map(|layer| html! {
                    <li class={classes!("layer", layer.name)}>
                        <span class="layer-name">{t(lang, &format!("detect.layer.{}", layer.name))}</span>
                        <code class="layer-shape">{shape(layer)}</code>
                    </li>
                }) }
            </ol>
        </div>
    }
}

/// The right-hand column at `level`: its title's key, its layers, and the key of the paragraph
/// saying what it does instead of the article's head.
fn ours(
    backbone: &ResnetSettings,
    level: Level,
    head: HeadKind,
    hidden: usize,
) -> (String, Vec<Layer>, &'static str) {
    match level {
        Level::One => (
            format!("detect.design.ours.{}", head.name()),
            shapes::detector(backbone, head, hidden),
            "detect.design.right",
        ),
        Level::Many => (
            "detect.design.ours.many".to_string(),
            shapes::centre_detector(backbone, hidden),
            "detect.design.right_many",
        ),
    }
}

pub fn design(
    lang: Lang,
    backbone: &ResnetSettings,
    level: Level,
    head: HeadKind,
    hidden: usize,
) -> Html {
    let side = backbone.feature_side(CANVAS);
    let numbers = [
        ("dense", ARTICLE_DENSE.to_string()),
        ("outputs", ARTICLE_OUTPUTS.to_string()),
        ("needed", NEEDED_OUTPUTS.to_string()),
        ("classes", CLASSES.to_string()),
        ("side", side.to_string()),
        ("positions", (side * side).to_string()),
        ("canvas", CANVAS.to_string()),
    ];
    let args: Vec<(&str, &str)> = numbers.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let why = ["head", "outputs", "loss", "retinanet"];
    let (ours_title, ours_layers, right) = ours(backbone, level, head, hidden);
    html! {
        <section class="card detect-design" aria-labelledby="detect-design-title">
            <h2 id="detect-design-title">{t(lang, "detect.design.title")}</h2>
            <p>{tf(lang, "detect.design.lead", &args)}</p>
            <div class="design-columns">
                { column(lang, "detect-design-article", t(lang, "detect.design.article"), &shapes::article(backbone)) }
                { column(lang, "detect-design-ours", t(lang, &ours_title), &ours_layers) }
            </div>
            <h3>{t(lang, "detect.design.why_title")}</h3>
            <ul class="design-why" id="detect-design-why">
                { for why.iter().map(|key| html! { <li>{tf(lang, &format!("detect.design.why.{key}"), &args)}</li> }) }
            </ul>
            <h3>{t(lang, "detect.design.right_title")}</h3>
            <p id="detect-design-right">{tf(lang, right, &args)}</p>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_design_is_the_head_of_the_level_shown() {
        let backbone = ResnetSettings::default();
        let (title, layers, right) = ours(&backbone, Level::One, HeadKind::Spatial, 24);
        assert_eq!(
            (title.as_str(), right),
            ("detect.design.ours.spatial", "detect.design.right")
        );
        assert_eq!(layers, shapes::detector(&backbone, HeadKind::Spatial, 24));
        assert!(layers.iter().any(|l| l.name == "classes"));

        // Level two: the CenterNet-style head, whatever level one's head setting says.
        let (title, layers, right) = ours(&backbone, Level::Many, HeadKind::Pooled, 24);
        assert_eq!(
            (title.as_str(), right),
            ("detect.design.ours.many", "detect.design.right_many")
        );
        assert_eq!(layers, shapes::centre_detector(&backbone, 24));
        let last = layers.last().expect("layers");
        assert_eq!(last.name, "centre_regression");
        assert!(
            !layers
                .iter()
                .any(|l| l.name == "classes" || l.name == "pooled")
        );
    }
}
