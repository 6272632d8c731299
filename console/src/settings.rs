//! Brand settings (leads): name, colour, greeting, languages, hours,
//! promised response time, allowed origins and the private follow-up
//! channel, with a live preview of the widget drawn from the unsaved form.
//!
//! The preview is a static likeness of the widget's panel and launcher,
//! styled by the widget's own custom properties (`--c` the brand colour,
//! `--t` the text on it) and with `--t` chosen by the rule `www/embed.js`
//! uses (black or white, by the colour's relative luminance), so what the
//! lead sees is the contrast customers will get.

use chorus_core::api::Settings;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::app::Ctx;
use crate::dom::{focus_by_id, focus_heading};
use crate::i18n::Strings;

/// `#rrggbb` → its three channels.
fn rgb(hex: &str) -> Option<[u8; 3]> {
    let h = hex.strip_prefix('#')?;
    if h.len() != 6 || !h.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let n = u32::from_str_radix(h, 16).ok()?;
    Some([(n >> 16) as u8, (n >> 8) as u8, n as u8])
}

/// WCAG relative luminance of `#rrggbb`.
pub fn luminance(hex: &str) -> Option<f64> {
    let [r, g, b] = rgb(hex)?;
    let lin = |c: u8| {
        let c = c as f64 / 255.0;
        if c <= 0.03928 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    Some(0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b))
}

/// The text colour on the brand colour, exactly as `www/embed.js` picks it.
pub fn text_on(hex: &str) -> &'static str {
    match luminance(hex) {
        Some(l) if l > 0.179 => "#000",
        _ => "#fff",
    }
}

/// Contrast ratio of [`text_on`] over the colour (≥ 4.58 by construction).
pub fn contrast(hex: &str) -> f64 {
    let l = luminance(hex).unwrap_or(0.0);
    if l > 0.179 {
        (l + 0.05) / 0.05
    } else {
        1.05 / (l + 0.05)
    }
}

/// Whether `s` is a colour the API accepts.
pub fn valid_color(s: &str) -> bool {
    rgb(s.trim()).is_some()
}

/// The widget's own words for the preview (from `widget/src/i18n.rs`).
fn widget_words(lang: &str) -> [&'static str; 6] {
    if lang == "es" {
        [
            "Buscar",
            "Respondidas",
            "Preguntar",
            "Mis preguntas",
            "Buscar en la ayuda",
            "Horario: ",
        ]
    } else {
        [
            "Search",
            "Answered",
            "Ask",
            "My questions",
            "Search help articles",
            "Our hours: ",
        ]
    }
}

/// The form's fields, as text.
#[derive(Clone, Copy)]
struct Form {
    name: RwSignal<String>,
    color: RwSignal<String>,
    greeting: RwSignal<String>,
    en: RwSignal<bool>,
    es: RwSignal<bool>,
    default_lang: RwSignal<String>,
    hours: RwSignal<String>,
    target: RwSignal<String>,
    origins: RwSignal<String>,
    followup: RwSignal<String>,
}

impl Form {
    fn new() -> Self {
        Self {
            name: RwSignal::new(String::new()),
            color: RwSignal::new(String::new()),
            greeting: RwSignal::new(String::new()),
            en: RwSignal::new(true),
            es: RwSignal::new(false),
            default_lang: RwSignal::new("en".into()),
            hours: RwSignal::new(String::new()),
            target: RwSignal::new(String::new()),
            origins: RwSignal::new(String::new()),
            followup: RwSignal::new(String::new()),
        }
    }

    fn fill(&self, s: &Settings) {
        self.name.set(s.name.clone().unwrap_or_default());
        self.color.set(s.color.clone().unwrap_or_default());
        self.greeting.set(s.greeting.clone().unwrap_or_default());
        let langs = s.languages.clone().unwrap_or_else(|| vec!["en".into()]);
        self.en.set(langs.iter().any(|l| l == "en"));
        self.es.set(langs.iter().any(|l| l == "es"));
        self.default_lang
            .set(langs.first().cloned().unwrap_or_else(|| "en".into()));
        self.hours.set(s.hours.clone().unwrap_or_default());
        self.target.set(
            s.response_target_minutes
                .map(|m| m.to_string())
                .unwrap_or_default(),
        );
        self.origins
            .set(s.allowed_origins.clone().unwrap_or_default().join("\n"));
        self.followup
            .set(s.private_followup.clone().unwrap_or_default());
    }

    /// Languages in order, the default first.
    fn languages(&self) -> Vec<String> {
        let mut out = Vec::new();
        let d = self.default_lang.get();
        for (code, on) in [("en", self.en.get()), ("es", self.es.get())] {
            if on {
                out.push(code.to_string());
            }
        }
        if let Some(i) = out.iter().position(|l| *l == d) {
            let l = out.remove(i);
            out.insert(0, l);
        }
        out
    }

    /// The settings as the form says, or the field that is wrong.
    fn read(&self, t: &'static Strings) -> Result<Settings, (&'static str, String)> {
        let color = self.color.get().trim().to_ascii_lowercase();
        if !valid_color(&color) {
            return Err(("set-color", t.err_color.into()));
        }
        let languages = self.languages();
        if languages.is_empty() {
            return Err(("set-lang-en", t.err_languages.into()));
        }
        let target = match self.target.get().trim().parse::<u32>() {
            Ok(m) if (1..=10_080).contains(&m) => m,
            _ => return Err(("set-target", t.err_target.into())),
        };
        let origins: Vec<String> = self
            .origins
            .get()
            .lines()
            .map(|l| l.trim().trim_end_matches('/').to_string())
            .filter(|l| !l.is_empty())
            .collect();
        if origins
            .iter()
            .any(|o| !(o.starts_with("https://") || o.starts_with("http://")))
        {
            return Err(("set-origins", t.err_origin.into()));
        }
        Ok(Settings {
            name: Some(self.name.get().trim().to_string()),
            color: Some(color),
            languages: Some(languages),
            hours: Some(self.hours.get().trim().to_string()),
            response_target_minutes: Some(target),
            greeting: Some(self.greeting.get().trim().to_string()),
            allowed_origins: Some(origins),
            private_followup: Some(self.followup.get().trim().to_string()),
        })
    }
}

/// The field an API error is about (`invalid_color` → the colour, …).
fn field_of(code: &str, message: &str) -> Option<&'static str> {
    Some(match code {
        "invalid_color" => "set-color",
        "invalid_language" => "set-lang-en",
        "invalid_response_target" => "set-target",
        "invalid_origin" => "set-origins",
        "invalid_field" => {
            let m = message.trim_start();
            if m.starts_with("name") {
                "set-name"
            } else if m.starts_with("hours") {
                "set-hours"
            } else if m.starts_with("greeting") {
                "set-greeting"
            } else if m.starts_with("private_followup") {
                "set-followup"
            } else {
                return None;
            }
        }
        _ => return None,
    })
}

/// The settings view (leads only; the shell shows it to leads).
#[component]
pub fn SettingsView() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let t = ctx.t.get_untracked();
    let f = Form::new();
    let saved = RwSignal::new(None::<Settings>);
    let error = RwSignal::new(None::<String>);
    // The field the last error is about: `aria-invalid` and its message.
    let bad = RwSignal::new(None::<&'static str>);
    let busy = RwSignal::new(false);
    if let Some(client) = ctx.client() {
        spawn_local(async move {
            match client.settings().await {
                Ok(s) => {
                    f.fill(&s);
                    saved.set(Some(s));
                }
                Err(e) => error.set(Some(ctx.fail(&e))),
            }
        });
    }
    focus_heading();
    let unsaved = move || {
        saved.with(|s| match s {
            Some(s) => f.read(t).map(|now| now != *s).unwrap_or(true),
            None => false,
        })
    };
    let submit = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        let input = match f.read(t) {
            Ok(s) => s,
            Err((field, msg)) => {
                bad.set(Some(field));
                error.set(Some(msg));
                focus_by_id(field);
                return;
            }
        };
        let Some(client) = ctx.client() else { return };
        busy.set(true);
        spawn_local(async move {
            match client.put_settings(&input).await {
                Ok(s) => {
                    f.fill(&s);
                    saved.set(Some(s));
                    bad.set(None);
                    error.set(None);
                    ctx.say(t.settings_saved);
                }
                Err(e) => {
                    let field = field_of(&e.code, &e.message);
                    bad.set(field);
                    error.set(Some(ctx.fail(&e)));
                    if let Some(id) = field {
                        focus_by_id(id);
                    }
                }
            }
            busy.set(false);
        });
    };
    let invalid = move |id: &'static str| {
        move || {
            if bad.get() == Some(id) {
                "true"
            } else {
                "false"
            }
        }
    };
    let described = move |id: &'static str, hint: &'static str| {
        move || {
            if bad.get() == Some(id) {
                format!("{hint} settings-error")
            } else {
                hint.to_string()
            }
        }
    };
    let text_field = move |id: &'static str,
                           label: &'static str,
                           hint: Option<(&'static str, &'static str)>,
                           value: RwSignal<String>,
                           max: &'static str| {
        let hint_id = hint.map(|(h, _)| h).unwrap_or("");
        view! {
            <label for=id>{label}</label>
            <input id=id maxlength=max aria-invalid=invalid(id) aria-describedby=described(id, hint_id)
                prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))/>
            {hint.map(|(h, text)| view! { <p id=h class="hint">{text}</p> })}
        }
    };

    view! {
        <div class="view settings">
            <div class="view-head">
                <h1 tabindex="-1">{t.settings_title}</h1>
                <p class="muted small unsaved" aria-live="polite">{move || (t.settings_unsaved)(unsaved())}</p>
            </div>
            <div class="columns">
                <div class="col">
                    <form class="card editor" on:submit=submit novalidate>
                        <h2>{t.set_brand}</h2>
                        {text_field("set-name", t.set_name, None, f.name, "100")}
                        <label for="set-color">{t.set_color}</label>
                        <div class="color-row">
                            <input id="set-color" maxlength="7" aria-invalid=invalid("set-color")
                                aria-describedby=described("set-color", "set-color-hint")
                                prop:value=move || f.color.get() on:input=move |ev| f.color.set(event_target_value(&ev))/>
                            <input id="set-color-pick" type="color" aria-label=t.set_color_pick
                                prop:value=move || { let c = f.color.get(); if valid_color(&c) { c.trim().to_ascii_lowercase() } else { "#000000".into() } }
                                on:input=move |ev| f.color.set(event_target_value(&ev))/>
                        </div>
                        <p id="set-color-hint" class="hint">{t.set_color_hint}" "
                            <span class="contrast">{move || { let c = f.color.get(); valid_color(&c).then(|| (t.contrast)(&format!("{:.1}", contrast(c.trim())))) }}</span>
                        </p>
                        {text_field("set-greeting", t.set_greeting, None, f.greeting, "300")}
                        <fieldset aria-describedby=described("set-lang-en", "")>
                            <legend>{t.set_languages}</legend>
                            <label class="check"><input type="checkbox" id="set-lang-en" aria-invalid=invalid("set-lang-en")
                                prop:checked=move || f.en.get() on:change=move |ev| f.en.set(event_target_checked(&ev))/>" English"</label>
                            <label class="check"><input type="checkbox" id="set-lang-es"
                                prop:checked=move || f.es.get() on:change=move |ev| f.es.set(event_target_checked(&ev))/>" Español"</label>
                        </fieldset>
                        <label for="set-default-lang">{t.set_default_lang}</label>
                        <select id="set-default-lang" on:change=move |ev| f.default_lang.set(event_target_value(&ev))>
                            <option value="en" selected=move || f.default_lang.get() == "en">"English"</option>
                            <option value="es" selected=move || f.default_lang.get() == "es">"Español"</option>
                        </select>
                        {text_field("set-hours", t.set_hours, None, f.hours, "200")}
                        <label for="set-target">{t.set_target}</label>
                        <input id="set-target" type="number" min="1" max="10080" step="1" inputmode="numeric"
                            aria-invalid=invalid("set-target") aria-describedby=described("set-target", "set-target-hint")
                            prop:value=move || f.target.get() on:input=move |ev| f.target.set(event_target_value(&ev))/>
                        <p id="set-target-hint" class="hint">{t.set_target_hint}</p>
                        <label for="set-origins">{t.set_origins}</label>
                        <textarea id="set-origins" rows="3" aria-invalid=invalid("set-origins")
                            aria-describedby=described("set-origins", "set-origins-hint")
                            prop:value=move || f.origins.get() on:input=move |ev| f.origins.set(event_target_value(&ev))></textarea>
                        <p id="set-origins-hint" class="hint">{t.set_origins_hint}</p>
                        {text_field("set-followup", t.set_followup, Some(("set-followup-hint", t.set_followup_hint)), f.followup, "300")}
                        <Show when=move || error.get().is_some()>
                            <p class="error" role="alert" id="settings-error">{move || error.get().unwrap_or_default()}</p>
                        </Show>
                        <div class="actions">
                            <button type="submit" id="settings-save" class="primary" disabled=move || busy.get() || saved.get().is_none()>{t.save}</button>
                            <button type="button" id="settings-reset" disabled=move || !unsaved()
                                on:click=move |_| { if let Some(s) = saved.get_untracked() { f.fill(&s); bad.set(None); error.set(None); } }>{t.cancel}</button>
                        </div>
                    </form>
                </div>
                <div class="col">
                    <Preview f=f/>
                </div>
            </div>
        </div>
    }
}

/// The widget as the unsaved form would make it.
#[component]
fn Preview(f: Form) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let t = ctx.t.get_untracked();
    let color = move || {
        let c = f.color.get();
        if valid_color(&c) {
            c.trim().to_ascii_lowercase()
        } else {
            "#2563eb".to_string()
        }
    };
    let style = move || {
        let c = color();
        format!("--c:{c};--t:{}", text_on(&c))
    };
    let lang = move || {
        let l = f.languages();
        l.first().cloned().unwrap_or_else(|| "en".into())
    };
    let words = move || widget_words(&lang());
    // Sample content in the widget's language, not the console's.
    let wt = move || crate::i18n::strings(&lang());
    view! {
        <section class="card" aria-labelledby="wp-h">
            <h2 id="wp-h">{t.widget_preview}</h2>
            <p class="hint">{t.preview_hint}</p>
            <div class="wp" id="widget-preview" style=style lang=lang>
                <div class="wp-panel">
                    <div class="wp-head">
                        <p class="wp-title">{move || f.name.get()}</p>
                        <p class="wp-greeting">{move || f.greeting.get()}</p>
                    </div>
                    <div class="wp-tabs" aria-hidden="true">
                        <span class="wp-tab on">{move || words()[0]}</span>
                        <span class="wp-tab">{move || words()[1]}</span>
                        <span class="wp-tab">{move || words()[2]}</span>
                        <span class="wp-tab">{move || words()[3]}</span>
                    </div>
                    <div class="wp-body">
                        <div class="wp-search" aria-hidden="true">{move || words()[4]}</div>
                        <div class="wp-qa">
                            <p class="wp-q">{move || wt().sample_question}</p>
                            <p class="wp-a">{move || wt().sample_answer}</p>
                            <p class="wp-by"><span class="wp-ini">"GH"</span>" Grace Hopper"</p>
                        </div>
                        <p class="wp-foot">
                            {move || { let h = f.hours.get(); (!h.trim().is_empty()).then(|| format!("{}{}", words()[5], h.trim())) }}
                        </p>
                        <p class="wp-foot">
                            {move || f.target.get().trim().parse::<u32>().ok().map(|m| (wt().within)(m))}
                        </p>
                        <p class="wp-foot wp-private">{move || f.followup.get()}</p>
                    </div>
                </div>
                <div class="wp-launcher" aria-hidden="true">
                    <svg viewBox="0 0 24 24"><path d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z"/></svg>
                </div>
            </div>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_colour_follows_embed_js() {
        assert_eq!(text_on("#ffffff"), "#000");
        assert_eq!(text_on("#000000"), "#fff");
        assert_eq!(text_on("#0f766e"), "#fff");
        assert_eq!(text_on("#facc15"), "#000");
        for c in ["#777777", "#0f766e", "#facc15", "#ff0000", "#2563eb"] {
            assert!(contrast(c) >= 4.5, "{c}: {}", contrast(c));
        }
        assert!(!valid_color("purple"));
        assert!(valid_color("#7C3AED"));
    }
}
