"""The analytics pages: a list of scripts and each script's dashboard.

Thin views: the dashboard is a page (frontend/analytics) that reads the
analytics API; this view finds the script and hands over its versions and
the document of the version shown, to draw the graph.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from designer import selectors
from designer.api.permissions import memberships


@login_required(login_url="pages:login")
def script_list(request):
    roles = memberships(request.user)
    scripts = selectors.script_list(teams=list(roles))
    return render(request, "analytics/script_list.html", {"scripts": scripts})


@login_required(login_url="pages:login")
def dashboard(request, slug):
    roles = memberships(request.user)
    team_slug = request.GET.get("team")
    teams = [t for t in roles if not team_slug or t.slug == team_slug]
    script = selectors.script_list(teams=teams).filter(slug=slug).first()
    if script is None:
        raise Http404(f"None of your teams has a script '{slug}'.")
    versions = list(
        script.versions.filter(number__isnull=False).order_by("-number")
    )
    if not versions:
        raise Http404(f"Script '{slug}' has no published version yet.")
    config = {
        "script": script.slug,
        "team": script.team.slug,
        "name": script.name,
        "versions": [
            {"number": v.number, "document": v.document} for v in versions
        ],
    }
    return render(request, "analytics/dashboard.html", {"script": script, "config": config})
