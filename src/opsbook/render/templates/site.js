// opsbook site script: keeps time-relative parts of a page true by the reader's
// clock. The build already decided each part for the build instant (the page is
// right without scripts); this re-decides it from numbers embedded in the page.
//  - [data-from]/[data-until] markers (Unix ms): a row or flag is on screen while
//    from <= now < until (class opsbook-out hides it);
//  - [data-empty-for=G]: a note shown while no row of group G is on screen;
//  - .opsbook-day[data-day][data-zone]: the calendar cell of today in that zone;
//  - .opsbook-days-late[data-due][data-zone]: days past a due date, by that zone's calendar.
// Uses Date.now() alone for the current instant.
(function () {
  "use strict";

  var OUT = "opsbook-out";

  function number(el, name, fallback) {
    var text = el.getAttribute(name);
    if (text === null || text === "") { return fallback; }
    var value = Number(text);
    return isFinite(value) ? value : fallback;
  }

  function dayIn(zone, now) {
    try {
      var parts = new Intl.DateTimeFormat("en-CA", {
        timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit"
      }).formatToParts(new Date(now));
      var get = function (type) {
        for (var i = 0; i < parts.length; i++) { if (parts[i].type === type) { return parts[i].value; } }
        return "";
      };
      return get("year") + "-" + get("month") + "-" + get("day");
    } catch (e) {
      return new Date(now).toISOString().slice(0, 10);
    }
  }

  function update() {
    var now = Date.now();
    var i;
    var shown = {};
    var marks = document.querySelectorAll(".opsbook-row-when, .opsbook-when");
    for (i = 0; i < marks.length; i++) {
      var mark = marks[i];
      var on = number(mark, "data-from", -Infinity) <= now && now < number(mark, "data-until", Infinity);
      mark.classList.toggle(OUT, !on);
      var group = mark.getAttribute("data-group");
      if (group) { shown[group] = (shown[group] || 0) + (on ? 1 : 0); }
    }
    var notes = document.querySelectorAll("[data-empty-for]");
    for (i = 0; i < notes.length; i++) {
      notes[i].classList.toggle(OUT, (shown[notes[i].getAttribute("data-empty-for")] || 0) > 0);
    }
    var days = document.querySelectorAll(".opsbook-day[data-day]");
    var today = {};
    for (i = 0; i < days.length; i++) {
      var zone = days[i].getAttribute("data-zone") || "UTC";
      if (!(zone in today)) { today[zone] = dayIn(zone, now); }
      days[i].classList.toggle("opsbook-today-mark", days[i].getAttribute("data-day") === today[zone]);
    }
    // Days past a due date, counted in calendar days of the organisation's zone.
    var late = document.querySelectorAll(".opsbook-days-late[data-due]");
    for (i = 0; i < late.length; i++) {
      var lzone = late[i].getAttribute("data-zone") || "UTC";
      if (!(lzone in today)) { today[lzone] = dayIn(lzone, now); }
      var a = today[lzone].split("-"), b = late[i].getAttribute("data-due").split("-");
      var days = Math.round((Date.UTC(+a[0], a[1] - 1, +a[2]) - Date.UTC(+b[0], b[1] - 1, +b[2])) / 86400000);
      if (isFinite(days) && days > 0) { late[i].textContent = String(days); }
    }
    document.documentElement.setAttribute("data-opsbook-live", String(now));
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", update);
  } else {
    update();
  }
  // A page left open (a wall screen, a phone in a pocket) stays true.
  window.setInterval(update, 60000);
})();
