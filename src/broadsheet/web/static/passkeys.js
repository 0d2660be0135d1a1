// Passkeys (WebAuthn): add one on the account page, sign in with one on the sign-in page.
// The buttons stay hidden where the browser has no WebAuthn; every other form on those
// pages works without this script.
(function () {
  "use strict";
  if (!window.PublicKeyCredential || !navigator.credentials) return;

  function toBytes(b64url) {
    var b64 = b64url.replace(/-/g, "+").replace(/_/g, "/");
    while (b64.length % 4) b64 += "=";
    var raw = atob(b64), out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
    return out.buffer;
  }
  function toB64url(buffer) {
    var bytes = new Uint8Array(buffer), s = "";
    for (var i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
    return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }
  function post(url, fields) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(fields).toString(),
    }).then(function (r) {
      return r.json().catch(function () { return { error: "The server said " + r.status + "." }; });
    });
  }
  function say(box, text) {
    if (!box) return;
    box.textContent = text;
    box.hidden = !text;
  }
  function credentialJSON(cred) {
    var r = cred.response, out = {
      id: cred.id,
      rawId: toB64url(cred.rawId),
      type: cred.type,
      clientExtensionResults: cred.getClientExtensionResults ? cred.getClientExtensionResults() : {},
      authenticatorAttachment: cred.authenticatorAttachment || undefined,
      response: { clientDataJSON: toB64url(r.clientDataJSON) },
    };
    if (r.attestationObject) {
      out.response.attestationObject = toB64url(r.attestationObject);
      if (r.getTransports) out.response.transports = r.getTransports();
    } else {
      out.response.authenticatorData = toB64url(r.authenticatorData);
      out.response.signature = toB64url(r.signature);
      if (r.userHandle) out.response.userHandle = toB64url(r.userHandle);
    }
    return JSON.stringify(out);
  }

  var add = document.getElementById("passkey-add");
  if (add) {
    add.hidden = false;
    add.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var csrf = add.querySelector("[name=csrf]").value;
      var name = add.querySelector("[name=name]").value;
      var box = document.getElementById("passkey-add-error");
      say(box, "");
      post("/account/passkeys/options", { csrf: csrf }).then(function (got) {
        if (got.error) throw new Error(got.error);
        var pk = got.publicKey;
        pk.challenge = toBytes(pk.challenge);
        pk.user.id = toBytes(pk.user.id);
        (pk.excludeCredentials || []).forEach(function (c) { c.id = toBytes(c.id); });
        return navigator.credentials.create({ publicKey: pk });
      }).then(function (cred) {
        return post("/account/passkeys", { csrf: csrf, name: name, credential: credentialJSON(cred) });
      }).then(function (done) {
        if (done.error) throw new Error(done.error);
        window.location.assign(done.redirect);
      }).catch(function (err) { say(box, err.message || String(err)); });
    });
  }

  var signin = document.getElementById("passkey-signin");
  if (signin) {
    signin.hidden = false;
    signin.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var csrf = signin.querySelector("[name=csrf]").value;
      var next = signin.querySelector("[name=next]").value;
      var box = document.getElementById("passkey-signin-error");
      say(box, "");
      post("/signin/passkey/options", { csrf: csrf }).then(function (got) {
        if (got.error) throw new Error(got.error);
        var pk = got.publicKey;
        pk.challenge = toBytes(pk.challenge);
        (pk.allowCredentials || []).forEach(function (c) { c.id = toBytes(c.id); });
        return navigator.credentials.get({ publicKey: pk });
      }).then(function (cred) {
        return post("/signin/passkey", { csrf: csrf, next: next, credential: credentialJSON(cred) });
      }).then(function (done) {
        if (done.error) throw new Error(done.error);
        window.location.assign(done.redirect);
      }).catch(function (err) { say(box, err.message || String(err)); });
    });
  }
})();
