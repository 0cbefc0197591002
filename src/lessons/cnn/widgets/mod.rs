pub mod architecture;
pub mod block_editor;
pub mod controls;
pub mod curves;
pub mod inside;
pub mod settings_form;
pub mod test_image_picker;
