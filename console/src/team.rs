//! The team (leads): list the brand's agents, add one (its token is shown
//! once, for the lead to hand over), remove one (their answers stay, signed
//! "Support team"). A lead cannot remove themselves; the edge refuses it too.

use chorus_core::api::{CreateAgent, Role, TeamMember};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::app::Ctx;
use crate::dom::{focus_by_id, focus_heading};
use crate::secret::{ConfirmButton, ShownOnce};

/// The team view.
#[component]
pub fn TeamView() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let t = ctx.t.get_untracked();
    let me = ctx
        .me
        .get_untracked()
        .map(|m| m.agent_id)
        .unwrap_or_default();
    let members = RwSignal::new(Vec::<TeamMember>::new());
    let loaded = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let confirming = RwSignal::new(None::<String>);
    let name = RwSignal::new(String::new());
    let role = RwSignal::new("agent".to_string());
    let photo = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let token = RwSignal::new(None::<String>);

    let load = ctx.loader(|c| async move { c.team().await }, members, error, loaded);
    load();
    focus_heading();

    let add = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        let n = name.get_untracked().trim().to_string();
        if n.is_empty() {
            error.set(Some(t.err_required.into()));
            focus_by_id("agent-name");
            return;
        }
        let p = photo.get_untracked().trim().to_string();
        let input = CreateAgent {
            name: n.clone(),
            initials: None,
            avatar_url: (!p.is_empty()).then_some(p),
            role: if role.get_untracked() == "lead" {
                Role::Lead
            } else {
                Role::Agent
            },
        };
        let Some(client) = ctx.client() else { return };
        busy.set(true);
        spawn_local(async move {
            match client.create_agent(&input).await {
                Ok(created) => {
                    name.set(String::new());
                    photo.set(String::new());
                    error.set(None);
                    token.set(Some(created.token));
                    ctx.say((t.agent_added)(&n));
                    load();
                }
                Err(e) => error.set(Some(ctx.fail(&e))),
            }
            busy.set(false);
        });
    };
    let remove = move |m: TeamMember| {
        let Some(client) = ctx.client() else { return };
        spawn_local(async move {
            match client.remove_agent(&m.agent_id).await {
                Ok(()) => {
                    confirming.set(None);
                    ctx.say((t.agent_removed)(&m.name));
                    load();
                    focus_heading();
                }
                Err(e) => error.set(Some(ctx.fail(&e))),
            }
        });
    };
    let me = StoredValue::new(me);

    view! {
        <div class="view team">
            <div class="view-head"><h1 tabindex="-1">{t.team_title}</h1></div>
            <Show when=move || error.get().is_some()>
                <p class="error" role="alert">{move || error.get().unwrap_or_default()}</p>
            </Show>
            <div class="columns">
                <div class="col">
                    <Show when=move || loaded.get() fallback=move || view! { <p class="muted">{t.loading}</p> }>
                        <Show when=move || !members.get().is_empty() fallback=move || view! { <p class="muted">{t.no_agents}</p> }>
                            <ul class="members">
                                <For each=move || members.get() key=|m| m.agent_id.clone() let:m>
                                    {
                                        let is_me = me.with_value(|id| *id == m.agent_id);
                                        let id = m.agent_id.clone();
                                        let m2 = m.clone();
                                        let role_name = match m.role { Role::Lead => t.role_lead, Role::Agent => t.role_agent };
                                        let avatar = m.avatar_url.clone().filter(|u| {
                                            chorus_core::markdown::safe_href(u).is_some_and(|h| h.starts_with("http"))
                                        });
                                        view! {
                                            <li class="member" data-agent=m.agent_id.clone()>
                                                {match avatar {
                                                    Some(src) => view! { <img class="avatar" src=src alt="" width="32" height="32"/> }.into_any(),
                                                    None => view! { <span class="avatar initials" aria-hidden="true">{m.initials.clone()}</span> }.into_any(),
                                                }}
                                                <span class="who">
                                                    <span class="name">{m.name.clone()}{is_me.then(|| format!(" ({})", t.you))}</span>
                                                    <span class="role">{role_name}</span>
                                                </span>
                                                <div class="actions">
                                                    {(!is_me).then(|| view! {
                                                        <ConfirmButton id=id name=m.name.clone() confirming label=t.remove confirm=t.confirm_remove class="remove"
                                                            act=move |()| remove(m2.clone())/>
                                                    })}
                                                </div>
                                            </li>
                                        }
                                    }
                                </For>
                            </ul>
                        </Show>
                    </Show>
                </div>
                <div class="col">
                    {move || token.get().map(|tok| view! {
                        <ShownOnce id="new-token" label=t.token_once value=tok done=move || { token.set(None); focus_by_id("agent-name"); }/>
                    })}
                    <form class="card editor" on:submit=add novalidate>
                        <h2>{t.add_agent}</h2>
                        <label for="agent-name">{t.agent_name}</label>
                        <input id="agent-name" maxlength="100" autocomplete="off" prop:value=move || name.get()
                            on:input=move |ev| name.set(event_target_value(&ev))/>
                        <label for="agent-role">{t.agent_role}</label>
                        <select id="agent-role" on:change=move |ev| role.set(event_target_value(&ev))>
                            <option value="agent" selected=move || role.get() == "agent">{t.role_agent}</option>
                            <option value="lead" selected=move || role.get() == "lead">{t.role_lead}</option>
                        </select>
                        <label for="agent-photo">{t.agent_photo}{t.optional}</label>
                        <input id="agent-photo" type="url" maxlength="500" prop:value=move || photo.get()
                            on:input=move |ev| photo.set(event_target_value(&ev))/>
                        <div class="actions">
                            <button type="submit" id="agent-add" class="primary" disabled=move || busy.get()>{t.add_agent}</button>
                        </div>
                    </form>
                </div>
            </div>
        </div>
    }
}
