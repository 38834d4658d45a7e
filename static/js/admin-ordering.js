/* Ordered inline rows (actionplan/ordering.py): "nach oben / nach unten" buttons, row numbers
 * in the order shown, and the parent choice of steps filled from the form's own rows.
 *
 * Drag and drop comes from django-admin-sortable2 (saved rows); this file numbers every row,
 * new ones included, whenever the order changes and right before the form is sent, so the
 * order on the screen is the order saved. No inline script or style: CSP-clean. */
(function () {
  "use strict";

  function rows(fieldset) {
    return Array.from(fieldset.querySelectorAll("tbody > tr.form-row")).filter(
      (row) => !row.classList.contains("empty-form")
    );
  }

  function renumber(fieldset) {
    rows(fieldset).forEach((row, index) => {
      const input = row.querySelector("input._reorder_");
      if (input) {
        input.value = String(index + 1);
      }
    });
  }

  function isDeleted(row) {
    const box = row.querySelector('td.delete input[type="checkbox"]');
    return Boolean(box && box.checked);
  }

  // Steps: the parent select ----------------------------------------------------------------

  const chosenRow = new WeakMap(); // select -> the row it names as parent

  function rowKey(row) {
    const id = row.querySelector('input[type="hidden"][name$="-id"]');
    return id && id.value ? id.value : "new:" + row.id;
  }

  function rowText(row) {
    const text = row.querySelector('[name$="-text"]');
    const value = text ? text.value.replace(/\s+/g, " ").trim() : "";
    return value.length > 60 ? value.slice(0, 60) + "…" : value;
  }

  function parentSelect(row) {
    return row.querySelector("select.ordering-parent");
  }

  function rowByKey(fieldset, key) {
    return rows(fieldset).find((row) => rowKey(row) === key) || null;
  }

  function refreshParents(fieldset) {
    const all = rows(fieldset);
    if (!all.some(parentSelect)) {
      return;
    }
    // Which row each select names, before the options are rebuilt.
    all.forEach((row) => {
      const select = parentSelect(row);
      if (select && !chosenRow.has(select)) {
        chosenRow.set(select, select.value ? rowByKey(fieldset, select.value) : null);
      }
    });
    const tops = all.filter((row) => {
      const select = parentSelect(row);
      return !isDeleted(row) && !(select && chosenRow.get(select));
    });
    all.forEach((row) => {
      const select = parentSelect(row);
      if (!select) {
        return;
      }
      const chosen = chosenRow.get(select);
      const empty = select.options.length ? select.options[0].text : "---------";
      select.replaceChildren(new Option(empty, ""));
      let number = 0;
      tops.forEach((top) => {
        number += 1;
        if (top === row) {
          return;
        }
        const option = new Option(number + ". " + rowText(top), rowKey(top));
        option.selected = top === chosen;
        select.add(option);
      });
      if (chosen && !tops.includes(chosen) && chosen.isConnected) {
        // A choice the server will refuse (the parent has a parent itself): keep it visible.
        const option = new Option(rowText(chosen), rowKey(chosen), true, true);
        select.add(option);
      }
      row.classList.toggle("ordering-child", Boolean(chosen && chosen.isConnected));
    });
  }

  // Moving rows -------------------------------------------------------------------------------

  function move(row, direction) {
    const fieldset = row.closest("fieldset.ordering");
    const list = rows(fieldset);
    const index = list.indexOf(row);
    const target = list[index + direction];
    if (!target) {
      return;
    }
    if (direction < 0) {
      target.before(row);
    } else {
      target.after(row);
    }
    renumber(fieldset);
    refreshParents(fieldset);
  }

  function showInPostedOrder(fieldset) {
    // A form shown again (after an error, or a pending change re-opened) carries each row's
    // place in its position input; put the rows in that order before anything renumbers them.
    const all = rows(fieldset);
    const place = (row) => {
      const input = row.querySelector("input._reorder_");
      const value = input ? parseInt(input.value, 10) : NaN;
      return Number.isNaN(value) ? Infinity : value;
    };
    const sorted = all
      .map((row, index) => ({ row, index, place: place(row) }))
      .sort((a, b) => a.place - b.place || a.index - b.index)
      .map((item) => item.row);
    if (sorted.some((row, index) => row !== all[index])) {
      const anchor = all[all.length - 1].nextSibling;
      sorted.forEach((row) => row.parentNode.insertBefore(row, anchor));
    }
  }

  function setUp(fieldset) {
    fieldset.classList.add("ordering-js");
    showInPostedOrder(fieldset);
    fieldset.addEventListener("click", (event) => {
      const button = event.target.closest("button.ordering-up, button.ordering-down");
      if (!button || !fieldset.contains(button)) {
        return;
      }
      event.preventDefault();
      const row = button.closest("tr.form-row");
      move(row, button.classList.contains("ordering-up") ? -1 : 1);
      button.focus();
    });
    fieldset.addEventListener("change", (event) => {
      if (event.target.matches("select.ordering-parent")) {
        const select = event.target;
        chosenRow.set(select, select.value ? rowByKey(fieldset, select.value) : null);
      }
      refreshParents(fieldset);
    });
    fieldset.addEventListener("input", (event) => {
      if (event.target.matches('[name$="-text"]')) {
        refreshParents(fieldset);
      }
    });
    // The drag of django-admin-sortable2 numbers saved rows only; number them all.
    fieldset.addEventListener("dragend", () => renumber(fieldset));
    fieldset.addEventListener("pointerup", () => window.setTimeout(() => renumber(fieldset), 0));
    refreshParents(fieldset);
  }

  function init() {
    document.querySelectorAll("fieldset.ordering").forEach(setUp);
    document.addEventListener("formset:added", (event) => {
      const fieldset = event.target.closest && event.target.closest("fieldset.ordering");
      if (fieldset) {
        renumber(fieldset);
        refreshParents(fieldset);
      }
    });
    document.addEventListener("formset:removed", () => {
      document.querySelectorAll("fieldset.ordering").forEach((fieldset) => {
        renumber(fieldset);
        refreshParents(fieldset);
      });
    });
    document.addEventListener(
      "submit",
      (event) => {
        event.target.querySelectorAll("fieldset.ordering").forEach((fieldset) => {
          refreshParents(fieldset);
          renumber(fieldset);
        });
      },
      true
    );
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
