// "Name und E-Mail in diesem Browser speichern": an opt-in, unticked until the reader ticks it.
// Kept in this browser's local storage only (the checkbox has no name, so the server never
// hears of it): saved when a comment is sent with the box ticked, filled into the empty fields
// on the next visit, deleted as soon as the box is unticked.
(function () {
  "use strict";

  var KEY = "karriere.kommentar.person";
  var form = document.querySelector("form.comment-form");
  var box = form && form.querySelector("[data-remember]");
  if (!box) {
    return;
  }
  var storage;
  try {
    storage = window.localStorage;
    storage.getItem(KEY);
  } catch (error) {
    return; // storage blocked: the option stays hidden
  }
  var checkbox = box.querySelector('input[type="checkbox"]');
  var name = form.querySelector('[name="name"]');
  var email = form.querySelector('[name="email"]');
  box.hidden = false;

  var saved = null;
  try {
    saved = JSON.parse(storage.getItem(KEY) || "null");
  } catch (error) {
    storage.removeItem(KEY);
  }
  if (saved) {
    checkbox.checked = true;
    // What the server shows again after an error is what the reader typed: keep it.
    if (!name.value) {
      name.value = saved.name || "";
    }
    if (!email.value) {
      email.value = saved.email || "";
    }
  }

  checkbox.addEventListener("change", function () {
    if (!checkbox.checked) {
      storage.removeItem(KEY);
    }
  });
  form.addEventListener("submit", function () {
    if (checkbox.checked) {
      storage.setItem(KEY, JSON.stringify({ name: name.value, email: email.value }));
    } else {
      storage.removeItem(KEY);
    }
  });
})();
