"""The data licences a coordinator may choose for a plan's open data.

Each has the URI of the DCAT-AP.de licence vocabulary (what ``dct:license`` names, so that
GovData and the state portals recognise it) and the address of its text for people.
"""

from dataclasses import dataclass

from django.db import models


@dataclass(frozen=True)
class Licence:
    name: str  # the official name, not translated
    uri: str  # DCAT-AP.de licence vocabulary
    url: str  # the licence text
    attribution: bool  # users must name the source (dcatde:licenseAttributionByText)


class DataLicence(models.TextChoices):
    DL_DE_BY_2_0 = "dl-de/by-2-0", "Datenlizenz Deutschland – Namensnennung – 2.0"
    DL_DE_ZERO_2_0 = "dl-de/zero-2-0", "Datenlizenz Deutschland – Zero – 2.0"
    CC_BY_4_0 = "cc-by-4.0", "Creative Commons Namensnennung 4.0 International (CC BY 4.0)"
    CC0_1_0 = "cc0-1.0", "Creative Commons Zero 1.0 Universell (CC0 1.0)"


LICENCES: dict[str, Licence] = {
    DataLicence.DL_DE_BY_2_0: Licence(
        DataLicence.DL_DE_BY_2_0.label,
        "http://dcat-ap.de/def/licenses/dl-by-de/2.0",
        "https://www.govdata.de/dl-de/by-2-0",
        True,
    ),
    DataLicence.DL_DE_ZERO_2_0: Licence(
        DataLicence.DL_DE_ZERO_2_0.label,
        "http://dcat-ap.de/def/licenses/dl-zero-de/2.0",
        "https://www.govdata.de/dl-de/zero-2-0",
        False,
    ),
    DataLicence.CC_BY_4_0: Licence(
        DataLicence.CC_BY_4_0.label,
        "http://dcat-ap.de/def/licenses/cc-by/4.0",
        "https://creativecommons.org/licenses/by/4.0/deed.de",
        True,
    ),
    DataLicence.CC0_1_0: Licence(
        DataLicence.CC0_1_0.label,
        "http://dcat-ap.de/def/licenses/cc-zero",
        "https://creativecommons.org/publicdomain/zero/1.0/deed.de",
        False,
    ),
}


def licence(code: str) -> Licence:
    return LICENCES[code]
