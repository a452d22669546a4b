// Tocsin: helpers shared by every page (no inline scripts anywhere: CSP script-src 'self').
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") || "" : "";
  }

  // fetch() with the session's CSRF header; resolves to parsed JSON, rejects with a message.
  function api(method, url, body) {
    var options = {
      method: method,
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRF-Token": csrfToken() },
    };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch(url, options).then(function (response) {
      return response.text().then(function (text) {
        var data = null;
        try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
        if (!response.ok) {
          var message = (data && data.message) || response.status + " " + response.statusText;
          throw new Error(message);
        }
        return data;
      });
    });
  }

  function readJson(element, name) {
    var raw = element.getAttribute("data-" + name);
    if (!raw) return null;
    try { return JSON.parse(raw); } catch (e) { return null; }
  }

  // Hovering or focusing a numbered finding highlights its marks in the text, and back.
  function linkFindings(root) {
    var items = root.querySelectorAll("[data-mark]");
    items.forEach(function (item) {
      var cls = item.getAttribute("data-mark");
      function toggle(on) {
        item.classList.toggle("active", on);
        root.querySelectorAll("mark." + cls).forEach(function (m) { m.classList.toggle("flash", on); });
      }
      item.addEventListener("mouseenter", function () { toggle(true); });
      item.addEventListener("mouseleave", function () { toggle(false); });
      item.addEventListener("click", function () {
        var first = root.querySelector("mark." + cls);
        if (first) first.scrollIntoView({ block: "center", behavior: "smooth" });
      });
    });
  }

  function ready(fn) {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", fn);
    else fn();
  }

  window.Tocsin = { api: api, csrfToken: csrfToken, readJson: readJson, linkFindings: linkFindings, ready: ready };
  ready(function () { linkFindings(document); });
})();
