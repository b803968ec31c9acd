import {
  CONTACT_SOURCES,
  contactSourceText,
  type EndUser,
  METHODS,
  type WeakerChoice,
  weakerChoiceText,
} from '@qdesk/core';
import { html } from 'hono/html';
import { layout, when } from './layout.js';
import { METHOD_NAME, WEAKER_METHODS } from './methods.js';
import { staffChrome } from './pages.js';
import { type PolicyLayer, TENANT_LAYER } from './policy-api.js';
import type { Technician } from './security.js';

// The administrator's policy page: per customer, the methods in force and a form to change them. A weaker choice
// needs a reason the first time it is turned on; the reason becomes the recorded risk acceptance.

const WEAKER: WeakerChoice[] = ['push', 'email', 'email_fallback', 'compare'];
const date = (at: number) => new Date(at).toISOString().slice(0, 10);

function layerCard(layer: PolicyLayer) {
  const key = layer.customerId ?? TENANT_LAYER;
  const p = layer.effective;
  const box = (group: string, value: string, label: string, checked: boolean, weaker = false) =>
    html`<label class="method ${weaker ? 'weaker' : ''}"><input type="checkbox" name="${group}" value="${value}" ${checked ? 'checked' : ''} /> ${label}${weaker ? ' (weaker: needs a reason)' : ''}</label>`;
  const accepted = new Map(p.riskAcceptances.map((a) => [a.choice, a]));
  return html`<section class="card policy" data-customer="${key}" data-version="${layer.stored?.version ?? 0}" aria-labelledby="p-${key}">
    <h2 id="p-${key}">${layer.name}</h2>
    <p class="effective">In force: <span class="methods">${p.methods.map((m) => METHOD_NAME[m]).join(', ')}</span>; falls back to ${p.fallback.join(', ') || 'nothing'}; code modes ${p.allowedCodeModes.join(', ')}; SMS to numbers from ${p.smsSources === 'any' ? 'any source' : p.smsSources.map(contactSourceText).join(' or ')}, a number changed in the last ${p.newPhoneDays} days counts as new.
      ${layer.stored ? html`<small>Stored layer v${layer.stored.version}, by ${layer.stored.updatedBy.name} on ${date(layer.stored.updatedAt)}.</small>` : html`<small>No layer of its own: the tenant's default applies.</small>`}</p>
    ${when(
      accepted.size > 0,
      html`<ul class="acceptances">${[...accepted.values()].map((a) => html`<li data-choice="${a.choice}">Accepted ${weakerChoiceText(a.choice)}: ${a.acceptedBy.name}, ${date(a.acceptedAt)}: “${a.reason}”</li>`)}</ul>`,
    )}
    <form class="policy-form">
      <fieldset><legend>Methods</legend>
        ${METHODS.map((m) => box('methods', m, METHOD_NAME[m], p.methods.includes(m), WEAKER_METHODS.has(m)))}
      </fieldset>
      <fieldset><legend>When a push cannot reach the app, fall back to</legend>
        ${box('fallback', 'sms', 'SMS code', p.fallback.includes('sms'))}
        ${box('fallback', 'email', 'Email code', p.fallback.includes('email'), true)}
      </fieldset>
      <fieldset><legend>Code modes</legend>
        ${box('codeModes', 'verify', 'QDesk checks the code the technician types', p.allowedCodeModes.includes('verify'))}
        ${box('codeModes', 'compare', 'The technician compares the code by eye', p.allowedCodeModes.includes('compare'), true)}
      </fieldset>
      <fieldset><legend>Text codes only to mobile numbers from</legend>
        ${CONTACT_SOURCES.map((source) =>
          box(
            'smsSources',
            source,
            contactSourceText(source),
            p.smsSources === 'any' || p.smsSources.includes(source),
          ),
        )}
        <label class="reason">Treat a number changed in the last <input name="newPhoneDays" type="number" min="0" max="365" value="${p.newPhoneDays}" inputmode="numeric" /> days as new (no code texted to it; 0 turns this off)</label>
      </fieldset>
      <fieldset><legend>Why accept a weaker choice? (needed when you turn one on)</legend>
        ${WEAKER.map(
          (choice) =>
            html`<label class="reason">Why accept ${weakerChoiceText(choice)}? <input name="reason-${choice}" maxlength="500" autocomplete="off" placeholder="${accepted.has(choice) ? 'accepted already; a new reason replaces it' : 'at least 10 characters'}" /></label>`,
        )}
      </fieldset>
      <button type="submit" class="primary">Save</button>
      <span class="policy-message" role="status"></span>
    </form>
  </section>`;
}

export function policiesPage(v: {
  layers: PolicyLayer[];
  endUsers: EndUser[];
  csrf: string;
  demo: boolean;
  tech: Technician;
}) {
  return layout(
    'Policies',
    html`<h1>Verification policies</h1>
      <p class="muted">QDesk runs the NIST SP 800-63B rev 4 defaults: number match, push + code and SMS (restricted),
        checked codes, SMS as the fallback. A customer may turn on a weaker choice only with a written reason, kept as
        its risk acceptance; every note of a verification that used one says so.</p>
      ${v.layers.map(layerCard)}
      <section class="card" aria-labelledby="unlock-h">
        <h2 id="unlock-h">Unlock an end-user</h2>
        <p class="muted">After too many failed checks in a row, every check and send for the end-user is refused until you unlock them.</p>
        <form id="unlock-form">
          <label>End-user <select name="endUserId">${v.endUsers.map((u) => html`<option value="${u.id}">${u.displayName} (${u.email})</option>`)}</select></label>
          <label>Reason <input name="reason" required minlength="5" maxlength="300" autocomplete="off" /></label>
          <button type="submit">Unlock</button>
          <span id="unlock-message" role="status"></span>
        </form>
      </section>`,
    { script: 'policies.js', csrf: v.csrf, demo: v.demo, chrome: staffChrome(v.tech) },
  );
}

/** What a technician sees instead: policies are an administrator's task. */
export function adminOnlyPage(demo: boolean, next: string, adminRole: string | null, tech: Technician) {
  const how = demo
    ? html`<form method="post" action="/login"><input type="hidden" name="next" value="${next}" /><input type="hidden" name="staff" value="admin-demo" /><button type="submit">Sign in as the demo administrator</button></form>`
    : html`<p>Your account has the technician role. The administrator role comes from your identity provider: ask
        your administrator to give you "${adminRole}", then <a href="/login?next=${encodeURIComponent(next)}">sign in again</a>.</p>`;
  return layout(
    'Administrators only',
    html`<h1>Administrators only</h1>
      <p>Verification policies and unlocks are changed by an administrator, and every change is recorded.</p>
      ${how}`,
    { demo, chrome: staffChrome(tech) },
  );
}
