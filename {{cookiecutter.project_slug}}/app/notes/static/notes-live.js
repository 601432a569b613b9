// The dashboard's notes list, kept in step with live updates (app/notes/live.py): each note event
// announced by realtime.js, and each reconnect (events may have been missed meanwhile), reloads the
// list from the server's own panel, so it looks exactly as a reload of the page would show it.
// The note form is left alone: whatever is being typed into it stays.
(function () {
  "use strict";

  var script = document.currentScript;
  var section = document.querySelector("section.notes");
  if (!script || !section) return;

  var panelUrl = script.dataset.panelUrl;
  var loading = false;
  var again = false;

  function refresh() {
    if (loading) {
      again = true;  // one more load once this one is done, for the changes it may miss
      return;
    }
    loading = true;
    fetch(panelUrl + location.search, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (response.redirected || response.status === 401) {
          location.reload();  // the session is over: the page shows the login form
          return null;
        }
        return response.ok ? response.text() : null;
      })
      .then(function (html) {
        if (html) replaceList(html);
      })
      .catch(function () {})
      .then(function () {
        loading = false;
        if (again) {
          again = false;
          refresh();
        }
      });
  }

  // The heading's total, and everything after the form: the list (or its empty notice), the pages.
  function replaceList(html) {
    var fresh = new DOMParser().parseFromString(html, "text/html").querySelector("section.notes");
    var form = section.querySelector("form.note-form");
    var freshForm = fresh && fresh.querySelector("form.note-form");
    if (!form || !freshForm) return;
    while (form.nextSibling) form.nextSibling.remove();
    while (freshForm.nextSibling) section.appendChild(freshForm.nextSibling);
    var total = section.querySelector(".notes-total");
    var freshTotal = fresh.querySelector(".notes-total");
    if (total && freshTotal) total.textContent = freshTotal.textContent;
    section.dataset.refreshed = String(Number(section.dataset.refreshed || 0) + 1);
  }

  document.addEventListener("realtime:message", function (event) {
    if (String(event.detail.event).indexOf("note.") === 0) refresh();
  });
  document.addEventListener("realtime:open", function (event) {
    if (event.detail.reconnected) refresh();
  });
})();
