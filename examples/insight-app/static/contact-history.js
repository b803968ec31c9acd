// The Insight's per-contact history panel: the end-user's last verifications, read from the history API each time
// the panel is opened, so one that just ended on this page is there too. Imported by insight.js for its effect.
import { call, el } from './api.js';

const LIMIT = 5;
const section = document.getElementById('contact-history');

/** "just now", "12 min ago", "3 h ago", "2 days ago": counted from the server's clock, not the browser's. */
function ago(at, now) {
  const s = Math.max(0, Math.round((now - at) / 1000));
  if (s < 60) return 'just now';
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  const days = Math.floor(s / 86400);
  return `${days} day${days === 1 ? '' : 's'} ago`;
}

const tone = (outcome) => (outcome === 'in_progress' ? 'open' : outcome === 'approved' ? 'ok' : 'bad');

function item(row, now) {
  const when = el('time', { datetime: new Date(row.startedAt).toISOString(), text: ago(row.startedAt, now) });
  const what = [row.method, row.technician, row.ticketNumber].filter(Boolean).join(' · ');
  return el(
    'li',
    { 'data-outcome': row.outcome },
    el('span', { class: `result ${tone(row.outcome)}`, text: row.outcomeText }),
    row.reason ? el('small', { text: row.reason }) : null,
    el('small', { text: `${row.purpose === 'technician check' ? 'Technician check · ' : ''}${what}` }),
    el('small', {}, when, ` (${row.startedText}) · ${row.duration}`),
  );
}

async function load(body, summary) {
  body.replaceChildren(el('p', { class: 'muted', text: 'Loading…' }));
  section.setAttribute('aria-busy', 'true');
  try {
    const id = encodeURIComponent(section.dataset.endUserId);
    const data = await call('GET', `/api/history/end-user/${id}?limit=${LIMIT}`);
    summary.textContent = `Past verifications of ${data.endUser.name} (${data.total})`;
    const list = data.rows.length
      ? el('ol', { class: 'contact-history-list' }, ...data.rows.map((r) => item(r, data.now)))
      : el('p', { class: 'muted', text: 'No verification yet.' });
    const more = el('a', {
      href: data.historyUrl,
      target: '_blank',
      rel: 'noopener',
      text: `All verifications of ${data.endUser.name} in History (opens a new tab)`,
    });
    body.replaceChildren(list, el('p', { class: 'contact-history-more' }, more));
  } catch (error) {
    body.replaceChildren(el('p', { class: 'error', role: 'alert', text: error.message }));
  } finally {
    section.removeAttribute('aria-busy');
  }
}

if (section?.dataset.endUserId) {
  const details = section.querySelector('details');
  const body = section.querySelector('.contact-history-body');
  const summary = section.querySelector('#contact-history-h');
  details.addEventListener('toggle', () => {
    if (details.open) load(body, summary);
  });
  section.hidden = false;
}
