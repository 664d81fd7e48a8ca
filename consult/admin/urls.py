from django.urls import path

from . import views

urlpatterns = [
    path("case/<int:pk>/", views.case, name="case"),
]
