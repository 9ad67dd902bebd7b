"""The console's URL table (under /console/ in the routing service)."""

from __future__ import annotations

from aiohttp import web

from routing.console import views


def routes() -> list[web.RouteDef]:
    tip = "/tips/{reference:TL-[0-9A-Z]{4}-[0-9A-Z]{4}}"
    return [
        web.get("/login", views.login_page),
        web.post("/login", views.login),
        web.post("/logout", views.logout),
        web.get("/", views.queue),
        web.get("/queue/live", views.queue_live),
        web.get("/events", views.events),
        web.get(tip, views.tip),
        web.post(tip + "/acknowledge", views.acknowledge),
        web.post(tip + "/assign", views.assign),
        web.post(tip + "/notes", views.add_note),
        web.post(tip + "/follow-ups", views.add_follow_up),
        web.post(tip + r"/follow-ups/{follow_up_id:\d+}/done", views.complete_follow_up),
        web.post(tip + "/disposition", views.record_disposition),
        web.post(tip + "/reply", views.reply),
        web.post(tip + "/fbi-filed", views.fbi_filed),
        web.post(tip + "/reopen", views.reopen),
        web.get("/admin/users", views.users),
        web.post("/admin/users", views.create_user),
        web.post(r"/admin/users/{user_id:\d+}", views.change_user),
        web.get("/admin/jurisdiction", views.jurisdiction),
        web.get("/admin/dead-letters", views.dead_letters),
        web.post(r"/admin/dead-letters/{delivery_id:\d+}/retry", views.retry),
        web.get("/stats", views.stats),
        web.get("/stats.json", views.stats_json),
        web.get("/stats.csv", views.stats_csv),
    ]
