/* Trust Guardian collect.js: records a form's consents with a snapshot of what the person saw.
 *
 *   <script src="https://tg.example/sdk/collect.js" data-tg-key="tgpk_..." defer></script>
 *   <form data-tg-touchpoint="web-newsletter" data-tg-notice="privacy-it" data-tg-notice-version="2">
 *     <input type="email" name="email" data-tg-identifier="email">
 *     <input type="checkbox" name="news" data-tg-purpose="newsletter" data-tg-channels="email">
 *     <a href="/privacy" data-tg-notice-link>Informativa</a>
 *     <p data-tg-status></p>  <div data-tg-otp hidden><input data-tg-otp-code><button ...></div>
 *   </form>
 *
 * On submit it snapshots the form (every box's state and typed value written into the HTML),
 * sends it, and reports in [data-tg-status] and a `tg:recorded` / `tg:confirmed` / `tg:error`
 * event on the form. With `data-tg-continue` the form is then submitted to its own action.
 * No dependencies; no cookies; nothing is stored in the browser.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) { return; }
  var base = new URL(script.src, document.baseURI).origin;
  var defaultKey = script.getAttribute("data-tg-key");

  function each(list, fn) { for (var i = 0; i < list.length; i++) { fn(list[i], i); } }

  function snapshot(form) {
    var clone = form.cloneNode(true);
    var live = form.querySelectorAll("input, select, textarea");
    var copy = clone.querySelectorAll("input, select, textarea");
    each(live, function (el, i) {
      var c = copy[i];
      var type = (el.getAttribute("type") || "").toLowerCase();
      if (type === "checkbox" || type === "radio") {
        if (el.checked) { c.setAttribute("checked", "checked"); } else { c.removeAttribute("checked"); }
      } else if (el.tagName === "SELECT") {
        each(c.options, function (o, j) {
          if (el.options[j].selected) { o.setAttribute("selected", "selected"); } else { o.removeAttribute("selected"); }
        });
      } else if (el.tagName === "TEXTAREA") {
        c.textContent = el.value;
      } else if (type === "password" || type === "file") {
        c.removeAttribute("value");
      } else {
        c.setAttribute("value", el.value);
      }
    });
    return clone.outerHTML;
  }

  function status(form, text) {
    var box = form.querySelector("[data-tg-status]");
    if (box) { box.textContent = text; }
  }

  function emit(form, name, detail) {
    form.dispatchEvent(new CustomEvent(name, { detail: detail, bubbles: true }));
  }

  function newId() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function post(key, path, body) {
    return fetch(base + "/sdk/v1/" + encodeURIComponent(key) + path, {
      method: "POST",
      mode: "cors",
      credentials: "omit",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) { throw data; }
        return data;
      });
    });
  }

  function payload(form) {
    var identifiers = [];
    each(form.querySelectorAll("[data-tg-identifier]"), function (el) {
      if (el.value) { identifiers.push({ kind: el.getAttribute("data-tg-identifier"), value: el.value }); }
    });
    var consents = [];
    each(form.querySelectorAll("[data-tg-purpose]"), function (el) {
      var channels = (el.getAttribute("data-tg-channels") || "").split(/[\s,]+/).filter(Boolean);
      consents.push({ purpose: el.getAttribute("data-tg-purpose"), given: !!el.checked, channels: channels });
    });
    var link = form.querySelector("[data-tg-notice-link]");
    var text = form.querySelector("[data-tg-notice-text]");
    var version = form.getAttribute("data-tg-notice-version");
    return {
      submission_id: newId(),
      touchpoint: form.getAttribute("data-tg-touchpoint"),
      notice: form.getAttribute("data-tg-notice") || null,
      notice_version: version ? parseInt(version, 10) : null,
      identifiers: identifiers,
      consents: consents,
      snapshot: {
        html: snapshot(form),
        url: window.location.href,
        notice_url: link ? link.href : null,
        notice_text: text ? text.textContent : null,
        notice_sha256: form.getAttribute("data-tg-notice-sha256") || null,
        captured_at: new Date().toISOString()
      }
    };
  }

  function askCode(form, key, confirmation) {
    var box = form.querySelector("[data-tg-otp]");
    if (!box) { return; }
    box.hidden = false;
    var input = box.querySelector("[data-tg-otp-code]");
    var button = box.querySelector("button");
    button.addEventListener("click", function (event) {
      event.preventDefault();
      post(key, "/code", { confirmation_id: confirmation.id, code: input.value.trim() })
        .then(function (data) {
          status(form, form.getAttribute("data-tg-confirmed-text") || "Confirmed.");
          box.hidden = true;
          emit(form, "tg:confirmed", data);
        })
        .catch(function (problem) {
          status(form, (problem && problem.detail) || "Error");
          emit(form, "tg:error", problem);
        });
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-tg-touchpoint")) { return; }
    if (form.getAttribute("data-tg-sent") === "yes") { return; }
    event.preventDefault();
    var key = form.getAttribute("data-tg-key") || defaultKey;
    var body = payload(form);
    status(form, "…");
    post(key, "/consents", body)
      .then(function (data) {
        var c = data.confirmation;
        var text = c ? (c.method === "double_opt_in"
          ? (form.getAttribute("data-tg-check-mail-text") || "Check your e-mail to confirm.")
          : (form.getAttribute("data-tg-code-text") || "Enter the code we sent you."))
          : (form.getAttribute("data-tg-recorded-text") || "Recorded.");
        status(form, text);
        emit(form, "tg:recorded", data);
        if (c && c.method !== "double_opt_in") { askCode(form, key, c); }
        if (form.hasAttribute("data-tg-continue")) {
          form.setAttribute("data-tg-sent", "yes");
          form.submit();
        }
      })
      .catch(function (problem) {
        status(form, (problem && problem.detail) || "Error");
        emit(form, "tg:error", problem);
      });
  }, true);
})();
