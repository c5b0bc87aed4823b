// A thin bar at the top showing how far the article has been read. Optional: without
// JavaScript nothing is missing. Decorative, so hidden from screen readers.
(function () {
  "use strict";
  var article = document.querySelector(".article-body");
  if (!article) return;
  var bar = document.createElement("progress");
  bar.className = "reading-progress";
  bar.max = 100;
  bar.value = 0;
  bar.setAttribute("aria-hidden", "true");
  document.body.prepend(bar);
  var pending = false;
  function update() {
    pending = false;
    var box = article.getBoundingClientRect();
    var total = box.height - window.innerHeight;
    var done = total > 0 ? -box.top / total : box.top < 0 ? 1 : 0;
    bar.value = Math.round(Math.min(1, Math.max(0, done)) * 100);
  }
  window.addEventListener("scroll", function () {
    if (!pending) {
      pending = true;
      window.requestAnimationFrame(update);
    }
  }, { passive: true });
  update();
})();
