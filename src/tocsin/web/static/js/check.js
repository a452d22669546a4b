// The public check page, enhanced: the form still works without JavaScript (it posts and the
// page comes back with the verdict); with it, the verdict is fetched and swapped in place.
(function () {
  "use strict";
  var T = window.Tocsin;

  T.ready(function () {
    var form = document.getElementById("check-form");
    if (!form) return;
    var text = document.getElementById("check-text");
    var counter = document.getElementById("check-counter");
    var result = document.getElementById("check-result");
    var button = form.querySelector("button[type=submit]");
    var label = button.textContent;
    var template = form.getAttribute("data-characters") || "{n}";
    var max = parseInt(text.getAttribute("maxlength") || "0", 10);

    function count() {
      var n = text.value.length;
      counter.textContent = n ? template.replace("{n}", n.toLocaleString()) + (max ? " / " + max.toLocaleString() : "") : "";
    }
    text.addEventListener("input", count);
    count();

    form.addEventListener("submit", function (event) {
      if (!window.fetch || !window.FormData) return; // plain form post
      event.preventDefault();
      if (!text.value.trim()) { text.focus(); return; }
      button.disabled = true;
      button.classList.add("busy");
      button.textContent = form.getAttribute("data-checking") || label;
      var body = new URLSearchParams(new FormData(form));
      fetch(form.getAttribute("action") + "&partial=1", {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRF-Token": T.csrfToken(), Accept: "text/html" },
        body: body,
      })
        .then(function (response) { return response.text(); })
        .then(function (html) {
          result.innerHTML = html;
          document.querySelectorAll(".pre-result").forEach(function (el) { el.classList.add("hidden"); });
          T.linkFindings(result);
          var verdict = document.getElementById("verdict");
          if (verdict) {
            verdict.scrollIntoView({ behavior: "smooth", block: "start" });
            verdict.focus({ preventScroll: true });
          }
        })
        .catch(function () { form.submit(); })
        .finally(function () {
          button.disabled = false;
          button.classList.remove("busy");
          button.textContent = label;
        });
    });
  });
})();
