/* On a phone a responsive list (table.list.responsive) shows each row as a card and hides
   the header row, so each cell needs its column's name beside it. Templates may set
   data-label themselves; any cell without one takes the text of its column's header here.
   Cells spanning several columns (an empty list's message) get no label. */
(function () {
  "use strict";

  function label(table) {
    var headers = [];
    table.querySelectorAll("thead tr:last-child th").forEach(function (th) {
      var span = parseInt(th.getAttribute("colspan") || "1", 10);
      for (var i = 0; i < span; i += 1) {
        headers.push(span === 1 ? th.textContent.replace(/[▲▼]/g, "").replace(/\s+/g, " ").trim() : "");
      }
    });
    table.querySelectorAll("tbody tr").forEach(function (row) {
      var column = 0;
      Array.prototype.forEach.call(row.children, function (cell) {
        var span = parseInt(cell.getAttribute("colspan") || "1", 10);
        if (span === 1 && !cell.hasAttribute("data-label") && headers[column]) {
          cell.setAttribute("data-label", headers[column]);
        }
        column += span;
      });
    });
  }

  function setUp() {
    document.querySelectorAll("table.list.responsive").forEach(label);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
