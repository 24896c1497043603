// Group page: copy or share a new invite link, and ask before an action that removes someone.
(function () {
  "use strict";

  document.querySelectorAll("[data-copy]").forEach(function (button) {
    var input = document.getElementById(button.dataset.copy);
    var label = button.textContent;
    button.addEventListener("click", function () {
      var done = function () {
        button.textContent = button.dataset.copied;
        setTimeout(function () { button.textContent = label; }, 2000);
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(input.value).then(done, function () { input.select(); });
      } else {
        // Plain http (a LAN address): the Clipboard API is missing; select for a manual copy.
        input.select();
        if (document.execCommand && document.execCommand("copy")) { done(); }
      }
    });
  });

  if (navigator.share) {
    document.querySelectorAll("[data-share]").forEach(function (button) {
      var input = document.getElementById(button.dataset.share);
      button.hidden = false;
      button.addEventListener("click", function () {
        navigator.share({ title: button.dataset.title, url: input.value }).catch(function () {});
      });
    });
  }

  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) { event.preventDefault(); }
    });
  });
})();
