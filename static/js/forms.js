// Ordered choices (playtomic_monitor/ordered_choices.py): up/down buttons move a row and
// renumber the position boxes, which the server sorts by; without this script the member
// types the positions. Court rows carrying data-club are shown only for the rule's clubs.
(function () {
  function renumber(list) {
    list.querySelectorAll(".ordered-row").forEach(function (row, index) {
      row.querySelector(".ordered-pos").value = index + 1;
    });
  }
  function button(text, label, onClick) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "btn small";
    b.textContent = text;
    b.setAttribute("aria-label", label);
    b.addEventListener("click", onClick);
    return b;
  }
  document.querySelectorAll("ol.ordered-choices").forEach(function (list) {
    list.classList.add("js-ordered");
    list.querySelectorAll(".ordered-row").forEach(function (row) {
      row.querySelector(".ordered-pos").hidden = true;
      var label = row.querySelector("label").textContent;
      row.appendChild(button("↑", list.dataset.up + ": " + label, function () {
        var previous = row.previousElementSibling;
        while (previous && previous.hidden) { previous = previous.previousElementSibling; }
        if (previous) { list.insertBefore(row, previous); renumber(list); }
      }));
      row.appendChild(button("↓", list.dataset.down + ": " + label, function () {
        var next = row.nextElementSibling;
        while (next && next.hidden) { next = next.nextElementSibling; }
        if (next) { list.insertBefore(next, row); renumber(list); }
      }));
    });
  });

  var club = document.querySelector("select[name=club]");
  var courts = document.querySelector("ol#id_court_preference");
  if (!club || !courts) { return; }
  function showCourtsOfChosenClubs() {
    var chosen = [club.value];
    document.querySelectorAll("input[name=fallback_clubs]:checked").forEach(function (box) {
      chosen.push(box.value);
    });
    courts.querySelectorAll(".ordered-row[data-club]").forEach(function (row) {
      var box = row.querySelector("input[type=checkbox]");
      // No club chosen yet: every court stays in view.
      row.hidden = Boolean(club.value) && chosen.indexOf(row.dataset.club) < 0 && !box.checked;
    });
  }
  club.addEventListener("change", showCourtsOfChosenClubs);
  document.querySelectorAll("input[name=fallback_clubs]").forEach(function (box) {
    box.addEventListener("change", showCourtsOfChosenClubs);
  });
  showCourtsOfChosenClubs();
})();
