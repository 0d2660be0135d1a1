/* Progressive enhancement only: every page works without this file.
   - registers the service worker (offline reading of the last articles opened);
   - shows the "Install" button where the browser offers installation;
   - on the offline page, lists the articles kept for offline reading. */
"use strict";

if ("serviceWorker" in navigator) {
  window.addEventListener("load", () => {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {});
  });
}

let deferredInstall = null;
window.addEventListener("beforeinstallprompt", (event) => {
  event.preventDefault();
  deferredInstall = event;
  const button = document.getElementById("install-app");
  if (button) button.hidden = false;
});

document.addEventListener("DOMContentLoaded", () => {
  const button = document.getElementById("install-app");
  if (button) {
    button.addEventListener("click", async () => {
      if (!deferredInstall) return;
      deferredInstall.prompt();
      await deferredInstall.userChoice;
      deferredInstall = null;
      button.hidden = true;
    });
  }
  const list = document.getElementById("offline-articles");
  if (list) {
    fetch("/offline/index.json")
      .then((r) => (r.ok ? r.json() : []))
      .then((entries) => {
        const kept = Array.isArray(entries) ? entries.slice().reverse() : [];
        for (const entry of kept) {
          if (typeof entry.url !== "string" || !/^\/articles\/[0-9]+$/.test(entry.url)) continue;
          const item = document.createElement("li");
          const link = document.createElement("a");
          link.href = entry.url;
          link.textContent = entry.title || entry.url; // text, never markup
          item.appendChild(link);
          list.appendChild(item);
        }
        const empty = document.getElementById("offline-empty");
        if (empty) empty.hidden = kept.length > 0;
      })
      .catch(() => {});
  }
});
