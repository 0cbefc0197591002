//! A model card's rows as a description list.

use yew::prelude::*;

use crate::lessons::cnn::card_text::Row;

pub fn card_list(rows: Vec<Row>) -> Html {
    html! {
        <dl class="model-card-list">
            for (label, value) in rows {
                <div class="card-row">
                    <dt>{label}</dt>
                    <dd>{value}</dd>
                </div>
            }
        </dl>
    }
}
