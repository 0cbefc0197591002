//! Small images as buttons, each with a label; choosing one reports its key.

use std::rc::Rc;

use yew::prelude::*;

use crate::widgets::pixel_image::PixelImage;

/// One image of the gallery.
#[derive(Clone, Debug, PartialEq)]
pub struct GalleryItem {
    /// What choosing it reports.
    pub key: usize,
    pub rgba: Rc<Vec<u8>>,
    /// Shown under the image, and its accessible name.
    pub label: String,
    pub title: String,
}

#[derive(Properties, PartialEq)]
pub struct Props {
    pub id: AttrValue,
    /// Each image's size in pixels.
    pub rows: usize,
    pub cols: usize,
    pub items: Rc<Vec<GalleryItem>>,
    /// Above the images; `None` shows `empty` instead of the gallery.
    pub caption: Option<AttrValue>,
    pub empty: AttrValue,
    pub on_pick: Callback<usize>,
}

#[component]
pub fn ImageGallery(props: &Props) -> Html {
    let Some(caption) = props.caption.clone() else {
        return html! {
            <div id={props.id.clone()} class="gallery empty"><p class="muted">{props.empty.clone()}</p></div>
        };
    };
    html! {
        <div id={props.id.clone()} class="gallery">
            <p class="muted small">{caption}</p>
            <ul class="gallery-grid">
                { for props.items.iter().map(|item| {
                    let on_pick = props.on_pick.clone();
                    let key = item.key;
                    html! {
                        <li>
                            <button
                                type="button"
                                class="gallery-item"
                                title={item.title.clone()}
                                onclick={Callback::from(move |_: MouseEvent| on_pick.emit(key))}
                            >
                                <PixelImage rows={props.rows} cols={props.cols} rgba={item.rgba.clone()} label={item.label.clone()} class="gallery-image" />
                                <span class="gallery-label">{item.label.clone()}</span>
                            </button>
                        </li>
                    }
                }) }
            </ul>
        </div>
    }
}
