// Counts one view of the article page: a small POST to the element's data-count-view-url once
// the page has loaded and is really shown. Not sent while the page is prerendered or opened in a
// background tab (it is sent when the reader switches to it). No cookie, no storage: the
// server deduplicates. The body and content type are what the server expects from us; they are
// CORS-safelisted, so sendBeacon can send them.
(function () {
  "use strict";

  var element = document.querySelector("[data-count-view-url]");
  if (!element) {
    return;
  }
  var url = element.getAttribute("data-count-view-url");
  var sent = false;

  function send() {
    if (sent) {
      return;
    }
    sent = true;
    var body = new Blob(["view"], { type: "text/plain" });
    if (navigator.sendBeacon && navigator.sendBeacon(url, body)) {
      return;
    }
    if (window.fetch) {
      fetch(url, {
        method: "POST",
        body: body,
        keepalive: true,
        credentials: "same-origin",
      }).catch(function () {});
    }
  }

  function sendWhenShown() {
    if (document.prerendering) {
      document.addEventListener("prerenderingchange", sendWhenShown, { once: true });
    } else if (document.visibilityState === "visible") {
      send();
    } else {
      document.addEventListener("visibilitychange", function onChange() {
        if (document.visibilityState === "visible") {
          document.removeEventListener("visibilitychange", onChange);
          send();
        }
      });
    }
  }

  if (document.readyState === "complete") {
    sendWhenShown();
  } else {
    window.addEventListener("load", sendWhenShown, { once: true });
  }
})();
