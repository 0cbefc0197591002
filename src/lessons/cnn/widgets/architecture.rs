//! The network as the article's five stages (input, convolution, pooling, fully connected,
//! softmax): one box per layer with its output shape and parameter count, computed on the page
//! from the settings being edited.

use kindling_engine::lessons::cnn::CnnSettings;
use kindling_engine::lessons::cnn::config::{IMAGE_SIDE, LayerKind, LayerShape};
use yew::prelude::*;

use crate::format::{group, shape};
use crate::i18n::{Lang, t, tf};
use crate::lessons::cnn::text::stage_name;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub lang: Lang,
    /// The settings being edited.
    pub draft: CnnSettings,
    /// The settings of the current run, drawn when the draft cannot be.
    pub applied: CnnSettings,
}

fn stage_class(kind: LayerKind) -> &'static str {
    match kind {
        LayerKind::Conv => "conv",
        LayerKind::MaxPool | LayerKind::AvgPool => "pool",
        LayerKind::Dense => "dense",
        LayerKind::Output => "output",
    }
}

/// What the layer does, in a few words: "8 filters 5 × 5, stride 1, padding 2".
fn detail(lang: Lang, settings: &CnnSettings, layer: &LayerShape) -> String {
    let block = layer.block.and_then(|b| settings.blocks.get(b));
    match (layer.kind, block) {
        (LayerKind::Conv, Some(b)) => tf(
            lang,
            "cnn.arch.conv_detail",
            &[
                ("filters", &b.filters.to_string()),
                ("kernel", &b.kernel.to_string()),
                ("stride", &b.stride.to_string()),
                ("padding", &b.padding.to_string()),
                (
                    "act",
                    &t(lang, &format!("act.{}", settings.activation.name())),
                ),
            ],
        ),
        (LayerKind::MaxPool, Some(b)) => tf(
            lang,
            "cnn.arch.max_detail",
            &[("size", &b.pool_size.to_string())],
        ),
        (LayerKind::AvgPool, Some(b)) => tf(
            lang,
            "cnn.arch.avg_detail",
            &[("size", &b.pool_size.to_string())],
        ),
        (LayerKind::Dense, _) => tf(
            lang,
            "cnn.arch.dense_detail",
            &[(
                "act",
                &t(lang, &format!("act.{}", settings.activation.name())),
            )],
        ),
        (LayerKind::Output, _) => t(lang, "cnn.arch.output_detail"),
        _ => String::new(),
    }
}

fn layer_box(lang: Lang, settings: &CnnSettings, layer: &LayerShape) -> Html {
    let stage = stage_class(layer.kind);
    html! {
        <li class={classes!("arch-layer", stage)} data-layer={layer.name.clone()}>
            <span class="arch-stage">{stage_name(lang, layer.kind)}</span>
            <span class="arch-name">{layer.name.clone()}</span>
            <span class="arch-shape">{shape(&layer.shape)}</span>
            <span class="arch-detail">{detail(lang, settings, layer)}</span>
            <span class="arch-params">{tf(lang, "cnn.arch.params", &[("count", &group(layer.parameters))])}</span>
        </li>
    }
}

#[component]
pub fn CnnArchitecture(props: &Props) -> Html {
    let lang = props.lang;
    let drawn = props.draft.layer_shapes(IMAGE_SIDE, IMAGE_SIDE);
    let (settings, layers, stale) = match drawn {
        Ok(layers) => (&props.draft, layers, false),
        Err(_) => (
            &props.applied,
            props
                .applied
                .layer_shapes(IMAGE_SIDE, IMAGE_SIDE)
                .unwrap_or_default(),
            true,
        ),
    };
    let total: u64 = layers.iter().map(|l| l.parameters).sum();
    let edited = props.draft != props.applied;
    html! {
        <figure id="cnn-architecture" class={classes!("architecture", stale.then_some("stale"))}>
            <ol class="arch-flow" tabindex="0" aria-label={t(lang, "cnn.arch.aria")}>
                <li class="arch-layer input" data-layer="input">
                    <span class="arch-stage">{t(lang, "cnn.stage.input")}</span>
                    <span class="arch-name">{"input"}</span>
                    <span class="arch-shape">{shape(&[1, IMAGE_SIDE, IMAGE_SIDE])}</span>
                    <span class="arch-detail">{t(lang, "cnn.arch.input_detail")}</span>
                    <span class="arch-params">{tf(lang, "cnn.arch.params", &[("count", "0")])}</span>
                </li>
                { for layers.iter().map(|layer| layer_box(lang, settings, layer)) }
            </ol>
            <figcaption>
                <strong id="cnn-total-params">{tf(lang, "cnn.arch.total", &[("count", &group(total))])}</strong>
                if stale {
                    <span class="muted">{" "}{t(lang, "cnn.arch.stale")}</span>
                } else if edited {
                    <span class="muted">{" "}{t(lang, "cnn.arch.edited")}</span>
                }
            </figcaption>
        </figure>
    }
}
