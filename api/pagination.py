from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, pagination


class PageNumberPagination(pagination.PageNumberPagination):
    """``?page=2&page_size=100``; at most 200 items per page. A ``page_size`` that is not a
    positive whole number answers 400 (DRF would silently use the default); a larger one is
    capped. A page that does not exist answers 404."""

    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request):
        value = request.query_params.get(self.page_size_query_param)
        if value is None:
            return self.page_size
        value = value.strip()
        digits = value.lstrip("0")
        if not (value.isascii() and value.isdigit()) or not digits:
            raise exceptions.ValidationError(
                {self.page_size_query_param: [_("A positive whole number is required.")]}
            )
        # Capped before int(): int() of thousands of digits raises ValueError (a 500).
        if len(digits) > 9:
            return self.max_page_size
        return min(int(digits), self.max_page_size)

    def get_page_number(self, request, paginator):
        value = request.query_params.get(self.page_query_param)
        if value is not None and not value.strip():
            raise exceptions.NotFound(_("Invalid page."))  # "?page=": no page (DRF: the first)
        return super().get_page_number(request, paginator)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"] = {**parameter["schema"], "minimum": 1}
        return parameters
