/* Small progressive enhancements; every page works without them. No text lives here: messages come
   from the page (data attributes rendered from the catalogue). */
(function () {
  "use strict";

  function hex(buffer) {
    return Array.from(new Uint8Array(buffer)).map(function (b) { return b.toString(16).padStart(2, "0"); }).join("");
  }

  // A dossier document is referenced by the SHA-256 of its bytes: compute it here, upload nothing.
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("input.sha256-file") || !input.files || !input.files[0]) { return; }
    if (!window.crypto || !window.crypto.subtle) { return; }
    var target = document.getElementById(input.getAttribute("data-sha256-for"));
    input.files[0].arrayBuffer()
      .then(function (bytes) { return window.crypto.subtle.digest("SHA-256", bytes); })
      .then(function (digest) { if (target) { target.value = hex(digest); } });
  });

  // The version slider shows the version it points at while it moves.
  document.addEventListener("input", function (event) {
    var input = event.target;
    if (input.matches && input.matches("input[type=range][data-output]")) {
      var output = document.getElementById(input.getAttribute("data-output"));
      if (output) { output.textContent = input.value; }
    }
  });

  // After a form comes back with errors, put the cursor on the first field to correct.
  document.addEventListener("htmx:afterSwap", function (event) {
    var invalid = event.detail.target && event.detail.target.querySelector
      ? event.detail.target.querySelector("[aria-invalid=true]") : null;
    var fresh = document.getElementById(event.detail.target.id) || event.detail.target;
    invalid = invalid || (fresh.querySelector ? fresh.querySelector("[aria-invalid=true]") : null);
    if (invalid) { invalid.focus(); }
  });

  // A request that failed outright (403, 500, network): say so instead of doing nothing.
  function failed() {
    var message = document.body.getAttribute("data-error-message");
    var banner = document.getElementById("request-failed");
    if (!banner) {
      banner = document.createElement("div");
      banner.id = "request-failed";
      banner.className = "flash error";
      banner.setAttribute("role", "alert");
      var main = document.getElementById("main");
      main.insertBefore(banner, main.firstChild);
    }
    banner.textContent = message;
  }
  document.addEventListener("htmx:responseError", failed);
  document.addEventListener("htmx:sendError", failed);
})();
