/* 扫码入企 registration form: show only the parts that matter for the chosen kind and
   entry mode. Without JavaScript every part stays visible and the form still works. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-register]");
  if (!form) { return; }
  function checked(name) {
    var input = form.querySelector("input[name='" + name + "']:checked");
    return input ? input.value : "";
  }
  function update() {
    var kind = checked("kind");
    var mode = checked("entry_mode");
    Array.prototype.forEach.call(form.querySelectorAll("[data-kind]"), function (el) {
      el.hidden = kind !== "" && el.getAttribute("data-kind") !== kind;
    });
    Array.prototype.forEach.call(form.querySelectorAll("[data-mode]"), function (el) {
      el.hidden = mode === "scanned";
    });
  }
  form.addEventListener("change", update);
  update();
}());
