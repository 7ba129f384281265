// A static file, not an inline script: the admin's Content-Security-Policy runs no inline script.
// Poll the run's JSON status while it runs (a full refresh's steps too, each with its own run's
// status); reload once it ends so every field is final.
(function () {
  var box = document.getElementById("synclog-live");
  var statusEl = document.getElementById("synclog-live-status");
  var detailEl = document.getElementById("synclog-live-detail");
  if (!box.dataset.running) return;
  function showSteps(steps) {
    var list = document.querySelector("ul.synclog-steps");
    if (!list || !steps) return;
    steps.forEach(function (step) {
      var item = null;
      list.querySelectorAll("li.synclog-step").forEach(function (li) {
        if (li.dataset.step === step.name) item = li;
      });
      if (!item) {  // a step begun since the page was drawn
        item = document.createElement("li");
        item.className = "synclog-step";
        item.dataset.step = step.name;
        item.appendChild(document.createTextNode(step.name + ": "));
        var strong = document.createElement("strong");
        strong.className = "synclog-step-status";
        item.appendChild(strong);
        item.appendChild(document.createTextNode(" "));
        var link = document.createElement("a");
        link.className = "synclog-step-run";
        item.appendChild(link);
        item.appendChild(document.createTextNode(" "));
        var message = document.createElement("span");
        message.className = "synclog-step-message";
        item.appendChild(message);
      }
      list.appendChild(item);  // appended, or moved to its place: the steps come in the order they run
      var status = item.querySelector(".synclog-step-status");
      status.textContent = step.status_display;
      status.dataset.status = step.status;
      status.style.color = step.colour;
      var run = item.querySelector(".synclog-step-run");
      if (step.url) {
        run.href = step.url;
        run.textContent = "run #" + step.log;
        run.hidden = false;
      }
      item.querySelector(".synclog-step-message").textContent = step.message || "";
    });
  }
  function show(data) {
    statusEl.textContent = data.status_display;
    statusEl.dataset.status = data.status;
    statusEl.style.color = data.colour;
    var c = data.counts;
    detailEl.textContent = " · " + data.seconds + " s · fetched " + c.fetched + ", created " + c.created +
      ", updated " + c.updated + ", unchanged " + c.unchanged + ", expired " + c.expired + ", errors " + c.errors +
      (data.running && data.message ? " · " + data.message : "") +
      (data.running ? " (updating…)" : "") +
      (data.running && data.quiet_seconds > 90 ? " · no sign of life for " + data.quiet_seconds +
        " s: is a Celery worker running?" : "");
    showSteps(data.steps);
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
