/* The "Select all" box of django-import-export's export page (templates/admin/import_export/
   export.html): bound here, not by an onchange= attribute, which the Content-Security-Policy
   blocks. onSelectToggleChange comes from import_export/export_selectable_fields.js. */
(function () {
    "use strict";
    document.addEventListener("change", function (event) {
        if (event.target.matches(".select-toggle") && typeof onSelectToggleChange === "function") {
            onSelectToggleChange(event);
        }
    });
})();
