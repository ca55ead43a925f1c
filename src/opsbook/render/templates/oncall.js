// opsbook on-call: recompute "who is on call now" from the shifts embedded in
// the page, so a page built yesterday answers for today. The HTML already holds
// the build-time answer; this script only replaces it when its data covers
// the reader's clock. Uses Date.now() alone for the current instant.
(function () {
  "use strict";

  function format(ms, zone) {
    try {
      return new Intl.DateTimeFormat(undefined, {
        weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit",
        timeZone: zone, timeZoneName: "short"
      }).format(new Date(ms));
    } catch (e) {
      return new Date(ms).toISOString();
    }
  }

  function who(shifts, at) {
    var primary = null, backup = null;
    for (var i = 0; i < shifts.length; i++) {
      var s = shifts[i];
      if (s[0] <= at && at < s[1]) {
        if (s[2] === "p") { primary = s[3]; } else { backup = s[3]; }
      }
    }
    return [primary, backup];
  }

  function nextChange(shifts, at, here) {
    var points = [];
    for (var i = 0; i < shifts.length; i++) {
      if (shifts[i][0] > at) { points.push(shifts[i][0]); }
      if (shifts[i][1] > at) { points.push(shifts[i][1]); }
    }
    points.sort(function (a, b) { return a - b; });
    for (var j = 0; j < points.length; j++) {
      var pair = who(shifts, points[j]);
      if (pair[0] !== here[0] || pair[1] !== here[1]) { return points[j]; }
    }
    return null;
  }

  function setText(root, selector, text) {
    var node = root.querySelector(selector);
    if (node) { node.textContent = text; }
  }

  // Internal builds embed how to reach each person: [[uri, text], ...]. Only the
  // schemes the build writes become links; text is set as text, never as HTML.
  var SAFE = /^(tel:\+?[0-9]+|mailto:[^\s"<>]+|https:\/\/slack\.com\/app_redirect\?channel=[UW][A-Z0-9]+)$/;
  function setContacts(root, selector, links) {
    var node = root.querySelector(selector);
    if (!node || !links) { return; }
    while (node.firstChild) { node.removeChild(node.firstChild); }
    var shown = 0;
    for (var i = 0; i < links.length; i++) {
      if (!SAFE.test(links[i][0])) { continue; }
      if (shown++) { node.appendChild(document.createTextNode(" · ")); }
      var a = document.createElement("a");
      a.setAttribute("href", links[i][0]);
      a.textContent = links[i][1];
      node.appendChild(a);
    }
    if (!shown) { node.textContent = "no contact details"; }
  }

  function update() {
    var source = document.getElementById("opsbook-oncall-data");
    if (!source) { return; }
    var data;
    try { data = JSON.parse(source.textContent); } catch (e) { return; }
    var now = Date.now();
    var byId = {};
    data.schedules.forEach(function (s) { byId[s.id] = s; });
    var boxes = document.querySelectorAll("[data-oncall-schedule]");
    for (var i = 0; i < boxes.length; i++) {
      var box = boxes[i];
      var schedule = byId[box.getAttribute("data-oncall-schedule")];
      if (!schedule) { continue; }
      if (now < data.from || now >= data.to) {
        setText(box, ".opsbook-oncall-asof", "(as of the build, " + format(data.built, schedule.zone) +
          "; this page's schedule data does not reach your clock's time, so rebuild the site for a current answer)");
        continue;
      }
      var name = function (id) { return id === null ? "nobody" : (data.people[id] || id); };
      var here = who(schedule.shifts, now);
      var next = nextChange(schedule.shifts, now, here);
      setText(box, ".opsbook-oncall-primary", name(here[0]));
      setText(box, ".opsbook-oncall-backup", name(here[1]));
      if (data.contacts) {
        setContacts(box, ".opsbook-oncall-primary-contact", here[0] === null ? [] : data.contacts[here[0]] || []);
        setContacts(box, ".opsbook-oncall-backup-contact", here[1] === null ? [] : data.contacts[here[1]] || []);
      }
      setText(box, ".opsbook-oncall-next", next === null ? "not before " + format(data.to, schedule.zone)
        : format(next, schedule.zone));
      var after = next === null ? null : who(schedule.shifts, next);
      setText(box, ".opsbook-oncall-following", after === null ? "no change scheduled"
        : name(after[0]) + " (backup " + name(after[1]) + ")");
      setText(box, ".opsbook-oncall-asof", "(now, by your clock: " + format(now, schedule.zone) + ")");
      box.setAttribute("data-oncall-live", "true");
    }
    // Escalation steps name who a (schedule, role) target reaches right now.
    var targets = document.querySelectorAll("[data-oncall-resolve]");
    for (var t = 0; t < targets.length; t++) {
      var target = byId[targets[t].getAttribute("data-oncall-resolve")];
      if (!target || now < data.from || now >= data.to) { continue; }
      var pair = who(target.shifts, now);
      var id = targets[t].getAttribute("data-oncall-role") === "backup" ? pair[1] : pair[0];
      targets[t].textContent = id === null ? "nobody" : (data.people[id] || id);
      targets[t].setAttribute("data-oncall-live", "true");
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", update);
  } else {
    update();
  }
  // Refresh each minute so a page left open keeps telling the truth.
  window.setInterval(update, 60000);
})();
