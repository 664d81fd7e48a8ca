from django.urls import path

from . import opendata

urlpatterns = [
    path("facilities.csv", opendata.facilities_csv, name="opendata_facilities_csv"),
    path("facilities.json", opendata.facilities_json, name="opendata_facilities_json"),
]
