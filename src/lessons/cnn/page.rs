//! "Seeing digits": a convolutional network trained on MNIST, taken apart while it learns.

use kindling_engine::lessons::cnn::CnnSettings;
use kindling_engine::lessons::cnn::preprocess::Preprocessed;
use yew::prelude::*;

use crate::i18n::{Lang, t, tf};
use crate::lessons::checkpoint_text::CNN;
use crate::lessons::cnn::state::{CnnAction, CnnState, ModelMessage};
use crate::lessons::cnn::text::{checkpoint_line, problem, recovery, url_error};
use crate::lessons::cnn::widgets::architecture::CnnArchitecture;
use crate::lessons::cnn::widgets::controls::CnnControls;
use crate::lessons::cnn::widgets::curves::CnnCurves;
use crate::lessons::cnn::widgets::data_progress::DataProgress;
use crate::lessons::cnn::widgets::draw::DigitCanvas;
use crate::lessons::cnn::widgets::evaluation::{ConfusionMatrix, MistakeGallery};
use crate::lessons::cnn::widgets::inside::CnnInside;
use crate::lessons::cnn::widgets::model_file::ModelFile;
use crate::lessons::cnn::widgets::settings_form::CnnSettingsForm;
use crate::lessons::kept_run::KeptAction;
use crate::lessons::kept_run_view::{KeptClick, kept_run};
use crate::route::Route;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub lang: Lang,
    pub state: CnnState,
    pub on_cnn: Callback<CnnAction>,
}

/// The five stages, in order, each with its i18n key.
const STAGES: [&str; 5] = ["input", "conv", "pool", "dense", "output"];

#[component]
pub fn CnnPage(props: &Props) -> Html {
    let cnn = &props.state;
    let lang = props.lang;
    let action = |make: fn() -> CnnAction| -> Callback<()> {
        let on_cnn = props.on_cnn.clone();
        Callback::from(move |_| on_cnn.emit(make()))
    };
    let on_draft = {
        let on_cnn = props.on_cnn.clone();
        Callback::from(move |settings: CnnSettings| on_cnn.emit(CnnAction::SetDraft(settings)))
    };
    let on_pick = {
        let on_cnn = props.on_cnn.clone();
        Callback::from(move |index: usize| on_cnn.emit(CnnAction::Inspect(index)))
    };
    let on_drawn = {
        let on_cnn = props.on_cnn.clone();
        Callback::from(move |drawing: Option<Preprocessed>| on_cnn.emit(CnnAction::Drawn(drawing)))
    };
    let on_import = {
        let on_cnn = props.on_cnn.clone();
        Callback::from(move |bytes: Vec<u8>| on_cnn.emit(CnnAction::Import(bytes)))
    };
    let on_message = {
        let on_cnn = props.on_cnn.clone();
        Callback::from(move |message: ModelMessage| on_cnn.emit(CnnAction::ModelMessage(message)))
    };
    let on_load_shipped = {
        let on_cnn = props.on_cnn.clone();
        Callback::from(move |name: String| on_cnn.emit(CnnAction::LoadShipped(name)))
    };

    let model = cnn.model.clone();
    let steps_per_epoch = model.as_ref().map_or(1, |m| m.steps_per_epoch.max(1));
    let total_steps = cnn.progress.as_ref().map_or_else(
        || {
            model
                .as_ref()
                .map_or(0, |m| m.settings.epochs as u64 * steps_per_epoch)
        },
        |p| p.total_steps,
    );
    let mistakes: Vec<usize> = cnn
        .latest_full
        .as_ref()
        .map(|f| f.evaluation.misclassified.iter().map(|m| m.0).collect())
        .unwrap_or_default();

    let url_notice = (!cnn.url_errors.is_empty()).then(|| html! {
        <div id="cnn-url-notice" class="notice" role="status">
            <p>{t(lang, "playground.url_notice")}</p>
            <ul>{ for cnn.url_errors.iter().map(|e| html! { <li>{url_error(lang, e)}</li> }) }</ul>
        </div>
    });
    let rejected = (!cnn.rejected.is_empty()).then(|| {
        html! {
            <div id="cnn-rejected" class="notice warning" role="alert">
                <p>{t(lang, "cnn.rejected")}</p>
                <ul>{ for cnn.rejected.iter().map(|p| html! { <li>{problem(lang, p)}</li> }) }</ul>
            </div>
        }
    });

    let recovery_notice = cnn.recovery.as_ref().map(|r| {
        html! {
            <div id="cnn-recovery" class="notice" role="status">
                {recovery(lang, r)}
            </div>
        }
    });
    let diverged = cnn.diverged.map(|(step, good)| {
        let (step, good) = (step.to_string(), good.to_string());
        let onclick = action(|| CnnAction::RollBack).reform(|_: MouseEvent| ());
        html! {
            <div id="cnn-diverged" class="notice warning" role="alert">
                <p>{tf(lang, "cnn.diverged", &[("step", &step), ("good", &good)])}</p>
                <button type="button" id="cnn-roll-back" class="button" {onclick}>
                    {tf(lang, "cnn.roll_back", &[("good", &good)])}
                </button>
            </div>
        }
    });
    let checkpoint_step = cnn.checkpoint.as_ref().map(|kept| kept.0.step);
    let checkpoint_text = checkpoint_line(lang, checkpoint_step, cnn.no_checkpoints.as_ref());
    let on_kept = props.on_cnn.reform(|click| match click {
        KeptClick::Resume => CnnAction::ResumeKept,
        KeptClick::Keep => CnnAction::Kept(KeptAction::Keep),
    });
    let kept = kept_run(
        lang,
        CNN,
        "cnn",
        &cnn.kept,
        |run| run.checkpoint.step,
        Some(cnn.checkpoint.is_some()),
        &on_kept,
    );

    html! {
        <div id="cnn-page" class="cnn">
            <header class="page-head">
                <h1 id="page-title">{t(lang, "cnn.title")}</h1>
                <p class="lead">{t(lang, "cnn.lead")}</p>
            </header>
            {url_notice}
            {rejected}
            <DataProgress {lang} data={cnn.data.clone()} on_retry={action(|| CnnAction::RetryData)} />

            <div class="cnn-grid">
                <section class="card cnn-settings" aria-labelledby="cnn-settings-title">
                    <h2 id="cnn-settings-title">{t(lang, "controls.title")}</h2>
                    <CnnSettingsForm
                        {lang}
                        draft={cnn.draft.clone()}
                        applied={cnn.applied.clone()}
                        {on_draft}
                        on_apply={action(|| CnnAction::Apply)}
                    />
                </section>
                <div class="cnn-main">
                    <section class="card" aria-labelledby="cnn-run-title">
                        <h2 id="cnn-run-title">{t(lang, "run.title")}</h2>
                        <CnnControls
                            {lang}
                            model={model.clone()}
                            running={cnn.running}
                            step={cnn.step()}
                            progress={cnn.progress.clone()}
                            latest_quick={cnn.latest_quick}
                            latest_full={cnn.latest_full.clone()}
                            on_play={action(|| CnnAction::Play)}
                            on_pause={action(|| CnnAction::Pause)}
                            on_step={action(|| CnnAction::Step)}
                            on_evaluate={action(|| CnnAction::Evaluate)}
                            on_reset={action(|| CnnAction::Reset)}
                        />
                        {diverged}
                        {recovery_notice}
                        <p id="cnn-checkpoint" class="muted small" data-step={checkpoint_step.map(|s| s.to_string())}>
                            {checkpoint_text}
                        </p>
                        {kept}
                        <CnnCurves
                            {lang}
                            loss={cnn.loss.clone()}
                            quick={cnn.quick.clone()}
                            full={cnn.full.clone()}
                            {steps_per_epoch}
                            {total_steps}
                        />
                        <p class="muted small">{t(lang, "cnn.curves.explain")}</p>
                    </section>
                    <section class="card" aria-labelledby="cnn-network-title">
                        <h2 id="cnn-network-title">{t(lang, "cnn.arch.title")}</h2>
                        <CnnArchitecture {lang} draft={cnn.draft.clone()} applied={cnn.applied.clone()} />
                        <ol class="stage-list">
                            { for STAGES.iter().map(|stage| html! {
                                <li class={classes!("stage-item", *stage)}>
                                    <strong>{t(lang, &format!("cnn.stage.{stage}"))}</strong>{" — "}
                                    {t(lang, &format!("cnn.lesson.stage.{stage}"))}
                                </li>
                            }) }
                        </ol>
                    </section>
                </div>
            </div>

            <CnnInside
                {lang}
                index={cnn.inspect_index}
                test_count={cnn.test_count()}
                mistakes={mistakes}
                inspection={cnn.inspection.clone()}
                on_pick={on_pick.clone()}
            />

            <div class="cnn-pair">
                <section class="card" aria-labelledby="cnn-confusion-title">
                    <h2 id="cnn-confusion-title">{t(lang, "cnn.confusion.title")}</h2>
                    <ConfusionMatrix {lang} evaluation={cnn.latest_full.clone()} />
                    <p class="muted small">{t(lang, "cnn.lesson.confusion")}</p>
                </section>
                <section class="card" aria-labelledby="cnn-gallery-title">
                    <h2 id="cnn-gallery-title">{t(lang, "cnn.gallery.title")}</h2>
                    <MistakeGallery {lang} evaluation={cnn.latest_full.clone()} {on_pick} />
                </section>
            </div>

            <div class="cnn-pair">
                <section class="card" aria-labelledby="cnn-draw-title">
                    <h2 id="cnn-draw-title">{t(lang, "cnn.draw.title")}</h2>
                    <p class="muted">{t(lang, "cnn.draw.intro")}</p>
                    <DigitCanvas
                        {lang}
                        drawing={cnn.drawing.clone()}
                        prediction={cnn.prediction.clone()}
                        has_model={model.is_some()}
                        {on_drawn}
                    />
                </section>
                <section class="card" aria-labelledby="cnn-model-title">
                    <h2 id="cnn-model-title">{t(lang, "cnn.model.title")}</h2>
                    <ModelFile
                        {lang}
                        has_model={model.is_some()}
                        card={cnn.card.clone()}
                        message={cnn.model_message.clone()}
                        on_export={action(|| CnnAction::Export)}
                        {on_import}
                        {on_message}
                        shipped={cnn.shipped.clone()}
                        fetching={cnn.fetching.as_ref().map(|m| m.name.clone())}
                        {on_load_shipped}
                    />
                </section>
            </div>

            <article class="card prose cnn-lesson" aria-labelledby="cnn-lesson-title">
                <h2 id="cnn-lesson-title">{t(lang, "cnn.lesson.title")}</h2>
                <h3>{t(lang, "cnn.lesson.conv_title")}</h3>
                <p>{t(lang, "cnn.lesson.conv")}</p>
                <h3>{t(lang, "cnn.lesson.pooling_title")}</h3>
                <p>{t(lang, "cnn.lesson.pooling")}</p>
                <h3>{t(lang, "cnn.lesson.softmax_title")}</h3>
                <p>{t(lang, "cnn.lesson.softmax")}</p>
                <p>{t(lang, "cnn.lesson.gradient")}</p>
                <h3>{t(lang, "cnn.lesson.reading_title")}</h3>
                <p>{t(lang, "cnn.lesson.reading")}</p>
                <h3>{t(lang, "playground.try_title")}</h3>
                <ul class="tips">
                    <li>{t(lang, "cnn.lesson.tip_pool")}</li>
                    <li>{t(lang, "cnn.lesson.tip_lr")}</li>
                    <li>{t(lang, "cnn.lesson.tip_dense")}</li>
                    <li>{t(lang, "cnn.lesson.tip_draw")}</li>
                </ul>
                <p class="lesson-links">
                    {t(lang, "cnn.lesson.links")}{" "}
                    <a id="cnn-link-activations" href={Route::Activations.href()}>{t(lang, "nav.activations")}</a>
                    {" · "}
                    <a id="cnn-link-losses" href={format!("{}?loss=cce_logits", Route::Losses.href())}>{t(lang, "nav.losses")}</a>
                </p>
            </article>
        </div>
    }
}
