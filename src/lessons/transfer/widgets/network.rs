//! One arm's network as a row of layers: a padlock on each frozen layer, its learning-rate
//! multiplier, its parameter count, and the arm's frozen and trained totals.

use kindling_engine::lessons::transfer::config::LayerPlan;
use yew::prelude::*;

use crate::format::group;
use crate::i18n::{Lang, t, tf};

fn layer(lang: Lang, plan: &LayerPlan) -> Html {
    let state = match (plan.frozen, plan.unfrozen_at) {
        (true, Some(step)) => tf(
            lang,
            "transfer.layer.unfrozen_at",
            &[("step", &step.to_string())],
        ),
        (true, None) => t(lang, "transfer.layer.frozen"),
        (false, _) => tf(
            lang,
            "transfer.layer.lr",
            &[("m", &plan.lr_multiplier.to_string())],
        ),
    };
    let origin = t(
        lang,
        if plan.fresh {
            "transfer.layer.fresh"
        } else {
            "transfer.layer.reused"
        },
    );
    html! {
        <li class={classes!("layer", plan.frozen.then_some("frozen"), plan.fresh.then_some("fresh"))}
            data-frozen={plan.frozen.to_string()}>
            <span class="layer-name">
                if plan.frozen { <span class="padlock" role="img" aria-label={t(lang, "transfer.layer.padlock")}>{"🔒"}</span> }
                {plan.layer.clone()}
            </span>
            <span class="layer-state">{state}</span>
            <span class="layer-params">{tf(lang, "transfer.layer.params", &[("n", &group(plan.parameters))])}</span>
            <span class="layer-origin muted">{origin}</span>
        </li>
    }
}

/// `id` names the element; `name` is the arm's name in the reader's language.
pub fn network(lang: Lang, id: String, name: String, plans: &[LayerPlan]) -> Html {
    let trained: u64 = plans
        .iter()
        .filter(|l| !l.frozen || l.unfrozen_at.is_some())
        .map(|l| l.parameters)
        .sum();
    let total: u64 = plans.iter().map(|l| l.parameters).sum();
    html! {
        <figure class="arm-network" {id}>
            <figcaption>
                <strong>{name}</strong>{" "}
                <span class="muted">{tf(lang, "transfer.network.counts", &[("trained", &group(trained)), ("frozen", &group(total - trained))])}</span>
            </figcaption>
            <ol class="layers">{ for plans.iter().map(|p| layer(lang, p)) }</ol>
        </figure>
    }
}
