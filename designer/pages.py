"""The designer's HTML pages: login, the script list and the editor.

Thin views: the editor page is a React app (frontend/editor) that talks to
the REST API; these views only find the script and the caller's role.
"""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.csrf import ensure_csrf_cookie

from designer import selectors
from designer.api.permissions import memberships


class LoginView(auth_views.LoginView):
    template_name = "designer/login.html"
    redirect_authenticated_user = True
    next_page = reverse_lazy("pages:script-list")


def home(request):
    return redirect("pages:script-list")


@login_required(login_url="pages:login")
def script_list(request):
    roles = memberships(request.user)
    scripts = selectors.script_list(teams=list(roles))
    rows = [{"script": script, "role": roles[script.team]} for script in scripts]
    return render(
        request,
        "designer/script_list.html",
        {"rows": rows, "several_teams": len(roles) > 1, "has_team": bool(roles)},
    )


@login_required(login_url="pages:login")
@ensure_csrf_cookie
def editor(request, slug):
    roles = memberships(request.user)
    team_slug = request.GET.get("team")
    teams = [t for t in roles if not team_slug or t.slug == team_slug]
    script = selectors.script_list(teams=teams).filter(slug=slug).first()
    if script is None:
        raise Http404(f"None of your teams has a script '{slug}'.")
    config = {
        "slug": script.slug,
        "team": script.team.slug,
        "name": script.name,
        "language": script.language,
        "role": roles[script.team],
        "user": request.user.get_username(),
    }
    return render(request, "designer/editor.html", {"script": script, "config": config})
