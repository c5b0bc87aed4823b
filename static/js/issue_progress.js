// The issue page's figures and progress bar follow a running send without reloading.
(function () {
  "use strict";
  var box = document.getElementById("issue-figures");
  if (!box || box.dataset.status !== "sending") {
    return;
  }
  var progress = document.getElementById("issue-progress");
  function update() {
    fetch(box.dataset.figuresUrl, { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (figures) {
        if (figures.status !== "sending") {
          window.location.reload();
          return;
        }
        box.querySelectorAll("[data-figure]").forEach(function (cell) {
          var value = figures[cell.dataset.figure];
          if (typeof value === "number") {
            cell.textContent = value.toLocaleString("de-DE");
          }
        });
        if (progress) {
          progress.max = figures.recipients;
          progress.value = figures.sent + figures.failed + figures.skipped + figures.unknown;
        }
        window.setTimeout(update, 3000);
      })
      .catch(function () { window.setTimeout(update, 10000); });
  }
  window.setTimeout(update, 3000);
})();
