//! The map of ideas from the source article, as an interactive SVG.

use yew::prelude::*;

use crate::i18n::{Lang, t};
use crate::route::Route;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub lang: Lang,
}

struct Node {
    key: &'static str,
    x: f64,
    y: f64,
    /// The lesson about this idea, when there is one.
    lesson: Option<Route>,
    /// Whether it is one of the ingredients feeding open models.
    ingredient: bool,
}

const WIDTH: f64 = 176.0;
const HEIGHT: f64 = 46.0;

const NODES: &[Node] = &[
    Node {
        key: "deep_learning",
        x: 380.0,
        y: 48.0,
        lesson: Some(Route::Playground),
        ingredient: false,
    },
    Node {
        key: "supervised",
        x: 220.0,
        y: 148.0,
        lesson: Some(Route::Playground),
        ingredient: false,
    },
    Node {
        key: "unsupervised",
        x: 540.0,
        y: 148.0,
        lesson: Some(Route::Gan),
        ingredient: false,
    },
    Node {
        key: "open_models",
        x: 380.0,
        y: 258.0,
        lesson: None,
        ingredient: false,
    },
    Node {
        key: "algorithms",
        x: 100.0,
        y: 218.0,
        lesson: None,
        ingredient: true,
    },
    Node {
        key: "compute",
        x: 100.0,
        y: 300.0,
        lesson: None,
        ingredient: true,
    },
    Node {
        key: "datasets",
        x: 660.0,
        y: 218.0,
        lesson: None,
        ingredient: true,
    },
    Node {
        key: "community",
        x: 660.0,
        y: 300.0,
        lesson: None,
        ingredient: true,
    },
    Node {
        key: "customised",
        x: 380.0,
        y: 368.0,
        lesson: Some(Route::Transfer),
        ingredient: false,
    },
    Node {
        key: "vision",
        x: 220.0,
        y: 468.0,
        lesson: Some(Route::Detect),
        ingredient: false,
    },
    Node {
        key: "language",
        x: 540.0,
        y: 468.0,
        lesson: None,
        ingredient: false,
    },
];

const EDGES: &[(&str, &str)] = &[
    ("deep_learning", "supervised"),
    ("deep_learning", "unsupervised"),
    ("supervised", "open_models"),
    ("unsupervised", "open_models"),
    ("algorithms", "open_models"),
    ("compute", "open_models"),
    ("datasets", "open_models"),
    ("community", "open_models"),
    ("open_models", "customised"),
    ("customised", "vision"),
    ("customised", "language"),
];

fn node(key: &str) -> Option<&'static Node> {
    NODES.iter().find(|n| n.key == key)
}

/// Where the segment from the centre of `from` towards `to` leaves `from`'s box.
fn exit_point(from: &Node, to: &Node) -> (f64, f64) {
    let (dx, dy) = (to.x - from.x, to.y - from.y);
    let sx = if dx == 0.0 {
        f64::INFINITY
    } else {
        (WIDTH / 2.0) / dx.abs()
    };
    let sy = if dy == 0.0 {
        f64::INFINITY
    } else {
        (HEIGHT / 2.0) / dy.abs()
    };
    let s = sx.min(sy).min(1.0);
    (from.x + dx * s, from.y + dy * s)
}

#[component]
pub fn IdeaMap(props: &Props) -> Html {
    let lang = props.lang;
    let active = use_state(|| None::<&'static str>);

    let edges = EDGES.iter().filter_map(|(a, b)| {
        let (from, to) = (node(a)?, node(b)?);
        let (x1, y1) = exit_point(from, to);
        let (x2, y2) = exit_point(to, from);
        let lit = active.is_some_and(|k| k == from.key || k == to.key);
        Some(html! {
            <line
                class={classes!("map-edge", lit.then_some("lit"), to.ingredient.then_some("feed"), from.ingredient.then_some("feed"))}
                x1={x1.to_string()} y1={y1.to_string()} x2={x2.to_string()} y2={y2.to_string()}
                marker-end="url(#map-arrow)"
            />
        })
    });

    let nodes = NODES.iter().map(|n| {
        let label = t(lang, &format!("map.{}.label", n.key));
        let explain = t(lang, &format!("map.{}.explain", n.key));
        let is_active = *active == Some(n.key);
        let enter = {
            let active = active.clone();
            let key = n.key;
            Callback::from(move |_: MouseEvent| active.set(Some(key)))
        };
        let leave = {
            let active = active.clone();
            Callback::from(move |_: MouseEvent| active.set(None))
        };
        let focus = {
            let active = active.clone();
            let key = n.key;
            Callback::from(move |_: FocusEvent| active.set(Some(key)))
        };
        let blur = {
            let active = active.clone();
            Callback::from(move |_: FocusEvent| active.set(None))
        };
        let class = classes!(
            "map-node",
            n.lesson.is_some().then_some("has-lesson"),
            n.ingredient.then_some("ingredient"),
            is_active.then_some("active"),
        );
        let body = html! {
            <>
                <title>{format!("{label}: {explain}")}</title>
                <rect
                    x={(n.x - WIDTH / 2.0).to_string()}
                    y={(n.y - HEIGHT / 2.0).to_string()}
                    width={WIDTH.to_string()}
                    height={HEIGHT.to_string()}
                    rx="12"
                />
                <text x={n.x.to_string()} y={n.y.to_string()} text-anchor="middle" dominant-baseline="central">
                    {label.clone()}
                </text>
            </>
        };
        let id = format!("idea-{}", n.key.replace('_', "-"));
        match n.lesson {
            Some(route) => html! {
                <a
                    {id}
                    {class}
                    href={route.href()}
                    aria-label={format!("{label} — {}", t(lang, "map.open_lesson"))}
                    onmouseenter={enter}
                    onmouseleave={leave}
                    onfocus={focus}
                    onblur={blur}
                >
                    {body}
                </a>
            },
            None => html! {
                <g
                    {id}
                    {class}
                    tabindex="0"
                    role="img"
                    aria-label={format!("{label}: {explain}")}
                    onmouseenter={enter}
                    onmouseleave={leave}
                    onfocus={focus}
                    onblur={blur}
                >
                    {body}
                </g>
            },
        }
    });

    let explanation = match *active {
        Some(key) => {
            let label = t(lang, &format!("map.{key}.label"));
            let explain = t(lang, &format!("map.{key}.explain"));
            let lesson = node(key).and_then(|n| n.lesson).is_some();
            html! {
                <>
                    <strong>{label}</strong>{": "}{explain}
                    if lesson { {" "}<span class="lesson-tag">{t(lang, "map.has_lesson")}</span> }
                </>
            }
        }
        None => html! { <span class="muted">{t(lang, "map.hint")}</span> },
    };

    html! {
        <figure class="idea-map-figure">
            <svg
                id="idea-map"
                class="idea-map"
                viewBox="0 0 760 520"
                role="group"
                aria-label={t(lang, "home.map_title")}
            >
                <defs>
                    <marker id="map-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                        <path d="M 0 0 L 10 5 L 0 10 z" class="map-arrow-head" />
                    </marker>
                </defs>
                <g class="map-edges">{ for edges }</g>
                <g class="map-nodes">{ for nodes }</g>
            </svg>
            <figcaption id="idea-explain" class="idea-explain" aria-live="polite">{explanation}</figcaption>
        </figure>
    }
}
