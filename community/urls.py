"""The members' side of the boards, under the section's own address (/keijiban/…).

Boards sit under ``boards/`` and posts under ``posts/`` so that the Wagtail pages of the
section (the citizens' blogs) keep every other address below /keijiban/.
"""

from django.urls import path

from . import views

app_name = "community"

urlpatterns = [
    path("boards/", views.index, name="index"),
    path("boards/<slug:board_slug>/", views.board, name="board"),
    path("boards/<slug:board_slug>/new/", views.new_thread, name="new_thread"),
    path("boards/<slug:board_slug>/<int:thread_pk>/", views.thread, name="thread"),
    path("boards/<slug:board_slug>/<int:thread_pk>/reply/", views.reply, name="reply"),
    path("boards/<slug:board_slug>/<int:thread_pk>/subscribe/", views.subscribe, name="subscribe"),
    path("posts/mine/", views.mine, name="mine"),
    path("posts/<int:post_pk>/helpful/", views.helpful, name="helpful"),
    path("posts/<int:post_pk>/report/", views.report, name="report"),
    path("posts/<int:post_pk>/edit/", views.edit, name="edit"),
    path("posts/<int:post_pk>/delete/", views.delete, name="delete"),
]
