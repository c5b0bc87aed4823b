// The "Hilfreich" button without a reload: posts the form with fetch, asking for JSON, shows the
// answer in the status line, marks the button and puts the new count wherever the page shows
// this article's likes. Without JavaScript (or if fetch fails) the form posts as usual and the
// server redirects back to the article's note for the outcome.
(function () {
  "use strict";

  var form = document.querySelector("form[data-like-form]");
  if (!form || !window.fetch) {
    return;
  }
  var button = form.querySelector("button");
  var status = form.querySelector("[data-like-status]");
  var articleId = form.getAttribute("data-article");

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    button.disabled = true;
    fetch(form.action, {
      method: "POST",
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(response.status);
        }
        return response.json();
      })
      .then(function (answer) {
        status.textContent = answer.message;
        if (answer.outcome === "counted" || answer.outcome === "repeat") {
          button.textContent = form.getAttribute("data-thanks");
          button.setAttribute("aria-pressed", "true");
        } else {
          button.disabled = false;
        }
        var shown = document.querySelectorAll('[data-likes-for="' + articleId + '"]');
        for (var i = 0; i < shown.length; i++) {
          shown[i].textContent = answer.label;
        }
      })
      .catch(function () {
        form.submit(); // the server's answer without JavaScript
      });
  });
})();
