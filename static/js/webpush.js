// The "Get push messages here" button: register the service worker, subscribe with our VAPID
// key and hand the subscription to the server, which makes it a channel.
(function () {
  const card = document.getElementById("webpush");
  const button = document.getElementById("webpush-subscribe");
  const status = document.getElementById("webpush-status");
  if (!card || !button) return;
  const say = (key) => { status.textContent = status.dataset[key]; };
  if (!("serviceWorker" in navigator) || !("PushManager" in window)) {
    button.disabled = true;
    say("unsupported");
    return;
  }
  const toBytes = (base64url) => {
    const base64 = (base64url + "=".repeat((4 - (base64url.length % 4)) % 4))
      .replace(/-/g, "+").replace(/_/g, "/");
    return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  };
  const csrf = () => (document.cookie.match(/(?:^|; )csrftoken=([^;]+)/) || [])[1] || "";
  button.addEventListener("click", async () => {
    try {
      if ((await Notification.requestPermission()) !== "granted") { say("denied"); return; }
      const registration = await navigator.serviceWorker.register(card.dataset.worker);
      await navigator.serviceWorker.ready;
      const subscription = await registration.pushManager.subscribe({
        userVisibleOnly: true,
        applicationServerKey: toBytes(card.dataset.key),
      });
      const body = { ...subscription.toJSON(), name: navigator.platform || "" };
      const response = await fetch(card.dataset.subscribe, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
        body: JSON.stringify(body),
      });
      if (!response.ok) throw new Error(String(response.status));
      say("done");
      window.location.reload();
    } catch (error) {
      say("failed");
    }
  });
})();
