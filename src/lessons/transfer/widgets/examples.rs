//! Each class's examples: its name and count, a button that adds the pad's drawing to it, a file
//! picker for pictures, and the examples as small images, each with a button that removes it.

use std::rc::Rc;

use web_sys::{File, HtmlInputElement};
use yew::prelude::*;

use crate::i18n::fill;
use crate::services::file_read;
use crate::widgets::pixel_image::{PixelImage, bytes_rgba};

/// The words, in the reader's language. Templates take `{class}`, `{n}`, `{count}`, `{min}`
/// and `{max}`.
#[derive(Clone, Debug, PartialEq)]
pub struct ExampleWords {
    pub add: String,
    pub upload: String,
    pub count: String,
    pub example: String,
    pub remove: String,
    pub none: String,
}

/// What a class row can do.
#[derive(Clone, PartialEq)]
pub struct ExampleCallbacks {
    /// Add the pad's drawing to this class.
    pub on_add: Callback<usize>,
    pub on_remove: Callback<(usize, usize)>,
    /// The chosen files' bytes, for this class.
    pub on_upload: Callback<(usize, Vec<Vec<u8>>)>,
    /// A chosen file larger than `max_bytes`, by its size; it is not read.
    pub on_too_large: Callback<u64>,
    /// A chosen file that could not be read.
    pub on_unreadable: Callback<String>,
}

/// The limits the rows show and keep.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Limits {
    pub min: usize,
    pub max: usize,
    pub max_bytes: u64,
}

/// Reads the files chosen in `input` (none larger than `max_bytes`) and hands their bytes over
/// together, so that one upload is one action.
fn read_chosen(input: &HtmlInputElement, class: usize, max_bytes: u64, cb: &ExampleCallbacks) {
    let Some(list) = input.files() else {
        return;
    };
    let files: Vec<File> = (0..list.length()).filter_map(|i| list.get(i)).collect();
    // Choosing the same file again must fire `change` again.
    input.set_value("");
    let (small, large): (Vec<File>, Vec<File>) = files
        .into_iter()
        .partition(|f| f.size() as u64 <= max_bytes);
    if let Some(file) = large.first() {
        cb.on_too_large.emit(file.size() as u64);
    }
    if small.is_empty() {
        return;
    }
    let cb = cb.clone();
    wasm_bindgen_futures::spawn_local(async move {
        let mut read = Vec::new();
        for file in &small {
            match file_read::read_bytes(file).await {
                Ok(bytes) => read.push(bytes),
                Err(message) => cb.on_unreadable.emit(message),
            }
        }
        if !read.is_empty() {
            cb.on_upload.emit((class, read));
        }
    });
}

fn row(
    words: &ExampleWords,
    class: usize,
    name: &str,
    list: &[Rc<Vec<u8>>],
    can_draw: bool,
    limits: Limits,
    cb: &ExampleCallbacks,
) -> Html {
    let full = list.len() >= limits.max;
    let on_add = {
        let on_add = cb.on_add.clone();
        Callback::from(move |_: MouseEvent| on_add.emit(class))
    };
    let on_change = {
        let cb = cb.clone();
        Callback::from(move |event: Event| {
            if let Some(input) = event.target_dyn_into::<HtmlInputElement>() {
                read_chosen(&input, class, limits.max_bytes, &cb);
            }
        })
    };
    let count = fill(
        &words.count,
        &[
            ("count", &list.len().to_string()),
            ("min", &limits.min.to_string()),
            ("max", &limits.max.to_string()),
        ],
    );
    let upload_id = format!("own-upload-{class}");
    html! {
        <li class={classes!("own-class", (list.len() >= limits.min).then_some("enough"))}
            id={format!("own-examples-{class}")} data-count={list.len().to_string()}>
            <div class="own-class-head">
                <strong class="own-class-name">{name.to_string()}</strong>
                <span class="own-class-count">{count}</span>
                <button type="button" id={format!("own-add-{class}")} class="button small"
                    disabled={!can_draw || full} onclick={on_add}>
                    {fill(&words.add, &[("class", name)])}
                </button>
                <input id={upload_id.clone()} class="visually-hidden" type="file" accept="image/*" multiple=true
                    disabled={full} onchange={on_change} />
                <label class="button small own-upload" for={upload_id}>
                    {fill(&words.upload, &[("class", name)])}
                </label>
            </div>
            if list.is_empty() {
                <p class="muted small">{words.none.clone()}</p>
            } else {
                <ol class="own-thumbs">
                    { for list.iter().enumerate().map(|(index, image)| {
                        let n = (index + 1).to_string();
                        let on_remove = cb.on_remove.clone();
                        html! {
                            <li class="own-example">
                                <PixelImage rows={28} cols={28} rgba={Rc::new(bytes_rgba(image))}
                                    label={fill(&words.example, &[("class", name), ("n", &n)])} class="own-thumb" />
                                <button type="button" class="own-remove" id={format!("own-remove-{class}-{index}")}
                                    aria-label={fill(&words.remove, &[("class", name), ("n", &n)])}
                                    onclick={Callback::from(move |_: MouseEvent| on_remove.emit((class, index)))}>
                                    {"×"}
                                </button>
                            </li>
                        }
                    }) }
                </ol>
            }
        </li>
    }
}

/// One row a class.
pub fn examples(
    words: &ExampleWords,
    names: &[String],
    lists: &[Vec<Rc<Vec<u8>>>],
    can_draw: bool,
    limits: Limits,
    cb: &ExampleCallbacks,
) -> Html {
    html! {
        <ul class="own-classes">
            { for names.iter().zip(lists).enumerate().map(|(class, (name, list))|
                row(words, class, name, list, can_draw, limits, cb)) }
        </ul>
    }
}
