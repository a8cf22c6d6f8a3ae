"""The analytics' errors, in the designer's vocabulary (``DesignerError``)
so the API answers them in its one error format."""

from designer.errors import DesignerError


class InvalidFilter(DesignerError):
    """A filter the analytics cannot apply: a bad date, an unknown version,
    source, variant or breakdown."""

    code = "invalid_filter"
    status_code = 400
    default_message = "A filter is not valid."

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(message)

    def as_dict(self) -> dict:
        return {**super().as_dict(), "field": self.field}
