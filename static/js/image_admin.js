// Image admin: a click on the preview sets the focal point (percent of width and height) that
// every crop keeps in view. No inline script (CSP).
"use strict";

(function () {
  function setUp(preview) {
    var x = document.getElementById(preview.dataset.focalX);
    var y = document.getElementById(preview.dataset.focalY);
    if (!x || !y) return;
    preview.style.cursor = "crosshair";
    preview.addEventListener("click", function (event) {
      var box = preview.getBoundingClientRect();
      x.value = Math.round(((event.clientX - box.left) / box.width) * 1000) / 10;
      y.value = Math.round(((event.clientY - box.top) / box.height) * 1000) / 10;
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("img.focal-preview").forEach(setUp);
  });
})();
