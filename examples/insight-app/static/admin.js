import { busy, call, tabStorage } from './api.js';

const kind = document.querySelector('.bulk').dataset.kind; // 'companies' | 'contacts'
const message = document.getElementById('admin-message');
const status = document.getElementById('sync-status');
const bar = document.getElementById('sync-progress');
const table = document.querySelector('table.matching');

/** Sends one change; on success says what happened after the reload, else shows the server's message. */
async function act(path, body, done, button) {
  try {
    const result = await busy(button, () => call('POST', `/api/admin/${path}`, body));
    const said = result.skipped?.length
      ? `${result.confirmed} confirmed, ${result.skipped.length} skipped`
      : typeof done === 'function'
        ? done(result)
        : done;
    if (said) tabStorage.setItem('qdesk-admin-message', said);
    location.reload();
    return null;
  } catch (error) {
    message.textContent = error.message;
    return error;
  }
}

// A row's choice: its list (suggestions, or the contact's own customer's end-users; absent when there are none) and
// its free-text field for anyone else (a customer by name or id, an end-user by email or id).
const choiceOf = (id) => document.getElementById(kind === 'companies' ? `cust-${id}` : `eu-${id}`);
const otherOf = (id) => document.getElementById(kind === 'companies' ? `cust-other-${id}` : `eu-other-${id}`);
const rowName = (id) => table.querySelector(`tr[data-id="${CSS.escape(id)}"]`)?.dataset.name ?? '';
const matchButton = (id) => table.querySelector(`button[data-action^="link-"][data-id="${CSS.escape(id)}"]`);
const crossPanel = (id) => document.getElementById(`cross-${id}`);
const chosenName = (select) => select.selectedOptions[0]?.dataset.name ?? '';

function hideCross(id) {
  const panel = crossPanel(id);
  if (!panel) return;
  panel.hidden = true;
  panel.querySelector('p').textContent = '';
}

// A manual match starts on "Choose…" and an empty field: Match stays off until a real choice, the list and the field
// never both count (choosing in one clears the other), and a new choice drops any confirmation asked for the
// previous one (it named other people).
function choiceChanged(e) {
  const select = e.target.closest('select.choice');
  const other = e.target.closest('input.other');
  if (!select && !other) return;
  const id = (select ?? other).id.replace(/^(cust|eu)-(other-)?/, '');
  if (select && select.value !== '' && otherOf(id)) otherOf(id).value = '';
  if (other && other.value.trim() !== '' && choiceOf(id)) choiceOf(id).value = '';
  matchButton(id).disabled = !(choiceOf(id)?.value || otherOf(id)?.value.trim());
  hideCross(id);
}
table.addEventListener('change', choiceChanged);

// A contact's list holds its suggestions; the rest of its customer's end-users wait in a template shared by the
// page's rows of that customer, and are copied in on first use (pointer, keyboard, or focus), before the list opens.
function fillChoices(e) {
  const select = e.target.closest?.('select.choice[data-choices]');
  if (!select || select.dataset.filled) return;
  select.dataset.filled = 'true';
  const template = document.getElementById(select.dataset.choices);
  const group = select.querySelector('optgroup');
  if (!template || !group) return;
  const present = new Set([...select.options].map((o) => o.value));
  for (const option of template.content.children) {
    if (!present.has(option.value)) group.append(option.cloneNode(true));
  }
}
for (const type of ['pointerdown', 'focusin', 'keydown']) table.addEventListener(type, fillChoices, true);
table.addEventListener('input', choiceChanged);

/** The customer a company row names: its list's choice, else the shared list's entry with that name or id. */
function customerChosen(id) {
  const select = choiceOf(id);
  if (select?.value) return { id: select.value, name: chosenName(select) };
  const typed = otherOf(id).value.trim();
  const options = [...document.querySelectorAll('#customer-choices option')];
  const byId = options.find((o) => o.dataset.id === typed);
  const byName = options.filter((o) => o.value.toLowerCase() === typed.toLowerCase());
  if (byId) return { id: byId.dataset.id, name: byId.value };
  if (byName.length === 1) return { id: byName[0].dataset.id, name: byName[0].value };
  message.textContent =
    byName.length > 1
      ? `Several customers are called ${typed}: type the id of the one you mean.`
      : `No customer free to link is called ${typed}, or has that id.`;
  return null;
}

async function linkContact(id, button, confirmCrossCustomer) {
  const select = choiceOf(id);
  const typed = otherOf(id).value.trim();
  if (!select?.value && !typed) return; // the placeholder is never sent
  const body = {
    contactId: id,
    ...(select?.value
      ? { endUserId: select.value }
      : typed.includes('@')
        ? { endUserEmail: typed }
        : { endUserId: typed }),
    ...(confirmCrossCustomer ? { confirmCrossCustomer } : {}),
  };
  const error = await act(
    'contacts/link',
    body,
    (r) => `Linked ${rowName(id)} to ${r.endUser.name}${confirmCrossCustomer ? ' across customers' : ''}.`,
    button,
  );
  if (error?.code !== 'cross_customer_link') return;
  // The server refused a link across customers: show its words (they name both) and ask once more, here.
  message.textContent = '';
  const panel = crossPanel(id);
  panel.querySelector('p').textContent = error.message;
  panel.hidden = false;
  panel.querySelector('button[data-action="confirm-cross"]').focus();
}

table.addEventListener('click', (e) => {
  const button = e.target.closest('button[data-action]');
  if (!button) return;
  const id = button.dataset.id;
  switch (button.dataset.action) {
    case 'confirm-company':
      return act('companies/confirm', { companyIds: [id] }, 'Suggestion confirmed.', button);
    case 'confirm-contact':
      return act('contacts/confirm', { contactIds: [id] }, 'Suggestion confirmed.', button);
    case 'unlink-company':
      return act('companies/unlink', { companyId: id }, 'Unmatched.', button);
    case 'unlink-contact':
      return act('contacts/unlink', { contactId: id }, 'Unmatched.', button);
    case 'create-customer':
      return act(
        'companies/create-customer',
        { companyId: id },
        (r) => `Created customer ${r.customer.name}.`,
        button,
      );
    case 'link-company': {
      const customer = customerChosen(id);
      if (!customer) return;
      return act(
        'companies/link',
        { companyId: id, customerId: customer.id },
        `Linked to ${customer.name}.`,
        button,
      );
    }
    case 'link-contact':
      return linkContact(id, button, false);
    case 'confirm-cross':
      return linkContact(id, button, true);
    case 'cancel-cross': {
      hideCross(id);
      (choiceOf(id) ?? otherOf(id)).focus();
      return;
    }
  }
});

document.getElementById('select-all').addEventListener('click', () => {
  for (const box of document.querySelectorAll('input.pick')) box.checked = true;
});

document.getElementById('confirm-selected').addEventListener('click', (e) => {
  const picked = [...document.querySelectorAll('input.pick:checked')].map((b) => b.value);
  if (picked.length === 0) {
    message.textContent = 'Select at least one suggestion.';
    return;
  }
  return act(
    `${kind}/confirm`,
    kind === 'companies' ? { companyIds: picked } : { contactIds: picked },
    (r) => `${r.confirmed} confirmed.`,
    e.currentTarget,
  );
});

const remembered = tabStorage.getItem('qdesk-admin-message');
if (remembered) {
  message.textContent = remembered;
  tabStorage.removeItem('qdesk-admin-message');
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
  // Said at once, before the server answers; and the page reloads with the new rows once this sync ends, however
  // fast it is.
  show({ running: true, progress: null });
  wasRunning = true;
  show(await call('POST', '/api/admin/sync'));
  poll();
});
poll();

// Directory sources: "Sync now", then each source's progress until its run ends. The server words every line (the
// same words the page was rendered with); this only puts them in place.
const directory = document.getElementById('directory-sources');
if (directory) {
  const directoryMessage = document.getElementById('directory-message');
  const row = (id) => directory.querySelector(`tr[data-customer="${CSS.escape(id)}"]`);
  const showSource = (source) => {
    const tr = row(source.customerId);
    if (!tr) return;
    const running = source.running !== null;
    tr.dataset.running = String(running);
    document.getElementById(`dir-status-${source.customerId}`).textContent = source.words.status;
    document.getElementById(`dir-progress-${source.customerId}`).hidden = !running;
    const error = document.getElementById(`dir-error-${source.customerId}`);
    error.textContent = source.words.error ?? '';
    error.hidden = !source.words.error;
    const warnings = document.getElementById(`dir-warnings-${source.customerId}`);
    warnings.replaceChildren(
      ...source.words.warnings.map((w) => Object.assign(document.createElement('li'), { textContent: w })),
    );
    warnings.hidden = source.words.warnings.length === 0;
    tr.querySelector('button[data-action="directory-sync"]').disabled = running;
  };
  let polling = false;
  const pollSources = async () => {
    if (polling) return;
    polling = true;
    try {
      // Bounded: a run that outlasts an hour of polling is left to a reload.
      for (let round = 0; round < 7200; round++) {
        const { sources } = await call('GET', '/api/admin/directory-sources');
        for (const source of sources) showSource(source);
        if (!sources.some((s) => s.running)) return;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    } catch (error) {
      directoryMessage.textContent = error.message;
    } finally {
      polling = false;
    }
  };
  directory.addEventListener('click', async (e) => {
    const button = e.target.closest('button[data-action="directory-sync"]');
    if (!button) return;
    const id = button.dataset.customer;
    directoryMessage.textContent = '';
    document.getElementById(`dir-status-${id}`).textContent = 'Starting…';
    document.getElementById(`dir-progress-${id}`).hidden = false;
    try {
      await busy(button, () =>
        call('POST', `/api/admin/directory-sources/${encodeURIComponent(id)}/sync`, {}),
      );
    } catch (error) {
      directoryMessage.textContent = error.message;
    }
    pollSources();
  });
  if (directory.querySelector('tr[data-running="true"]')) pollSources();
}
