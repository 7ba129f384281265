// A static file, not an inline script: the admin's Content-Security-Policy runs no inline script.
// Poll the run's JSON status while it runs; reload once it ends so every field is final.
(function () {
  var box = document.getElementById("synclog-live");
  var statusEl = document.getElementById("synclog-live-status");
  var detailEl = document.getElementById("synclog-live-detail");
  if (!box.dataset.running) return;
  function show(data) {
    statusEl.textContent = data.status_display;
    statusEl.dataset.status = data.status;
    statusEl.style.color = data.colour;
    var c = data.counts;
    detailEl.textContent = " · " + data.seconds + " s · fetched " + c.fetched + ", created " + c.created +
      ", updated " + c.updated + ", unchanged " + c.unchanged + ", expired " + c.expired + ", errors " + c.errors +
      (data.running ? " (updating…)" : "") +
      (data.running && data.quiet_seconds > 90 ? " · no sign of life for " + data.quiet_seconds +
        " s: is a Celery worker running?" : "");
  }
  function poll() {
    fetch(box.dataset.url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (data) {
        show(data);
        if (data.running) { setTimeout(poll, 1000); } else { setTimeout(function () { location.reload(); }, 500); }
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  setTimeout(poll, 500);
})();
