// The comment form's minimum fill-in time, per reader: article pages are the same bytes for
// everyone (page cache, CDN), so the signed "form opened" timestamp cannot be in them. When the
// reader first focuses or types in the form, fetch one for this reader. On submit, wait for it
// if it is still on its way. Without this script the server shows the form once more with a
// timestamp of its own (the text is kept), so readers without JavaScript can comment too.
(function () {
  "use strict";

  var form = document.querySelector("form[data-stamp-url]");
  if (!form || !window.fetch) {
    return;
  }
  var field = form.querySelector('input[name="timestamp"]');
  var pending = null;

  function fetchStamp() {
    if (!pending) {
      pending = fetch(form.getAttribute("data-stamp-url"), {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then(function (response) {
          return response.ok ? response.json() : {};
        })
        .then(function (data) {
          if (data.timestamp && !field.value) {
            field.value = data.timestamp;
          }
        })
        .catch(function () {
          // The server's fallback asks the reader to send once more.
        });
    }
    return pending;
  }

  if (field.value) {
    return; // A form shown again by the server carries its own timestamp.
  }
  form.addEventListener("focusin", fetchStamp, { once: true });
  form.addEventListener("input", fetchStamp, { once: true });
  form.addEventListener("submit", function (event) {
    if (field.value) {
      return;
    }
    event.preventDefault();
    fetchStamp().then(function () {
      form.submit();
    });
  });
})();
