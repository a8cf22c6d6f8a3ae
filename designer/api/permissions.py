"""Team scoping and roles, for session users and API tokens alike.

A session user acts in the teams of their memberships, with the role of
each; a token acts in its own team as a publisher. A script of a team the
caller is not in does not exist for them (404, never 403).
"""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from designer.api.authentication import TokenPrincipal
from designer.errors import TeamNotFound, TeamRequired
from designer.models import Membership, Team

Role = Membership.Role
RANK = {Role.VIEWER: 0, Role.AUTHOR: 1, Role.PUBLISHER: 2}
NEEDS = {
    Role.VIEWER: "reading scripts needs a role",
    Role.AUTHOR: "editing scripts needs the author or publisher role",
    Role.PUBLISHER: "publishing and deleting scripts need the publisher role",
}


def memberships(user) -> dict[Team, str]:
    """The teams ``user`` acts in, with their role in each."""
    if isinstance(user, TokenPrincipal):
        return {user.team: user.role}
    if not getattr(user, "is_authenticated", False):
        return {}
    found = Membership.objects.filter(user=user).select_related("team")
    return {m.team: m.role for m in found}


def team_and_role(user, team_slug: str | None) -> tuple[Team, str]:
    """The team a request acts in: ``team_slug``, or the caller's only team."""
    roles = memberships(user)
    if team_slug:
        for team, role in roles.items():
            if team.slug == team_slug:
                return team, role
        raise TeamNotFound(f"You are not in a team '{team_slug}'.")
    if len(roles) == 1:
        return next(iter(roles.items()))
    if not roles:
        raise TeamNotFound("You are in no team yet; ask an admin to add you to one.")
    slugs = ", ".join(sorted(team.slug for team in roles))
    raise TeamRequired(
        f"You are in several teams ({slugs}); say which one with the "
        "`team` parameter, e.g. ?team=" + sorted(team.slug for team in roles)[0]
    )


def role_allows(role: str, needed: str) -> bool:
    return RANK[role] >= RANK[needed]


class HasTeamRole(BasePermission):
    """The caller's role in the view's team allows the request's method.

    A view lists in ``roles`` the role each method needs; safe methods need
    viewer and the others author unless it says otherwise, and ``None``
    means the method does not act in one team.
    """

    def has_permission(self, request, view):
        default = Role.VIEWER if request.method in SAFE_METHODS else Role.AUTHOR
        needed = view.roles.get(request.method, default)
        if needed is None:
            return True
        team, role = view.team_and_role
        if role_allows(role, needed):
            return True
        self.message = f"Your role in team {team.slug} is {role}; {NEEDS[needed]}."
        return False
