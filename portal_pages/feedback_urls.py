from django.urls import path

from . import feedback

urlpatterns = [
    path("<int:page_id>/", feedback.submit_feedback, name="page_feedback"),
]
