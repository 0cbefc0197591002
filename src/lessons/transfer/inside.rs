//! Inside the network, before and after fine-tuning everything: the first layer's filters and
//! the backbone's features of test images projected onto their two principal axes.

use std::rc::Rc;

use kindling_engine::lessons::transfer::config::FeatureMap2d;
use yew::prelude::*;

use crate::format::percent;
use crate::i18n::{Lang, t, tf};
use crate::lessons::transfer::state::Inside;
use crate::lessons::transfer::widgets::scatter::scatter;
use crate::widgets::filter_grid::{FilterGrid, FilterWords};

fn words(lang: Lang) -> FilterWords {
    FilterWords {
        empty: t(lang, "transfer.inside.wait"),
        one: t(lang, "transfer.inside.filter"),
        negative: t(lang, "transfer.inside.negative"),
        positive: t(lang, "transfer.inside.positive"),
        scale: t(lang, "transfer.inside.scale"),
    }
}

fn map(lang: Lang, id: &'static str, key: &str, map: &FeatureMap2d) -> Html {
    html! {
        <figure class="transfer-map">
            { scatter(id, t(lang, key), &map.points, &map.labels) }
            <figcaption>{t(lang, key)}{" · "}{tf(lang, "transfer.inside.explained", &[("share", &percent(map.explained as f64))])}</figcaption>
        </figure>
    }
}

/// `names`: the classes' names, in the order of the points' labels.
pub fn inside(lang: Lang, inside: Option<&Inside>, names: Vec<String>) -> Html {
    let Some(inside) = inside else {
        return html! {};
    };
    let filters = |id: &'static str, key: &str, kernels: &Vec<Vec<f32>>| {
        html! {
            <div>
                <h3>{t(lang, key)}</h3>
                <FilterGrid id={id} filters={Rc::new(kernels.clone())} words={words(lang)} />
            </div>
        }
    };
    html! {
        <section class="card" aria-labelledby="transfer-inside-title" id="transfer-inside">
            <h2 id="transfer-inside-title">{t(lang, "transfer.inside.title")}</h2>
            <p>{t(lang, "transfer.inside.lead")}</p>
            <div class="transfer-pair">
                { filters("transfer-filters-before", "transfer.inside.filters_before", &inside.filters_before.kernels) }
                { filters("transfer-filters-after", "transfer.inside.filters_after", &inside.filters_after.kernels) }
            </div>
            <p>{t(lang, "transfer.inside.pca_lead")}</p>
            <div class="transfer-pair">
                { map(lang, "transfer-pca-before", "transfer.inside.pca_before", &inside.before) }
                { map(lang, "transfer-pca-after", "transfer.inside.pca_after", &inside.after) }
            </div>
            <p class="chart-legend">
                { for names.into_iter().enumerate().map(|(i, name)| html! {
                    <span class="legend-item"><span class={classes!("dot", format!("class-{i}"))} aria-hidden="true" />{name}</span>
                }) }
            </p>
        </section>
    }
}
