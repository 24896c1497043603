// Live countdown to each rule's next release instant (data-release, ISO 8601); at zero it
// shows data-releasing, the page's translated "releasing now".
(function () {
  function render() {
    document.querySelectorAll(".countdown[data-release]").forEach(function (el) {
      var left = Math.round((Date.parse(el.dataset.release) - Date.now()) / 1000);
      if (left <= 0) { el.textContent = el.dataset.releasing; return; }
      var d = Math.floor(left / 86400), h = Math.floor(left % 86400 / 3600);
      var m = Math.floor(left % 3600 / 60), s = left % 60;
      el.textContent = (d ? d + "d " : "") + h + "h " + m + "m " + s + "s";
    });
  }
  render();
  setInterval(render, 1000);
})();
