from django.urls import path

from . import views

urlpatterns = [
    path("two-factor/", views.two_factor, name="accounts_two_factor"),
    path(
        "two-factor/recovery-codes/",
        views.recovery_codes,
        name="accounts_two_factor_recovery_codes",
    ),
]
