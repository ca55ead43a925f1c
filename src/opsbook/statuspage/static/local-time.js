// Progressive enhancement: the page is complete without this script. It adds
// the reader's local time beside each time shown in the page's zone, when the
// two differ. No network, no globals.
(function () {
  "use strict";
  var pageZone = document.documentElement.getAttribute("data-zone");
  if (!pageZone || typeof Intl === "undefined") { return; }
  var options = { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", hour12: false };
  var inPage, inReader;
  try {
    inPage = new Intl.DateTimeFormat("en-GB", Object.assign({ timeZone: pageZone }, options));
    inReader = new Intl.DateTimeFormat(undefined, Object.assign({ timeZoneName: "short" }, options));
  } catch (error) { return; }
  var readerZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (readerZone === pageZone) { return; }
  var added = false;
  document.querySelectorAll("time[data-local]").forEach(function (node) {
    var when = new Date(node.getAttribute("datetime"));
    if (isNaN(when.getTime())) { return; }
    var plain = new Intl.DateTimeFormat("en-GB", Object.assign({ timeZone: readerZone }, options));
    if (plain.format(when) === inPage.format(when)) { return; }
    var local = document.createElement("span");
    local.className = "local";
    local.textContent = " (" + inReader.format(when) + ")";
    node.after(local);
    added = true;
  });
  if (added) {
    document.querySelectorAll(".local-note").forEach(function (note) { note.hidden = false; });
  }
})();
