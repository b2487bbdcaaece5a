// A job's page asks for the job's state every second and shows it, without reloading; when the job ends it
// reloads once, so the page shows the finished job as the server renders it (download link, summary).
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box) { return; }
  var url = box.getAttribute("data-status-url");
  function show(id, text) { var el = document.getElementById(id); if (el) { el.textContent = text; } }
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (s) {
        show("job-status", s.status_label);
        show("job-phase", s.phase);
        show("job-count", s.total ? s.done + " / " + s.total : "");
        var bar = document.getElementById("job-bar");
        if (bar) { bar.value = s.percent; bar.textContent = s.percent + "%"; }
        if (s.message) { show("job-message", s.message); }
        show("job-advice", s.advice);
        ["job-advice", "job-advice-label"].forEach(function (id) {
          var el = document.getElementById(id);
          if (el) { el.hidden = !s.advice; }
        });
        show("job-log", s.log);
        if (s.finished) { window.location.reload(); return; }
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 1000);
})();
