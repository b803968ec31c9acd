// The administrator's policy page: save a customer's methods, fallback and code modes (with a reason for each weaker
// choice newly turned on), and unlock an end-user. The server and core validate everything again.
import { busy, call, tabStorage } from './api.js';

const METHOD_ORDER = ['number_match', 'push_code', 'sms', 'push', 'email'];
/** How many contact sources the form offers (core's CONTACT_SOURCES). */
const SOURCES = 5;

function settingsOf(form) {
  const data = new FormData(form);
  const picked = (name) => data.getAll(name).map(String);
  const methods = METHOD_ORDER.filter((m) => picked('methods').includes(m));
  const allowedCodeModes = ['verify', 'compare'].filter((m) => picked('codeModes').includes(m));
  return {
    methods,
    fallback: ['sms', 'email'].filter((r) => picked('fallback').includes(r)),
    allowedCodeModes,
    // Every source ticked is no restriction at all ('any', which also covers a number whose source is unrecorded).
    smsSources: picked('smsSources').length === SOURCES ? 'any' : picked('smsSources'),
    newPhoneDays: Number(data.get('newPhoneDays') ?? 7),
    // New sessions check the code the technician types whenever that is allowed.
    ...(allowedCodeModes.length
      ? { codeMode: allowedCodeModes.includes('verify') ? 'verify' : 'compare' }
      : {}),
  };
}

/** A reason typed next to a weaker choice becomes its risk acceptance; core keeps earlier ones still in use. */
function acceptancesOf(form) {
  const data = new FormData(form);
  return ['push', 'email', 'email_fallback', 'compare']
    .map((choice) => ({ choice, reason: String(data.get(`reason-${choice}`) ?? '').trim() }))
    .filter((a) => a.reason.length > 0);
}

for (const section of document.querySelectorAll('section.policy')) {
  const form = section.querySelector('form.policy-form');
  const message = section.querySelector('.policy-message');
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    message.textContent = '';
    const accept = acceptancesOf(form);
    try {
      await busy(form.querySelector('button[type="submit"]'), () =>
        call('PUT', `/api/admin/policies/${encodeURIComponent(section.dataset.customer)}`, {
          settings: settingsOf(form),
          ...(accept.length ? { accept } : {}),
          expectedVersion: Number(section.dataset.version),
        }),
      );
      tabStorage.setItem('qdesk-policy-saved', section.dataset.customer);
      location.reload();
    } catch (error) {
      message.textContent = error.message;
      message.dataset.error = error.code ?? 'error';
    }
  });
}

const saved = tabStorage.getItem('qdesk-policy-saved');
if (saved) {
  tabStorage.removeItem('qdesk-policy-saved');
  const section = document.querySelector(`section.policy[data-customer="${CSS.escape(saved)}"]`);
  const message = section?.querySelector('.policy-message');
  if (message) {
    message.textContent = 'Saved.';
    message.dataset.saved = 'true';
  }
}

const unlock = document.getElementById('unlock-form');
unlock.addEventListener('submit', async (e) => {
  e.preventDefault();
  const data = new FormData(unlock);
  const out = document.getElementById('unlock-message');
  const select = unlock.querySelector('select');
  const name = select.selectedOptions[0]?.textContent ?? '';
  try {
    const { failuresBefore } = await busy(unlock.querySelector('button[type="submit"]'), () =>
      call('POST', `/api/admin/end-users/${encodeURIComponent(data.get('endUserId'))}/unlock`, {
        reason: data.get('reason'),
      }),
    );
    out.textContent = `Unlocked ${name}: ${failuresBefore} failed check${failuresBefore === 1 ? '' : 's'} cleared.`;
  } catch (error) {
    out.textContent = error.message;
  }
});
