// The hero image field searches the image library: each suggestion shows a thumbnail, the
// title and the credit (extra fields of the admin's autocomplete answer, see
// articles.admin.LibraryAutocompleteJsonView). No inline script (CSP).
"use strict";

document.addEventListener("DOMContentLoaded", function () {
  if (!window.django || !django.jQuery || !django.jQuery.fn.djangoAdminSelect2) return;
  var $ = django.jQuery;

  function option(item, missingCredit) {
    if (!item.id || !item.thumbnail) return item.text;
    var row = $('<span class="image-option"><img width="48" height="48" alt=""> ' +
                '<span class="image-option-text"><strong></strong><br><small></small></span></span>');
    row.find("img").attr("src", item.thumbnail);
    row.find("strong").text(item.text);
    row.find("small").text(item.credit || missingCredit);
    return row;
  }

  function withThumbnails(element) {
    var select = $(element);
    if (select.data("select2")) select.select2("destroy");
    // Shown in the empty field, and its accessible name (select2 reads data-placeholder).
    element.setAttribute("data-placeholder", element.dataset.emptyLabel || "");
    select.data("placeholder", element.dataset.emptyLabel || "");
    select.select2({
      ajax: {
        data: function (params) {
          return {
            term: params.term,
            page: params.page,
            app_label: element.dataset.appLabel,
            model_name: element.dataset.modelName,
            field_name: element.dataset.fieldName
          };
        }
      },
      templateResult: function (item) { return option(item, element.dataset.missingCredit); }
    });
    // select2 names its text box by the chosen image's title only; an empty one gets the label.
    var rendered = select.next(".select2").find(".select2-selection__rendered");
    function nameEmpty() {
      if (rendered.attr("title")) rendered.removeAttr("aria-label");
      else rendered.attr("aria-label", element.dataset.emptyLabel || "");
    }
    nameEmpty();
    select.on("change", nameEmpty);
  }

  // jQuery runs ready handlers after this listener, so Django's own set-up (admin/js/
  // autocomplete.js) calls this version and the field is never shown without thumbnails.
  var original = $.fn.djangoAdminSelect2;
  $.fn.djangoAdminSelect2 = function () {
    original.call(this.not("[data-thumbnails]"));
    this.filter("[data-thumbnails]").each(function (_, element) { withThumbnails(element); });
    return this;
  };
  // Should Django's set-up have run already, redo this one field.
  $("select[data-thumbnails]").each(function (_, element) {
    if ($(element).data("select2")) withThumbnails(element);
  });
});
