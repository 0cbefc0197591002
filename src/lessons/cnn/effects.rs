//! The CNN lesson's messages to the worker, sent when the reducer's request counters move, and
//! the MNIST manifest for the About page.

use kindling_engine::lessons::cnn::messages::CnnCommand;
use kindling_engine::protocol::ToWorker;
use yew::prelude::*;

use crate::app::{SharedService, send};
use crate::route::Route;
use crate::services::manifest;
use crate::state::{Action, AppState};

fn cnn(service: &SharedService, command: CnnCommand) {
    send(service, ToWorker::Cnn { command });
}

#[hook]
pub fn use_cnn_requests(state: &UseReducerHandle<AppState>, service: &SharedService) {
    let requests = state.cnn.requests;
    {
        let service = service.clone();
        use_effect_with(requests.data, move |&count| {
            if count > 0 {
                cnn(&service, CnnCommand::LoadData);
            }
        });
    }
    {
        let service = service.clone();
        let settings = state.settings.cnn.clone();
        use_effect_with(requests.load, move |&count| {
            if count > 0 {
                cnn(&service, CnnCommand::Load { settings });
            }
        });
    }
    {
        let service = service.clone();
        let test_index = state.cnn.inspect_index;
        use_effect_with(requests.inspect, move |&count| {
            if count > 0 {
                cnn(&service, CnnCommand::Inspect { test_index });
            }
        });
    }
    {
        let service = service.clone();
        let drawing = state.cnn.drawing.clone();
        use_effect_with(requests.predict, move |&id| {
            if let (true, Some(drawing)) = (id > 0, drawing) {
                let pixels = drawing.image.clone();
                cnn(&service, CnnCommand::Predict { id, pixels });
            }
        });
    }
}

/// Fetches the MNIST manifest the first time the About page opens.
#[hook]
pub fn use_mnist_manifest(state: &UseReducerHandle<AppState>) {
    let dispatcher = state.dispatcher();
    let wanted = state.route == Route::About && state.mnist.is_none();
    use_effect_with(wanted, move |&wanted| {
        if wanted {
            wasm_bindgen_futures::spawn_local(async move {
                dispatcher.dispatch(Action::Mnist(manifest::fetch().await));
            });
        }
    });
}
