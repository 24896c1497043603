// The club page's court grid opens at the current hour (or the evening once the day is
// over): on a screen narrower than the grid, scroll its box so that column comes first after
// the court names (which stay put: position sticky in app.css).
(function () {
  "use strict";
  document.querySelectorAll("[data-grid-scroll]").forEach(function (box) {
    var focus = box.querySelector("[data-grid-focus]");
    var names = box.querySelector("tbody th");
    if (!focus) return;
    box.scrollLeft = focus.offsetLeft - (names ? names.offsetWidth : 0) - 4;
  });
})();
