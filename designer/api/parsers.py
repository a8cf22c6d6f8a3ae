"""The JSON parser of the endpoints that take a whole script document."""

from rest_framework.parsers import JSONParser

from designer.errors import InvalidInput
from designer.services import MAX_DEPTH


class DocumentParser(JSONParser):
    """JSON only; a body nested too deeply to parse is bad input, not a 500.

    Python's JSON decoder recurses once per level, so a body nested about
    a thousand levels deep exhausts the stack before the services can
    refuse it.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise InvalidInput(
                "The body nests objects and lists too deeply to read; a script "
                f"document needs far fewer than {MAX_DEPTH} levels."
            ) from None
