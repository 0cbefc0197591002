//! Fetches MNIST (`static/mnist/`) or another idx folder written by `cargo xtask data`
//! (`static/fashion-mnist/`) from the site, reporting the bytes received, then checks each idx
//! file against the manifest's size and SHA-256 while parsing it.

use std::io::Read;

use js_sys::{Reflect, Uint8Array};
use kindling_engine::datasets::mnist::{DataFile, Images, MANIFEST_FILE, MnistManifest, Split};
use kindling_engine::lessons::cnn::messages::DataLoadError;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{ReadableStreamDefaultReader, Response};

use crate::scope;

const DIR: &str = "static/mnist/";

fn js_text(value: &JsValue) -> String {
    value
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| value.as_string())
        .unwrap_or_else(|| format!("{value:?}"))
}

async fn request(dir: &str, file: &str) -> Result<Response, DataLoadError> {
    let network = |e: JsValue| DataLoadError::Network {
        file: file.to_string(),
        message: js_text(&e),
    };
    let response: Response = JsFuture::from(scope().fetch_with_str(&format!("{dir}{file}")))
        .await
        .map_err(network)?
        .unchecked_into();
    if !response.ok() {
        return Err(DataLoadError::Http {
            file: file.to_string(),
            status: response.status(),
        });
    }
    Ok(response)
}

/// The whole body, calling `on_bytes` with the number of bytes received so far as chunks arrive.
async fn read_body(
    file: &str,
    response: Response,
    mut on_bytes: impl FnMut(u64),
) -> Result<Vec<u8>, DataLoadError> {
    let network = |e: JsValue| DataLoadError::Network {
        file: file.to_string(),
        message: js_text(&e),
    };
    let Some(body) = response.body() else {
        let buffer = JsFuture::from(response.array_buffer().map_err(network)?)
            .await
            .map_err(network)?;
        return Ok(Uint8Array::new(&buffer).to_vec());
    };
    let reader: ReadableStreamDefaultReader = body.get_reader().unchecked_into();
    let mut bytes = Vec::new();
    loop {
        let chunk = JsFuture::from(reader.read()).await.map_err(network)?;
        if Reflect::get(&chunk, &"done".into())
            .ok()
            .and_then(|d| d.as_bool())
            .unwrap_or(true)
        {
            break;
        }
        let value: Uint8Array = Reflect::get(&chunk, &"value".into())
            .map_err(network)?
            .unchecked_into();
        bytes.extend(value.to_vec());
        on_bytes(bytes.len() as u64);
    }
    Ok(bytes)
}

/// Gunzips unless the browser already did (a server may send the file with
/// `Content-Encoding: gzip`).
fn gunzip(file: &str, bytes: Vec<u8>) -> Result<Vec<u8>, DataLoadError> {
    if !bytes.starts_with(&[0x1f, 0x8b]) {
        return Ok(bytes);
    }
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(&bytes[..])
        .read_to_end(&mut out)
        .map_err(|_| DataLoadError::BadGzip {
            file: file.to_string(),
        })?;
    Ok(out)
}

/// MNIST's training and test sets. `on_progress(loaded, total)` reports bytes over all files.
pub async fn load(on_progress: impl FnMut(u64, u64)) -> Result<(Images, Images), DataLoadError> {
    load_from(DIR, on_progress).await
}

/// The training and test sets of the idx folder `dir` (`static/<folder>/`, with its slash).
pub async fn load_from(
    dir: &str,
    mut on_progress: impl FnMut(u64, u64),
) -> Result<(Images, Images), DataLoadError> {
    let response = request(dir, MANIFEST_FILE).await?;
    let text = JsFuture::from(response.text().map_err(|e| DataLoadError::BadManifest {
        message: js_text(&e),
    })?)
    .await
    .map_err(|e| DataLoadError::BadManifest {
        message: js_text(&e),
    })?
    .as_string()
    .unwrap_or_default();
    let manifest = MnistManifest::from_json(&text)
        .map_err(|message| DataLoadError::BadManifest { message })?;
    let total = manifest.gzip_bytes();
    on_progress(0, total);
    let mut loaded = 0;
    let [(_, test), (_, train)] = manifest.splits();
    let test = fetch_split(dir, test, &mut loaded, total, &mut on_progress).await?;
    let train = fetch_split(dir, train, &mut loaded, total, &mut on_progress).await?;
    on_progress(total, total);
    Ok((train, test))
}

/// `loaded`: the manifest's sizes of the files fetched before.
async fn fetch_split(
    dir: &str,
    split: &Split,
    loaded: &mut u64,
    total: u64,
    on_progress: &mut impl FnMut(u64, u64),
) -> Result<Images, DataLoadError> {
    let images = fetch_file(dir, &split.images, loaded, total, on_progress).await?;
    let labels = fetch_file(dir, &split.labels, loaded, total, on_progress).await?;
    split
        .decode(&images, &labels)
        .map_err(|bad| DataLoadError::Corrupt {
            file: bad.file,
            error: bad.error,
        })
}

async fn fetch_file(
    dir: &str,
    file: &DataFile,
    loaded: &mut u64,
    total: u64,
    on_progress: &mut impl FnMut(u64, u64),
) -> Result<Vec<u8>, DataLoadError> {
    let response = request(dir, &file.file).await?;
    let before = *loaded;
    let compressed = read_body(&file.file, response, |n| {
        on_progress((before + n).min(total), total)
    })
    .await?;
    *loaded += file.gzip_bytes;
    gunzip(&file.file, compressed)
}
