// Progressive enhancement of the reporting pages. Everything works without this file.
(function () {
  "use strict";

  function hex(buffer) {
    return Array.from(new Uint8Array(buffer)).map(function (b) { return b.toString(16).padStart(2, "0"); }).join("");
  }

  // Proof of work: find the number whose SHA-256 with the salt equals the challenge (no third party).
  async function solve(form) {
    var out = form.querySelector("[data-pow-number]");
    if (!out || out.value || !window.crypto || !window.crypto.subtle || !window.TextEncoder) { return; }
    var salt = form.querySelector("input[name=pow_salt]").value;
    var target = form.querySelector("input[name=pow_challenge]").value;
    var max = parseInt(form.querySelector("input[name=pow_max]").value || "0", 10);
    var encoder = new TextEncoder();
    for (var n = 0; n <= max; n++) {
      var digest = await window.crypto.subtle.digest("SHA-256", encoder.encode(salt + n));
      if (hex(digest) === target) { out.value = String(n); return; }
    }
  }

  function focusHeading(root) {
    var target = root.querySelector("#error-summary") || root.querySelector("#step-heading") || root.querySelector("h1");
    if (target) { target.setAttribute("tabindex", "-1"); target.focus(); }
  }

  function enhance(root) {
    root.querySelectorAll("form.report-form").forEach(function (form) { solve(form); });
    root.querySelectorAll("[data-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
  }

  // Switching the language mid-report must reload the whole page (header, direction), not just the
  // step: submit the form natively, which htmx does not intercept, with the answers.
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-language-switch]") : null;
    if (!button) { return; }
    var form = document.getElementById(button.getAttribute("form"));
    if (!form) { return; }
    event.preventDefault();
    var go = document.createElement("input");
    go.type = "hidden"; go.name = "go"; go.value = button.value;
    form.appendChild(go);
    HTMLFormElement.prototype.submit.call(form);
  });

  document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  document.body.addEventListener("htmx:afterSwap", function () {
    var flow = document.getElementById("flow");
    if (flow) { enhance(flow); focusHeading(flow); }
  });
})();
