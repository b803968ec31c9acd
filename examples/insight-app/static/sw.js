// Service worker for the self-serve app: shows a QDesk push (challenge id and display text only) and opens the
// app when tapped. The app itself fetches the challenge and its token; nothing secret travels in the push.
// The page registers it on every visit, so the self-serve app is installable (see /manifest.webmanifest). It has no
// fetch handler: Chromium's installability check no longer asks for one (e2e/enrolment.e2e.test.ts runs that check),
// and a handler that only passes requests on would slow every request down.
self.addEventListener('push', (event) => {
  let payload = {};
  try {
    payload = event.data ? event.data.json() : {};
  } catch {
    payload = {};
  }
  const title = payload.title ?? 'Is this you on the phone?';
  const body = payload.body ?? 'Open the app to answer your helpdesk.';
  event.waitUntil(
    self.registration.showNotification(title, {
      body,
      // Tagged by request, so the page can close it once the request is answered, replaced or expired.
      tag: payload.challengeId ?? 'qdesk',
      requireInteraction: true,
    }),
  );
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  // An open self-serve page is brought forward rather than a second one opened: two pages would answer one phone.
  event.waitUntil(
    (async () => {
      const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
      const open = windows.find((w) => new URL(w.url).pathname === '/self-serve');
      if (open) return open.focus();
      return self.clients.openWindow('/self-serve');
    })(),
  );
});
