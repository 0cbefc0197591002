//! What the service worker has to say (src/services/offline.rs): a new release is ready (applied
//! on the learner's click), or a lesson's data is not saved on this device and the network is off.

use yew::prelude::*;

use crate::i18n::{Lang, t, tf};
use crate::services::offline::{self, OfflineEvent};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub lang: Lang,
    /// A lesson is training: the update, which reloads the page, waits until it pauses.
    pub training: bool,
}

/// The data set's folder of a missing file (`static/mnist/`), or the file itself.
pub fn folder_of(path: &str) -> String {
    match path
        .strip_prefix("static/")
        .and_then(|rest| rest.split_once('/'))
    {
        Some((folder, _)) => format!("static/{folder}/"),
        None => path.to_string(),
    }
}

#[component]
pub fn OfflineNotice(props: &Props) -> Html {
    let lang = props.lang;
    let update_ready = use_state(|| false);
    let missing = use_state(|| None::<String>);
    {
        let (update_ready, missing) = (update_ready.clone(), missing.clone());
        use_effect_with((), move |_| {
            offline::register(Callback::from(move |event| match event {
                OfflineEvent::UpdateReady => update_ready.set(true),
                OfflineEvent::Missing(path) => missing.set(Some(folder_of(&path))),
            }));
        });
    }
    let training = props.training;
    let update = update_ready.then(|| {
        html! {
            <div id="update-notice" class="offline-notice" role="status">
                <p class="offline-notice-text">
                    {t(lang, "offline.update_ready")}
                    if training {
                        {" "}<span id="update-wait">{t(lang, "offline.update_wait")}</span>
                    }
                </p>
                <button type="button" id="update-apply" class="offline-notice-button"
                    disabled={training}
                    onclick={Callback::from(|_| offline::apply_update())}>
                    {t(lang, "offline.update_apply")}
                </button>
            </div>
        }
    });
    let missing_notice = (*missing).clone().map(|folder| {
        let dismiss = missing.clone();
        html! {
            <div id="offline-missing" class="offline-notice" role="status" data-folder={folder.clone()}>
                <p class="offline-notice-text">
                    {tf(lang, "offline.missing", &[("folder", &folder)])}
                </p>
                <button type="button" class="error-banner-dismiss"
                    aria-label={t(lang, "banner.dismiss")} title={t(lang, "banner.dismiss")}
                    onclick={Callback::from(move |_| dismiss.set(None))}>
                    {"×"}
                </button>
            </div>
        }
    });
    html! { <>{for update}{for missing_notice}</> }
}

#[cfg(test)]
mod tests {
    use super::folder_of;

    #[test]
    fn a_missing_file_is_named_by_its_data_set_folder() {
        assert_eq!(
            folder_of("static/fashion-mnist/train-images-idx3-ubyte.gz"),
            "static/fashion-mnist/"
        );
        assert_eq!(folder_of("static/mnist/manifest.json"), "static/mnist/");
        assert_eq!(folder_of("index.html"), "index.html");
    }
}
