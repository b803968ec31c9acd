// Service worker for the self-serve app: shows a QDesk push (challenge id and display text only) and opens the
// app when tapped. The app itself fetches the challenge and its token; nothing secret travels in the push.
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
      tag: payload.challengeId ?? 'qdesk',
      requireInteraction: true,
    }),
  );
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  event.waitUntil(self.clients.openWindow('/self-serve'));
});
