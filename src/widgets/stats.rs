//! Numbers in a row of labelled boxes. Each value sits alone in its element, its label beside it.

use yew::prelude::*;

/// One number: its element's id, its label and its value, already worded.
#[derive(Clone, Debug, PartialEq)]
pub struct Stat {
    pub id: &'static str,
    pub label: String,
    pub value: String,
}

#[derive(Properties, PartialEq)]
pub struct Props {
    pub items: Vec<Stat>,
}

#[component]
pub fn StatList(props: &Props) -> Html {
    html! {
        <dl class="stats" aria-live="off">
            { for props.items.iter().map(|stat| html! {
                <div class="stat">
                    <dt>{stat.label.clone()}</dt>
                    <dd id={stat.id} class="stat-value">{stat.value.clone()}</dd>
                </div>
            }) }
        </dl>
    }
}
