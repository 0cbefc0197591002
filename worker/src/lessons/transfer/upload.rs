//! An uploaded file made into an example: the engine refuses what cannot be an image, the
//! browser decodes the rest (`createImageBitmap`), it is drawn at most 280 pixels on a side on
//! an `OffscreenCanvas`, and the engine prepares its pixels as a drawn digit's.

use js_sys::{Array, Uint8Array};
use kindling_engine::lessons::transfer::own::{
    UploadProblem, check_picture, check_upload, example_from_rgba, upload_canvas,
};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, ImageBitmap, OffscreenCanvas, OffscreenCanvasRenderingContext2d};

use crate::scope;

/// The 28 × 28 example `bytes` (an uploaded file) make.
pub async fn example_from_file(bytes: &[u8]) -> Result<Vec<u8>, UploadProblem> {
    check_upload(bytes)?;
    let unreadable = |_| UploadProblem::Unreadable;
    let parts = Array::of1(&Uint8Array::from(bytes));
    let blob = Blob::new_with_u8_array_sequence(&parts).map_err(unreadable)?;
    let decoding = scope()
        .create_image_bitmap_with_blob(&blob)
        .map_err(unreadable)?;
    let bitmap: ImageBitmap = JsFuture::from(decoding)
        .await
        .map_err(unreadable)?
        .unchecked_into();
    let (width, height) = (bitmap.width(), bitmap.height());
    let checked = check_picture(width, height);
    let pixels = match checked {
        Ok(()) => draw(&bitmap, width, height),
        Err(problem) => Err(problem),
    };
    bitmap.close();
    let (rgba, width, height) = pixels?;
    example_from_rgba(&rgba, width as usize, height as usize)
}

/// The bitmap's RGBA bytes, scaled down to fit [`upload_canvas`].
fn draw(
    bitmap: &ImageBitmap,
    width: u32,
    height: u32,
) -> Result<(Vec<u8>, u32, u32), UploadProblem> {
    let unreadable = |_| UploadProblem::Unreadable;
    let (w, h) = upload_canvas(width, height);
    let canvas = OffscreenCanvas::new(w, h).map_err(unreadable)?;
    let context: OffscreenCanvasRenderingContext2d = canvas
        .get_context("2d")
        .map_err(unreadable)?
        .ok_or(UploadProblem::Unreadable)?
        .unchecked_into();
    context
        .draw_image_with_image_bitmap_and_dw_and_dh(bitmap, 0.0, 0.0, w as f64, h as f64)
        .map_err(unreadable)?;
    let data = context
        .get_image_data(0.0, 0.0, w as f64, h as f64)
        .map_err(unreadable)?;
    Ok((data.data().0, w, h))
}
