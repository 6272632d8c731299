//! The widget's UI strings, one table per language, and the few numbers
//! they format (relative times, response times).

/// UI strings in one language.
pub struct Strings {
    pub lang: &'static str,
    pub open_help: &'static str,
    /// The panel's title until the brand's name is known.
    pub help: &'static str,
    pub close: &'static str,
    pub sections: &'static str,
    pub tab_search: &'static str,
    pub tab_answered: &'static str,
    pub tab_ask: &'static str,
    pub tab_mine: &'static str,
    pub badge_sr: &'static str,
    pub search: &'static str,
    pub results: &'static str,
    pub back: &'static str,
    pub loading: &'static str,
    pub none: &'static str,
    pub ask_it: &'static str,
    pub one: &'static str,
    pub many: &'static str,
    pub asked_by: &'static str,
    pub person: &'static str,
    pub people: &'static str,
    pub load_more: &'static str,
    pub feed_empty: &'static str,
    pub just_now: &'static str,
    pub ago_pre: &'static str,
    pub ago_post: &'static str,
    pub ask_label: &'static str,
    pub ask_send: &'static str,
    pub sending: &'static str,
    pub similar: &'static str,
    pub show_answer: &'static str,
    pub waiting: &'static str,
    pub mine_too: &'static str,
    pub out_answered: &'static str,
    pub grouped_one: &'static str,
    pub grouped_pre: &'static str,
    pub grouped_post: &'static str,
    pub grouped_some: &'static str,
    pub new_pre: &'static str,
    pub hours_pre: &'static str,
    pub new_post: &'static str,
    pub minutes: &'static str,
    pub hour: &'static str,
    pub hours: &'static str,
    pub out_private: &'static str,
    pub out_rejected: &'static str,
    pub ask_again: &'static str,
    pub mine_empty: &'static str,
    pub solved_q: &'static str,
    pub yes: &'static str,
    pub no: &'static str,
    pub solved_thanks: &'static str,
    pub follow_up: &'static str,
    pub st_open: &'static str,
    pub st_answered: &'static str,
    pub st_private: &'static str,
    pub st_rejected: &'static str,
}

pub const EN: Strings = Strings {
    lang: "en",
    open_help: "Open help",
    help: "Help",
    close: "Close help",
    sections: "Help sections",
    tab_search: "Search",
    tab_answered: "Answered",
    tab_ask: "Ask",
    tab_mine: "My questions",
    badge_sr: " new answers",
    search: "Search help articles",
    results: "Help articles",
    back: "Back",
    loading: "Loading…",
    none: "No results",
    ask_it: "ask this question",
    one: "1 result",
    many: "results",
    asked_by: "Asked by",
    person: "person",
    people: "people",
    load_more: "Load more",
    feed_empty: "No answered questions yet.",
    just_now: "just now",
    ago_pre: "",
    ago_post: " ago",
    ask_label: "Your question",
    ask_send: "Ask",
    sending: "Sending…",
    similar: "Similar questions",
    show_answer: "Show answer",
    waiting: "Waiting for an answer",
    mine_too: "This is my question too",
    out_answered: "Others asked this too. Here is the answer:",
    grouped_one: "1 other person asked this; we'll answer here.",
    grouped_pre: "",
    grouped_post: " others asked this; we'll answer here.",
    grouped_some: "Others asked this too; we'll answer here.",
    new_pre: "Thanks! We usually answer within ",
    hours_pre: "Our hours: ",
    new_post: "The answer will appear under My questions.",
    minutes: "minutes",
    hour: "hour",
    hours: "hours",
    out_private: "Your question contains personal details, so we kept it private: it will not appear in public. We will answer you under My questions.",
    out_rejected: "Sorry, we could not accept this question. Please rephrase it and try again.",
    ask_again: "Ask another question",
    mine_empty: "You have not asked anything yet.",
    solved_q: "Did this solve it?",
    yes: "Yes",
    no: "No",
    solved_thanks: "Thanks for telling us!",
    follow_up: "Ask a follow-up",
    st_open: "Waiting for an answer",
    st_answered: "Answered",
    st_private: "Private, waiting for an answer",
    st_rejected: "Not accepted",
};

pub const ES: Strings = Strings {
    lang: "es",
    open_help: "Abrir ayuda",
    help: "Ayuda",
    close: "Cerrar ayuda",
    sections: "Secciones de ayuda",
    tab_search: "Buscar",
    tab_answered: "Respondidas",
    tab_ask: "Preguntar",
    tab_mine: "Mis preguntas",
    badge_sr: " respuestas nuevas",
    search: "Buscar en la ayuda",
    results: "Artículos de ayuda",
    back: "Volver",
    loading: "Cargando…",
    none: "Sin resultados",
    ask_it: "haz esta pregunta",
    one: "1 resultado",
    many: "resultados",
    asked_by: "Preguntado por",
    person: "persona",
    people: "personas",
    load_more: "Cargar más",
    feed_empty: "Aún no hay preguntas respondidas.",
    just_now: "ahora mismo",
    ago_pre: "hace ",
    ago_post: "",
    ask_label: "Tu pregunta",
    ask_send: "Preguntar",
    sending: "Enviando…",
    similar: "Preguntas parecidas",
    show_answer: "Ver respuesta",
    waiting: "Esperando respuesta",
    mine_too: "Esta también es mi pregunta",
    out_answered: "Otras personas ya lo preguntaron. Esta es la respuesta:",
    grouped_one: "Otra persona preguntó esto; responderemos aquí.",
    grouped_pre: "Otras ",
    grouped_post: " personas preguntaron esto; responderemos aquí.",
    grouped_some: "Otras personas preguntaron esto; responderemos aquí.",
    new_pre: "¡Gracias! Solemos responder en ",
    hours_pre: "Horario: ",
    new_post: "La respuesta aparecerá en Mis preguntas.",
    minutes: "minutos",
    hour: "hora",
    hours: "horas",
    out_private: "Tu pregunta contiene datos personales, así que la hemos mantenido privada: no aparecerá en público. Te responderemos en Mis preguntas.",
    out_rejected: "Lo sentimos, no hemos podido aceptar esta pregunta. Reformúlala e inténtalo de nuevo.",
    ask_again: "Hacer otra pregunta",
    mine_empty: "Aún no has preguntado nada.",
    solved_q: "¿Te ha resuelto el problema?",
    yes: "Sí",
    no: "No",
    solved_thanks: "¡Gracias por decírnoslo!",
    follow_up: "Hacer otra pregunta",
    st_open: "Esperando respuesta",
    st_answered: "Respondida",
    st_private: "Privada, esperando respuesta",
    st_rejected: "No aceptada",
};

/// The table for `lang` (`es…` is Spanish, anything else English).
pub fn strings(lang: &str) -> &'static Strings {
    if lang.starts_with("es") { &ES } else { &EN }
}

/// "3 min ago" for a time `at` (ms) seen at `now` (ms).
pub fn ago(t: &Strings, at: i64, now: i64) -> String {
    let s = now.saturating_sub(at).max(0) / 1000;
    let (n, unit) = match s {
        0..60 => return t.just_now.to_string(),
        60..3600 => (s / 60, "min"),
        3600..86400 => (s / 3600, "h"),
        _ => (s / 86400, "d"),
    };
    format!("{}{n} {unit}{}", t.ago_pre, t.ago_post)
}

/// "2 hours", "45 minutes", "1 hour 30 minutes".
pub fn duration(t: &Strings, minutes: u32) -> String {
    let (h, m) = (minutes / 60, minutes % 60);
    let hours = match h {
        0 => String::new(),
        1 => format!("1 {}", t.hour),
        h => format!("{h} {}", t.hours),
    };
    match (h, m) {
        (_, 0) if h > 0 => hours,
        (0, m) => format!("{m} {}", t.minutes),
        _ => format!("{hours} {m} {}", t.minutes),
    }
}

/// "Asked by 3 people".
pub fn asked_by(t: &Strings, n: u32) -> String {
    format!(
        "{} {n} {}",
        t.asked_by,
        if n == 1 { t.person } else { t.people }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(ago(&EN, 0, 30_000), "just now");
        assert_eq!(ago(&EN, 0, 5 * 60_000), "5 min ago");
        assert_eq!(ago(&ES, 0, 3 * 3_600_000), "hace 3 h");
        assert_eq!(ago(&EN, 10, 0), "just now");
        assert_eq!(duration(&EN, 120), "2 hours");
        assert_eq!(duration(&EN, 45), "45 minutes");
        assert_eq!(duration(&EN, 90), "1 hour 30 minutes");
        assert_eq!(duration(&ES, 0), "0 minutos");
        assert_eq!(asked_by(&EN, 1), "Asked by 1 person");
        assert_eq!(asked_by(&ES, 3), "Preguntado por 3 personas");
    }
}
