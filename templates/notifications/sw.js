// Web Push service worker: shows each message and opens its link when tapped.
self.addEventListener("push", (event) => {
  const data = event.data ? event.data.json() : {};
  event.waitUntil(
    self.registration.showNotification(data.title || "Playtomic Monitor", {
      body: data.body || "",
      tag: data.id,
      data: { url: data.url || "/" },
    })
  );
});
self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  event.waitUntil(clients.openWindow(event.notification.data.url));
});
