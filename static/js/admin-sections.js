/* Sections of admin change forms as tabs, and column labels for narrow screens.
   Without this file every section is an open <details> and the list above them links to each
   (templates/admin/includes/form_sections.html); nothing here is needed to read or save.
   - Tabs: one section at a time; the tab is remembered per model for this browser tab
     (sessionStorage); a section with a validation error opens first (the admin's forms are
     "novalidate": every error comes from the server and is marked in the sections).
   - Row counts in the tab and section headings follow rows added and removed.
   - Table cells without a data-label (inline templates other than the project's, change lists)
     get their column's heading, which narrow screens show above the value
     (static/css/admin-workbench.css). */
(function () {
    "use strict";

    function labelCells(table) {
        const headings = Array.from(table.querySelectorAll("thead th"));
        if (!headings.length) {
            return;
        }
        table.querySelectorAll("tbody tr").forEach(function (row) {
            Array.from(row.children).forEach(function (cell, index) {
                if (cell.hasAttribute("data-label")) {
                    return;
                }
                const field = Array.from(cell.classList).find(function (name) {
                    return name.startsWith("field-");
                });
                let heading = null;
                if (field) {
                    heading = table.querySelector("thead th.column-" + field.slice(6));
                } else if (cell.classList.contains("delete")) {
                    heading = headings[headings.length - 1];
                }
                if (!heading && headings.length === row.children.length) {
                    heading = headings[index];
                }
                const text = heading ? heading.textContent.trim() : "";
                if (text) {
                    cell.setAttribute("data-label", text);
                }
            });
        });
    }

    function labelAllTables() {
        document
            .querySelectorAll(".inline-group .tabular table, #result_list")
            .forEach(labelCells);
    }

    function rowCount(section) {
        // Rows of an inline are "<prefix>-<n>" (tabular: tr.form-row; stacked: div.inline-related);
        // the template row is "<prefix>-empty".
        const prefixes = (section.dataset.prefixes || "").split(" ").filter(Boolean);
        let count = 0;
        prefixes.forEach(function (prefix) {
            section.querySelectorAll(".form-row, .inline-related").forEach(function (row) {
                const rest = row.id.startsWith(prefix + "-") ? row.id.slice(prefix.length + 1) : "";
                if (/^\d+$/.test(rest)) {
                    count += 1;
                }
            });
        });
        return count;
    }

    function updateCount(root, section) {
        if (!section.dataset.prefixes) {
            return;
        }
        const count = rowCount(section);
        root.querySelectorAll("[data-count-for='" + section.dataset.section + "']").forEach(
            function (element) {
                element.textContent = "(" + count + ")";
            }
        );
    }

    function setUpSections(root) {
        const sections = Array.from(root.querySelectorAll(".form-section"));
        const tabs = Array.from(root.querySelectorAll(".form-sections-nav a[data-section]"));
        if (!sections.length || tabs.length !== sections.length) {
            return;
        }
        const storageKey = "planwerk.section." + (root.dataset.sectionsKey || location.pathname);
        const list = root.querySelector(".form-sections-nav ul");
        list.setAttribute("role", "tablist");

        function sectionFor(key) {
            return sections.find(function (section) {
                return section.dataset.section === key;
            });
        }

        function activate(key, remember) {
            if (!sectionFor(key)) {
                return;
            }
            tabs.forEach(function (tab) {
                const selected = tab.dataset.section === key;
                tab.setAttribute("aria-selected", selected ? "true" : "false");
                tab.tabIndex = selected ? 0 : -1;
            });
            sections.forEach(function (section) {
                const shown = section.dataset.section === key;
                section.hidden = !shown;
                section.open = true;
            });
            if (remember) {
                try {
                    sessionStorage.setItem(storageKey, key);
                } catch (error) {
                    /* storage switched off: the first tab opens next time */
                }
            }
        }

        tabs.forEach(function (tab, index) {
            tab.parentElement.setAttribute("role", "presentation");
            tab.setAttribute("role", "tab");
            tab.setAttribute("aria-controls", "section-" + tab.dataset.section);
            tab.addEventListener("click", function (event) {
                event.preventDefault();
                activate(tab.dataset.section, true);
            });
            tab.addEventListener("keydown", function (event) {
                let next = null;
                if (event.key === "ArrowRight" || event.key === "ArrowDown") {
                    next = tabs[(index + 1) % tabs.length];
                } else if (event.key === "ArrowLeft" || event.key === "ArrowUp") {
                    next = tabs[(index - 1 + tabs.length) % tabs.length];
                } else if (event.key === "Home") {
                    next = tabs[0];
                } else if (event.key === "End") {
                    next = tabs[tabs.length - 1];
                }
                if (next) {
                    event.preventDefault();
                    activate(next.dataset.section, true);
                    next.focus();
                }
            });
        });
        sections.forEach(function (section) {
            section.setAttribute("role", "tabpanel");
            section.setAttribute("aria-labelledby", "section-tab-" + section.dataset.section);
        });
        root.classList.add("is-tabbed");

        let stored = null;
        try {
            stored = sessionStorage.getItem(storageKey);
        } catch (error) {
            stored = null;
        }
        const withErrors = sections.find(function (section) {
            return section.classList.contains("has-errors") || section.querySelector(".errorlist");
        });
        const fromHash = location.hash.startsWith("#section-") ? location.hash.slice(9) : null;
        const first = withErrors ? withErrors.dataset.section :
            (sectionFor(fromHash) ? fromHash :
                (sectionFor(stored) ? stored : sections[0].dataset.section));
        activate(first, false);

        function recount(event) {
            const section = event.target.closest && event.target.closest(".form-section");
            if (section) {
                updateCount(root, section);
            }
            labelAllTables();
        }
        document.addEventListener("formset:added", recount);
        document.addEventListener("formset:removed", function () {
            // The removed row is gone from the page: count every section.
            sections.forEach(function (section) {
                updateCount(root, section);
            });
        });
    }

    function start() {
        labelAllTables();
        document.querySelectorAll(".form-sections").forEach(setUpSections);
    }

    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", start);
    } else {
        start();
    }
})();
