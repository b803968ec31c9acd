import { call } from './api.js';

const kind = document.querySelector('.bulk').dataset.kind; // 'companies' | 'contacts'
const message = document.getElementById('admin-message');
const status = document.getElementById('sync-status');
const bar = document.getElementById('sync-progress');

async function act(path, body) {
  try {
    const result = await call('POST', `/api/admin/${path}`, body);
    if (result.skipped?.length)
      sessionStorage.setItem(
        'qdesk-admin-message',
        `${result.confirmed} confirmed, ${result.skipped.length} skipped`,
      );
    location.reload();
  } catch (error) {
    message.textContent = error.message;
  }
}

document.querySelector('table.matching').addEventListener('click', (e) => {
  const button = e.target.closest('button[data-action]');
  if (!button) return;
  const id = button.dataset.id;
  switch (button.dataset.action) {
    case 'confirm-company':
      return act('companies/confirm', { companyIds: [id] });
    case 'confirm-contact':
      return act('contacts/confirm', { contactIds: [id] });
    case 'unlink-company':
      return act('companies/unlink', { companyId: id });
    case 'unlink-contact':
      return act('contacts/unlink', { contactId: id });
    case 'create-customer':
      return act('companies/create-customer', { companyId: id });
    case 'link-company':
      return act('companies/link', {
        companyId: id,
        customerId: document.getElementById(`cust-${id}`).value,
      });
    case 'link-contact':
      return act('contacts/link', { contactId: id, endUserId: document.getElementById(`eu-${id}`).value });
  }
});

document.getElementById('select-all').addEventListener('click', () => {
  for (const box of document.querySelectorAll('input.pick')) box.checked = true;
});

document.getElementById('confirm-selected').addEventListener('click', () => {
  const picked = [...document.querySelectorAll('input.pick:checked')].map((b) => b.value);
  if (picked.length === 0) {
    message.textContent = 'Select at least one suggestion.';
    return;
  }
  return act(`${kind}/confirm`, kind === 'companies' ? { companyIds: picked } : { contactIds: picked });
});

const remembered = sessionStorage.getItem('qdesk-admin-message');
if (remembered) {
  message.textContent = remembered;
  sessionStorage.removeItem('qdesk-admin-message');
}

// Sync: start it, then show its progress until it ends.
let wasRunning = false;
function show(state) {
  if (state.running) {
    const p = state.progress;
    bar.hidden = false;
    if (p?.total) {
      bar.max = p.total;
      bar.value = p.done;
    } else bar.removeAttribute('value');
    status.textContent = p
      ? `Syncing ${p.phase}: ${p.done}${p.total ? ` of ${p.total}` : ''}…`
      : 'Starting sync…';
  } else {
    bar.hidden = true;
    status.textContent = state.error
      ? `Sync failed: ${state.error} (the next sync resumes where it stopped)`
      : state.summary
        ? `Last sync: ${state.summary.companies} companies, ${state.summary.contacts} contacts.`
        : 'Not synced yet.';
  }
  status.dataset.running = String(state.running);
}
async function poll() {
  const state = await call('GET', '/api/admin/sync');
  show(state);
  if (state.running) {
    wasRunning = true;
    setTimeout(poll, 300);
  } else if (wasRunning) {
    location.reload();
  }
}
document.getElementById('sync').addEventListener('click', async () => {
  show(await call('POST', '/api/admin/sync'));
  poll();
});
poll();
