//! What every convolution and pooling layer of the CNN makes of the chosen test image: one small
//! image per channel.

use std::rc::Rc;

use kindling_engine::lessons::cnn::messages::Inspection;
use yew::prelude::*;

use crate::i18n::{Lang, t, tf};
use crate::widgets::pixel_image::{PixelImage, normalised_rgba};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub lang: Lang,
    pub inspection: Option<Rc<Inspection>>,
}

#[component]
pub fn FeatureMaps(props: &Props) -> Html {
    let lang = props.lang;
    let maps = props
        .inspection
        .as_ref()
        .map(|i| i.maps.as_slice())
        .unwrap_or_default();
    html! {
        <div id="cnn-feature-maps" class="feature-maps">
            if maps.is_empty() {
                <p class="muted">{t(lang, "cnn.maps.empty")}</p>
            }
            { for maps.iter().map(|map| {
                let size = map.rows * map.cols;
                let stage = if map.layer.starts_with("pool") { "cnn.stage.pool" } else { "cnn.stage.conv" };
                html! {
                    <section class="map-block">
                        <h4>{tf(lang, "cnn.maps.layer", &[
                            ("stage", &t(lang, stage)),
                            ("layer", &map.layer),
                            ("channels", &map.channels.to_string()),
                            ("rows", &map.rows.to_string()),
                            ("cols", &map.cols.to_string()),
                        ])}</h4>
                        <div class="map-grid">
                            { for (0..map.channels).filter_map(|c| map.values.get(c * size..(c + 1) * size)).enumerate().map(|(c, values)| html! {
                                <PixelImage
                                    rows={map.rows}
                                    cols={map.cols}
                                    rgba={Rc::new(normalised_rgba(values))}
                                    label={tf(lang, "cnn.maps.one", &[("layer", &map.layer), ("channel", &(c + 1).to_string())])}
                                    class="feature-map"
                                />
                            }) }
                        </div>
                    </section>
                }
            }) }
            <p class="muted small">{t(lang, "cnn.maps.caption")}</p>
        </div>
    }
}
