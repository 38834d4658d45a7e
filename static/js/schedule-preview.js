/* Schedule rows of the measure form: the dates a label gives, shown under it while typing,
 * and the hand-set date columns behind a "set the date by hand" toggle per row.
 * Without this script every column simply shows; the server dates the entry on save
 * (actionplan/models.py ScheduleEntry.apply_dates) either way. */
(function () {
  "use strict";

  var DELAY = 300;
  var HAND_FIELDS = ["start_date", "start_precision", "end_date", "end_precision", "approximate"];
  var counter = 0;

  function rowOf(input) {
    return input.closest("tr") || input.closest(".inline-related");
  }

  function groupOf(row) {
    return row.closest("table") || row.closest(".inline-group") || row.parentNode;
  }

  function handCells(row) {
    var cells = [];
    HAND_FIELDS.forEach(function (name) {
      row.querySelectorAll(".field-" + name).forEach(function (cell) { cells.push(cell); });
    });
    return cells;
  }

  function dateInputsUnchanged(row) {
    return handCells(row).every(function (cell) {
      return Array.prototype.every.call(cell.querySelectorAll("input, select"), function (el) {
        if (el.type === "checkbox") { return el.checked === el.defaultChecked; }
        if (el.tagName === "SELECT") {
          return Array.prototype.every.call(el.options, function (o) {
            return o.selected === o.defaultSelected;
          });
        }
        return el.value === el.defaultValue;
      });
    });
  }

  function refreshGroup(group) {
    var open = group.querySelector(".schedule-hand-open") !== null;
    group.classList.toggle("schedule-some-hand-open", open);
  }

  function setOpen(row, button, open) {
    row.classList.toggle("schedule-hand-open", open);
    button.setAttribute("aria-expanded", open ? "true" : "false");
    refreshGroup(groupOf(row));
  }

  function show(input, preview, text) {
    var row = rowOf(input);
    if (text && input.dataset.handDated === "true" && input.value !== input.defaultValue &&
        dateInputsUnchanged(row)) {
      text += " – " + input.dataset.replaceNote;
    }
    preview.textContent = text;
    preview.hidden = !text;
  }

  function request(input, preview) {
    var label = input.value.trim();
    var sequence = ++counter;
    input.dataset.previewSequence = String(sequence);
    if (!label) {
      show(input, preview, "");
      return;
    }
    var url = input.dataset.schedulePreview + "?label=" + encodeURIComponent(label);
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (data && input.dataset.previewSequence === String(sequence)) {
          show(input, preview, data.text || "");
        }
      })
      .catch(function () { /* no preview: the server still dates the entry on save */ });
  }

  function enhance(input) {
    var row = rowOf(input);
    if (!row || input.dataset.previewReady || input.name.indexOf("__prefix__") !== -1) { return; }
    input.dataset.previewReady = "true";
    row.classList.add("schedule-row");
    var group = groupOf(row);
    group.classList.add("schedule-preview-ready");
    // An unsaved row has no dating yet ("undated" is only the model's default): the preview
    // line under the label says what the label gives.
    var dating = row.querySelector(".field-dating p");
    if (dating && !row.classList.contains("has_original")) { dating.textContent = "–"; }

    var preview = document.createElement("div");
    preview.className = "schedule-preview";
    preview.id = (input.id || input.name) + "-preview";
    preview.setAttribute("aria-live", "polite");
    preview.hidden = true;
    input.setAttribute("aria-describedby", preview.id);

    var button = document.createElement("button");
    button.type = "button";
    button.className = "schedule-hand-toggle";
    button.textContent = input.dataset.toggleLabel;
    var withErrors = handCells(row).some(function (cell) {
      return cell.querySelector(".errorlist") !== null;
    });
    input.insertAdjacentElement("afterend", button);
    input.insertAdjacentElement("afterend", preview);
    setOpen(row, button, input.dataset.handDated === "true" || withErrors);
    button.addEventListener("click", function () {
      setOpen(row, button, !row.classList.contains("schedule-hand-open"));
    });

    var timer = null;
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () { request(input, preview); }, DELAY);
    });
  }

  function enhanceAll(root) {
    root.querySelectorAll("input[data-schedule-preview]").forEach(enhance);
  }

  document.addEventListener("DOMContentLoaded", function () { enhanceAll(document); });
  // Rows added with "add another" (django/contrib/admin/static/admin/js/inlines.js).
  document.addEventListener("formset:added", function (event) { enhanceAll(event.target); });
})();
