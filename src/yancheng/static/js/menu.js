/* The phone header (base.html): on a narrow screen the bar shows the site's name and a
   菜单 button; the button opens and closes the menu (the nav, the language switch and the
   account links). Loaded in <head> so that the bar is compact from the first paint: the
   class on <html> lets the stylesheet fold the menu only when this script runs. */
(function () {
  "use strict";
  document.documentElement.classList.add("js-menu");

  function setUp() {
    var button = document.querySelector(".topbar .menu-toggle");
    if (!button) {
      return;
    }
    var bar = button.closest(".topbar");

    function isOpen() {
      return button.getAttribute("aria-expanded") === "true";
    }

    function set(open) {
      button.setAttribute("aria-expanded", open ? "true" : "false");
      bar.classList.toggle("open", open);
    }

    button.addEventListener("click", function () {
      // The menu follows the button in the page, so Tab walks into it once it is open.
      set(!isOpen());
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && isOpen()) {
        set(false);
        button.focus();
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
