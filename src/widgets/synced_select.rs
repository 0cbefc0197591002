//! A hook for `<select>` menus whose choice can change from outside (a link, a reset).

use web_sys::HtmlSelectElement;
use yew::prelude::*;

/// A node ref for a `<select>` that keeps showing `value`: an option's `selected` attribute no
/// longer moves a menu the learner has already used.
#[hook]
pub fn use_synced_select(value: String) -> NodeRef {
    let node = use_node_ref();
    {
        let node = node.clone();
        use_effect_with(value, move |value| {
            if let Some(select) = node.cast::<HtmlSelectElement>()
                && select.value() != *value
            {
                select.set_value(value);
            }
        });
    }
    node
}
