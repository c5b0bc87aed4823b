// Article admin helpers (no inline script, CSP-friendly):
// - slug fields with data-slug-source follow their source field with German transliteration
//   until an editor types into the slug (ä -> ae, ß -> ss; Django's own URLify drops umlauts);
// - inputs with data-counter show "used / allowed" characters (SEO title and description);
// - the tags field suggests existing tags from the admin's autocomplete endpoint.
"use strict";

(function () {
  // The same tables as articles/text.py's german_slugify.
  var GERMAN = { "ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss", "ẞ": "SS" };
  var LATIN = {
    "Æ": "Ae", "æ": "ae", "Ð": "D", "ð": "d", "Ø": "Oe", "ø": "oe", "Þ": "Th", "þ": "th",
    "Đ": "D", "đ": "d", "Ħ": "H", "ħ": "h", "ı": "i", "ĸ": "q", "Ł": "L", "ł": "l",
    "Ŋ": "N", "ŋ": "n", "Œ": "Oe", "œ": "oe", "Ŧ": "T", "ŧ": "t", "Ə": "E", "ə": "e", "ƒ": "f"
  };

  function germanSlugify(value) {
    return value
      .normalize("NFC")
      .replace(/[äöüÄÖÜßẞ]/g, function (c) { return GERMAN[c]; })
      .normalize("NFKD")
      .replace(/[ÆæÐðØøÞþĐđĦħıĸŁłŊŋŒœŦŧƏəƒ]/g, function (c) { return LATIN[c]; })
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase()
      .replace(/[^a-z0-9\s-]/g, "")
      .trim()
      .replace(/[\s-]+/g, "-")
      .slice(0, 200);
  }

  function setUpSlug(slug) {
    var source = document.getElementById(slug.dataset.slugSource);
    if (!source) return;
    var touched = slug.value !== "";
    slug.addEventListener("input", function () { touched = slug.value !== ""; });
    source.addEventListener("input", function () {
      if (!touched) slug.value = germanSlugify(source.value);
    });
  }

  function setUpCounter(input) {
    var max = parseInt(input.getAttribute("maxlength"), 10);
    var counter = document.createElement("div");
    counter.className = "char-counter help";
    counter.setAttribute("aria-live", "polite");
    input.insertAdjacentElement("afterend", counter);
    function update() {
      var used = input.value.length;
      counter.textContent = used + " / " + max + " Zeichen";
      counter.classList.toggle("char-counter-full", used >= max);
    }
    input.addEventListener("input", update);
    update();
  }

  function setUpTagSuggestions(input) {
    var list = document.createElement("datalist");
    list.id = "tag-suggestions";
    input.setAttribute("list", list.id);
    input.setAttribute("autocomplete", "off");
    input.insertAdjacentElement("afterend", list);
    var base = input.dataset.autocompleteUrl;
    var pending = null;
    input.addEventListener("input", function () {
      var parts = input.value.split(",");
      var term = parts.pop().trim();
      var prefix = parts.map(function (p) { return p.trim(); }).filter(Boolean);
      clearTimeout(pending);
      if (term.length < 2) return;
      pending = setTimeout(function () {
        var url = base + "&term=" + encodeURIComponent(term);
        fetch(url, { credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.json() : { results: [] }; })
          .then(function (data) {
            list.replaceChildren();
            data.results.forEach(function (item) {
              var option = document.createElement("option");
              option.value = prefix.concat([item.text]).join(", ");
              list.appendChild(option);
            });
          });
      }, 200);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input[data-slug-source]").forEach(setUpSlug);
    document.querySelectorAll("input[data-counter][maxlength]").forEach(setUpCounter);
    document.querySelectorAll("input[data-autocomplete-url]").forEach(setUpTagSuggestions);
  });
})();
