(function () {
  "use strict";
  function key(row, i) {
    var cell = row.cells[i];
    var t = cell ? cell.textContent.trim() : "";
    var n = parseFloat(t.replace(/[,$€£+\s]/g, "").replace("\u2212", "-"));
    return isNaN(n) ? t.toLowerCase() : n;
  }
  function sortBy(table, th, i) {
    var heads = table.tHead.rows[0].cells;
    var asc = th.getAttribute("aria-sort") !== "ascending";
    Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", asc ? "ascending" : "descending");
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = key(a, i), y = key(b, i), c;
      if (typeof x === typeof y) { c = x < y ? -1 : (x > y ? 1 : 0); }
      else { c = typeof x === "number" ? -1 : 1; }
      return asc ? c : -c;
    });
    rows.forEach(function (r) { body.appendChild(r); });
  }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    if (!table.tHead || !table.tBodies.length) { return; }
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, i) {
      th.tabIndex = 0;
      th.title = "Sort by this column";
      th.addEventListener("click", function () { sortBy(table, th, i); });
      th.addEventListener("keydown", function (e) {
        if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sortBy(table, th, i); }
      });
    });
  });
  document.querySelectorAll("input.filter").forEach(function (input) {
    var box = input.nextElementSibling;
    var table = box ? box.querySelector("table") : null;
    if (!table || !table.tBodies.length) { return; }
    input.hidden = false;
    input.addEventListener("input", function () {
      var q = input.value.toLowerCase();
      Array.prototype.forEach.call(table.tBodies[0].rows, function (r) {
        r.hidden = q !== "" && r.textContent.toLowerCase().indexOf(q) < 0;
      });
    });
  });
})();
