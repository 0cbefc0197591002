//! The About page's section on MNIST: where the images come from, their licence, and the files
//! as the site serves them (read from the data manifest).

use std::rc::Rc;

use kindling_engine::datasets::mnist::DataFile;
use yew::prelude::*;

use crate::format::{group, size};
use crate::i18n::{Lang, t, tf};
use crate::services::manifest::MnistManifest;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub lang: Lang,
    /// `None` while it is being fetched.
    pub manifest: Option<Result<Rc<MnistManifest>, String>>,
}

fn file_cell(file: &DataFile) -> Html {
    html! { <td><code>{file.file.clone()}</code></td> }
}

fn size_and_hash_cells(lang: Lang, file: &DataFile) -> Html {
    html! {
        <>
            <td>{tf(lang, "about.mnist_bytes", &[("gzip", &size(file.gzip_bytes)), ("bytes", &size(file.bytes))])}</td>
            <td><code class="hash">{file.sha256.clone()}</code></td>
        </>
    }
}

#[component]
pub fn MnistData(props: &Props) -> Html {
    let lang = props.lang;
    let files = match &props.manifest {
        None => html! { <p class="muted">{t(lang, "about.mnist_loading")}</p> },
        Some(Err(message)) => html! {
            <p id="mnist-manifest-error" class="notice warning">{tf(lang, "about.mnist_unavailable", &[("message", message)])}</p>
        },
        Some(Ok(manifest)) => html! {
            <div class="table-scroll" tabindex="0">
                <table id="mnist-files" class="worked mnist-files">
                    <thead>
                        <tr>
                            <th scope="col">{t(lang, "about.mnist_set")}</th>
                            <th scope="col">{t(lang, "about.mnist_file")}</th>
                            <th scope="col">{t(lang, "about.mnist_images")}</th>
                            <th scope="col">{t(lang, "about.mnist_size")}</th>
                            <th scope="col">{t(lang, "about.mnist_sha256")}</th>
                        </tr>
                    </thead>
                    // One row group a set: its name and image count span its two files.
                    { for manifest.splits().into_iter().map(|(name, split)| {
                        let [images, labels] = split.files();
                        html! {
                            <tbody>
                                <tr>
                                    <th scope="rowgroup" rowspan="2">{t(lang, &format!("about.mnist_set_{name}"))}</th>
                                    {file_cell(images)}
                                    <td rowspan="2">{tf(lang, "about.mnist_count", &[("count", &group(split.count as u64)), ("rows", &split.rows.to_string()), ("cols", &split.cols.to_string())])}</td>
                                    {size_and_hash_cells(lang, images)}
                                </tr>
                                <tr>{file_cell(labels)}{size_and_hash_cells(lang, labels)}</tr>
                            </tbody>
                        }
                    }) }
                </table>
            </div>
        },
    };
    html! {
        <section id="about-mnist" aria-labelledby="about-mnist-title">
            <h2 id="about-mnist-title">{t(lang, "about.mnist_title")}</h2>
            <p>{t(lang, "about.mnist_source")}</p>
            <p>{t(lang, "about.mnist_licence")}</p>
            {files}
            <p class="muted small">{t(lang, "about.mnist_hash_note")}</p>
        </section>
    }
}
