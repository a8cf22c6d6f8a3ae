"""Team API tokens: ``Authorization: Token <key>`` (or ``Bearer <key>``).

A token belongs to a team, not to a person, so ``request.user`` becomes a
``TokenPrincipal``: authenticated, carrying that team and acting with the
publisher role in it. ``designer.api.permissions.memberships`` treats it and
a session user the same way.
"""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from designer.models import ApiToken, Membership

KEYWORDS = ("token", "bearer")


class TokenPrincipal:
    """The caller behind an API token, in place of a ``User``."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False
    pk = None
    id = None
    role = Membership.Role.PUBLISHER

    def __init__(self, token: ApiToken):
        self.token = token
        self.team = token.team
        self.username = f"token:{token.prefix}"

    def get_username(self) -> str:
        return self.username

    def has_perm(self, perm, obj=None) -> bool:
        return False

    def __str__(self):
        return self.username


class TeamTokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].decode("latin-1").lower() not in KEYWORDS:
            return None  # not ours: let session authentication try
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                "Send the header as 'Authorization: Token <key>', with one key."
            )
        try:
            key = header[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed(
                "The token key is not valid."
            ) from None

        token = (
            ApiToken.objects.select_related("team")
            .filter(digest=ApiToken.digest_of(key), revoked=False)
            .first()
        )
        if token is None:
            raise exceptions.AuthenticationFailed("Unknown or revoked API token.")
        return TokenPrincipal(token), token

    def authenticate_header(self, request):
        # Makes DRF answer 401 (not 403) to a request with no credentials.
        return 'Token realm="api"'


class TeamTokenScheme(OpenApiAuthenticationExtension):
    target_class = TeamTokenAuthentication
    name = "teamToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "A team API token: `Token <key>` or `Bearer <key>`. "
            "Issue one with `manage.py issue_token --team SLUG`.",
        }
