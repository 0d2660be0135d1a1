/* Progressive enhancement only: every page works without this file.
   - registers the service worker (offline reading of the last articles opened);
   - shows the "Install" button where the browser offers installation;
   - on the offline page, lists the articles kept for offline reading;
   - keyboard shortcuts (below). */
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

/* Keyboard shortcuts (the list is in the page, in the reader's language: "?" shows it).
   j / k: next / previous item of the page's list (its link gets the focus: Enter opens it);
   s: save the article (the page's save form, there only for a signed-in reader);
   /: the search box; ?: the list of shortcuts. Ignored while typing in a field and
   with Ctrl, Alt or Meta held, so the browser's and the screen reader's keys still work. */
const LIST_ITEMS = [
  "main .stream > li",
  "main .daily > li",
  "main .reader-list > li",
  "main .daily-archive > li",
  "main .editions > li",
  "main .coverage__list > li",
  "main .offline-list > li",
].join(", ");

function typingIn(target) {
  if (!(target instanceof Element)) return false;
  return Boolean(target.closest("input, textarea, select, [contenteditable]:not([contenteditable='false'])"));
}

function moveThroughList(step) {
  const items = Array.from(document.querySelectorAll(LIST_ITEMS));
  if (items.length === 0) return;
  const current = items.findIndex((item) => item.classList.contains("is-current"));
  let next = current === -1 ? (step > 0 ? 0 : items.length - 1) : current + step;
  next = Math.max(0, Math.min(items.length - 1, next));
  if (current !== -1) items[current].classList.remove("is-current");
  const item = items[next];
  item.classList.add("is-current");
  // the headline first: a selector list would take the first link in the item (its outlet)
  const link = item.querySelector("h2 a[href]") || item.querySelector("a[href]");
  if (link) link.focus({ preventScroll: true });
  item.scrollIntoView({ block: "nearest" });
}

function showShortcuts() {
  const dialog = document.getElementById("shortcuts");
  if (dialog && typeof dialog.showModal === "function" && !dialog.open) dialog.showModal();
}

document.addEventListener("keydown", (event) => {
  if (event.defaultPrevented || event.ctrlKey || event.altKey || event.metaKey) return;
  if (typingIn(event.target)) return;
  const dialog = document.getElementById("shortcuts");
  if (dialog && dialog.open) return; // Escape closes it; nothing else while it is open
  switch (event.key) {
    case "j":
      moveThroughList(1);
      break;
    case "k":
      moveThroughList(-1);
      break;
    case "/": {
      const box = document.getElementById("q") || document.getElementById("site-search");
      if (!box) return;
      box.focus();
      box.select();
      break;
    }
    case "s": {
      const form = document.querySelector("main form[action$='/save']");
      if (!form) return;
      if (typeof form.requestSubmit === "function") form.requestSubmit();
      else form.submit();
      break;
    }
    case "?":
      showShortcuts();
      break;
    default:
      return;
  }
  event.preventDefault();
});

document.addEventListener("DOMContentLoaded", () => {
  const opener = document.getElementById("show-shortcuts");
  if (opener) opener.addEventListener("click", showShortcuts);
});
