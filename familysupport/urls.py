"""The members' side of the centre, under the section's own address (/famisapo/…).

Applications and the member area (``member_urls``), answering a proposed assignment
(``assignment_urls``), and filing or confirming activity reports (``report_urls``).
"""

from django.urls import include, path

app_name = "familysupport"

urlpatterns = [
    path("", include("familysupport.member_urls")),
    path("", include("familysupport.assignment_urls")),
    path("", include("familysupport.report_urls")),
]
