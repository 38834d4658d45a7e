"""English dates as a European city writes them: “6 December 2026”, “6/12/2026”.

Django's ``en`` formats are American (“Dec. 6, 2026”, “12/06/2026”); a partial module is
enough, the rest (input formats among them) stays Django's.
"""

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
