// Live progress of a queued or running fetch on the club page (#poll, data-poll-url): reads
// the run's JSON every second, shows it, and reloads the page once the run has finished so
// the grid shows what it stored. Without this script the box still shows the state when the
// page was served, and a reload link.
(function () {
  var box = document.getElementById("poll");
  if (!box || box.dataset.finished === "1" || !window.fetch) return;
  // A run unfinished this long lost its worker: stop asking.
  var GIVE_UP_MS = 15 * 60 * 1000;
  var began = Date.now();

  function part(name) { return box.querySelector("[data-poll-" + name + "]"); }

  function show(run) {
    part("badge").textContent = run.outcome_label;
    part("count").textContent = run.count;
    part("bar").style.width = run.percent + "%";
    part("bar").parentNode.setAttribute("aria-valuenow", run.days_ok.length);
    part("summary").textContent = run.summary;
    part("error").textContent = run.error_message;
    part("error").hidden = !run.error_message;
  }

  function reload(run) {
    var url = new URL(window.location.href);
    url.searchParams.set("poll", run.id);
    // Replacing a URL by itself with a #fragment only scrolls: reload instead.
    if (url.toString() === window.location.href) window.location.reload();
    else window.location.replace(url.toString());
  }

  function later() {
    if (Date.now() - began > GIVE_UP_MS) {
      part("reload").textContent = part("reload").dataset.stillText;
      return;
    }
    window.setTimeout(ask, 1000);
  }

  function ask() {
    fetch(box.dataset.pollUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (run) {
        show(run);
        if (run.finished) reload(run);
        else later();
      })
      .catch(later);  // a dropped request or a restart of the web server: try again
  }

  later();
})();
