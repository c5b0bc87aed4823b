// The article change form as a workplace (no inline script, runs under the admin's CSP):
// - autosave: a few seconds after the last keystroke the form's text fields (CKEditor's body
//   included, read with getData(), which leaves its undo stack alone) are posted to the
//   autosave endpoint; the status line says when;
// - an autosave newer than the saved article is offered for restoring or discarding;
// - leaving the page with unsaved changes asks first;
// - presence: a ping every 30 seconds tells the server this form is open and shows who else
//   has it open.
"use strict";

(function () {
  var AUTOSAVE_DELAY = 3000;
  var PING_INTERVAL = 30000;
  var FIELDS = ["title", "slug", "teaser", "body", "tags", "seo_title", "seo_description"];

  function editor(name) {
    return window.CKEDITOR && window.CKEDITOR.instances["id_" + name];
  }

  function fieldValue(form, name) {
    var instance = editor(name);
    if (instance) return instance.getData();
    var input = form.elements[name];
    return input ? input.value : "";
  }

  function setFieldValue(form, name, value) {
    var instance = editor(name);
    if (instance) {
      instance.setData(value);
      return;
    }
    var input = form.elements[name];
    if (input) input.value = value;
  }

  function post(url, form, data) {
    var body = new FormData();
    body.append("csrfmiddlewaretoken", form.elements.csrfmiddlewaretoken.value);
    Object.keys(data).forEach(function (key) { body.append(key, data[key]); });
    return fetch(url, { method: "POST", body: body, credentials: "same-origin" });
  }

  function setUp(form, workplace) {
    var dirty = false;
    var timer = null;
    var status = document.getElementById("autosave-status");
    var readOnly = !workplace || workplace.dataset.readOnly === "true";

    function autosave() {
      var data = {};
      FIELDS.forEach(function (name) { data[name] = fieldValue(form, name); });
      post(workplace.dataset.autosaveUrl, form, data)
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (answer) {
          if (answer && status) status.textContent = answer.message;
          if (!answer && status) status.textContent = workplace.dataset.failedText;
        })
        .catch(function () { if (status) status.textContent = workplace.dataset.failedText; });
    }

    function changed() {
      dirty = true;
      if (readOnly) return;
      clearTimeout(timer);
      timer = setTimeout(autosave, AUTOSAVE_DELAY);
    }

    form.addEventListener("input", changed);
    form.addEventListener("change", changed);
    form.addEventListener("submit", function () {
      dirty = false;
      clearTimeout(timer);
    });
    if (window.CKEDITOR) {
      window.CKEDITOR.on("instanceReady", function (event) {
        event.editor.on("change", changed);
      });
    }
    window.addEventListener("beforeunload", function (event) {
      if (!dirty) return;
      event.preventDefault();
      event.returnValue = "";
    });

    if (!workplace) return;

    var offer = document.getElementById("autosave-offer");
    if (offer) {
      var saved = JSON.parse(document.getElementById("autosave-data").textContent);
      document.getElementById("autosave-restore").addEventListener("click", function () {
        FIELDS.forEach(function (name) {
          if (name in saved) setFieldValue(form, name, saved[name]);
        });
        dirty = true;
        offer.hidden = true;
        if (status) status.textContent = workplace.dataset.restoredText;
      });
      document.getElementById("autosave-discard").addEventListener("click", function () {
        post(workplace.dataset.autosaveUrl, form, { discard: "1" });
        offer.hidden = true;
      });
    }

    var notice = document.getElementById("presence-notice");
    function ping() {
      post(workplace.dataset.presenceUrl, form, {})
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (answer) {
          if (!answer) return;
          notice.textContent = answer.message || "";
          notice.hidden = !answer.message;
        })
        .catch(function () {});
    }
    ping();
    setInterval(ping, PING_INTERVAL);
    window.addEventListener("pagehide", function () {
      var body = new FormData();
      body.append("csrfmiddlewaretoken", form.elements.csrfmiddlewaretoken.value);
      body.append("leaving", "1");
      navigator.sendBeacon(workplace.dataset.presenceUrl, body);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("article_form");
    if (form) setUp(form, document.getElementById("article-workplace"));
  });
})();
