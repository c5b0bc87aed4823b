// CKEditor's image browser: "Einfügen" hands the image's address and alt text to the image
// dialog that opened this window (CKEditor 4's file browser protocol), then closes it.
"use strict";

(function () {
  document.addEventListener("DOMContentLoaded", function () {
    var browser = document.querySelector(".image-browser");
    if (!browser) return;
    var funcNum = browser.dataset.funcNum;
    browser.addEventListener("click", function (event) {
      var button = event.target.closest(".insert-image");
      if (!button || !window.opener || !window.opener.CKEDITOR) return;
      var alt = button.dataset.alt;
      window.opener.CKEDITOR.tools.callFunction(funcNum, button.dataset.url, function () {
        var dialog = this.getDialog && this.getDialog();
        var field = dialog && dialog.getContentElement("info", "txtAlt");
        if (field && alt) field.setValue(alt);
      });
      window.close();
    });
  });
})();
