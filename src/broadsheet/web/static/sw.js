/* Broadsheet's service worker: the app shell from the cache, pages from the network, and
   the last articles a reader opened kept for reading offline. Served as /sw.js (scope /)
   with the build's version in place of __VERSION__, so a new release replaces the caches. */
"use strict";

const VERSION = "__VERSION__";
const SHELL = `shell-${VERSION}`;
const ARTICLES = "articles-v1"; // kept across releases: they are the reader's
const INDEX = "/offline/index.json"; // [{url, title, saved}] of the cached articles
const KEEP = 50;
const SHELL_URLS = [
  "/offline",
  "/static/style.css",
  "/static/app.js",
  "/static/htmx-2.0.11.min.js",
  "/static/icon-192.png",
];
const ARTICLE_PATH = /^\/articles\/[1-9][0-9]{0,17}$/;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL).then((c) => c.addAll(SHELL_URLS)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(
        keys.filter((k) => k.startsWith("shell-") && k !== SHELL).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()));
});

const ENTITIES = { "&amp;": "&", "&lt;": "<", "&gt;": ">", "&#34;": '"', "&#39;": "'", "&quot;": '"' };

function titleOf(html) {
  const m = /<title>([^<]{0,300})<\/title>/i.exec(html);
  if (!m) return "";
  const text = m[1].replace(/&(amp|lt|gt|quot|#34|#39);/g, (e) => ENTITIES[e] || e);
  return text.replace(/ — [^—]*$/, ""); // without " — Broadsheet"
}

async function readIndex(cache) {
  const found = await cache.match(INDEX);
  if (!found) return [];
  try {
    const list = await found.json();
    return Array.isArray(list) ? list : [];
  } catch (e) {
    return [];
  }
}

async function remember(url, response) {
  const cache = await caches.open(ARTICLES);
  const html = await response.clone().text();
  await cache.put(url, response);
  const list = (await readIndex(cache)).filter((e) => e.url !== url);
  list.push({ url, title: titleOf(html), saved: Date.now() });
  while (list.length > KEEP) {
    const old = list.shift();
    await cache.delete(old.url);
  }
  await cache.put(INDEX, new Response(JSON.stringify(list), {
    headers: { "content-type": "application/json" },
  }));
}

async function page(request) {
  const url = new URL(request.url);
  try {
    const response = await fetch(request);
    const personal = (response.headers.get("cache-control") || "").includes("no-store");
    if (response.ok && !personal && ARTICLE_PATH.test(url.pathname)) {
      await remember(url.pathname, response.clone());
    }
    return response;
  } catch (e) {
    const articles = await caches.open(ARTICLES);
    const kept = await articles.match(url.pathname);
    if (kept) return kept;
    return (await caches.match("/offline")) || Response.error();
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname === INDEX) {
    event.respondWith(caches.open(ARTICLES).then((c) => c.match(INDEX))
      .then((r) => r || new Response("[]", { headers: { "content-type": "application/json" } })));
  } else if (request.mode === "navigate") {
    event.respondWith(page(request));
  } else if (url.pathname.startsWith("/static/")) {
    event.respondWith(caches.match(request).then((hit) => hit || fetch(request)));
  }
});
