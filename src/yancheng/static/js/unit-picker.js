/* The searchable unit picker on the case page (交办 / 改派): every <select data-picker> (the
   server renders it grouped in <optgroup>s, usable as it is without JavaScript) becomes a
   Tom Select (static/vendor/tom-select) with search; "multiple" ones take several units as
   removable chips. The words come from the select's data- attributes, in the page's
   language. No inline script or style: this file is loaded from the page. */
(function () {
  "use strict";
  if (typeof window.TomSelect !== "function") { return; }

  function textNode(className, text) {
    var node = document.createElement("div");
    node.className = className;
    node.textContent = text;
    return node;
  }

  function enhance(select) {
    if (select.tomselect) { return; }
    var data = select.dataset;
    var multiple = select.multiple;
    var settings = {
      maxOptions: null,              // all units: a city has under a hundred, a province a few hundred
      lockOptgroupOrder: true,       // keep department / utility / county / park in order
      searchField: ["text", "optgroup"],
      placeholder: data.placeholder || "",
      hidePlaceholder: false,
      allowEmptyOption: false,
      closeAfterSelect: !multiple,
      selectOnTab: true,
      render: {
        no_results: function () { return textNode("no-results", data.noResults || ""); }
      }
    };
    if (multiple) {
      settings.plugins = { remove_button: { title: data.removeLabel || "", label: "×" } };
    }
    var picker = new window.TomSelect(select, settings);
    // The label of the original select names the search box now.
    var label = select.id ? document.querySelector('label[for="' + select.id + '"]') : null;
    if (label && picker.control_input) {
      picker.control_input.id = select.id + "-ts";
      label.htmlFor = picker.control_input.id;
    }
  }

  function start() {
    var selects = document.querySelectorAll("select[data-picker]");
    for (var i = 0; i < selects.length; i += 1) { enhance(selects[i]); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
