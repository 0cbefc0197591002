//! Networks that more than one lesson or program uses, each in its own folder shaped like a
//! lesson's: settings (plain data), the burn model, its card and its file.

pub mod resnet;
