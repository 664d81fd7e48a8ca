"""Open data of facilities: the requesting town's live public facilities as CSV (for Excel) and JSON."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import PageViewRestriction

from portal_pages.models import FacilityPage

from . import factories

CSV_HEADER = [
    "ID",
    "名称",
    "種類コード",
    "種類",
    "郵便番号",
    "住所",
    "緯度",
    "経度",
    "電話番号",
    "開館時間",
    "休館日",
    "授乳室",
    "おむつ替え",
    "ベビーカー可",
    "駐車場",
    "対象のライフステージ",
    "URL",
]
JSON_KEYS = [
    "id",
    "name",
    "kind",
    "kind_label",
    "postal_code",
    "address",
    "latitude",
    "longitude",
    "phone",
    "opening_hours",
    "closed_days",
    "nursing_room",
    "diaper_changing",
    "stroller_ok",
    "parking",
    "life_stages",
    "url",
]


def get(client, town, name, prefix="", **params):
    return client.get(f"{prefix}/opendata/{name}", params, HTTP_HOST=town.site.hostname)


def csv_rows(response):
    assert response.status_code == 200, response.content
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def csv_records(response):
    header, *rows = csv_rows(response)
    return [dict(zip(header, row, strict=True)) for row in rows]


@pytest.fixture
def facilities(town_a, town_b):
    hiroba = factories.facility(
        town_a,
        "中央子育てひろば",
        stages=["age-0", "age-1-2"],
        kind="hiroba",
        postal_code="181-0013",
        address="東京都三鷹市下連雀三丁目1番1号",
        latitude="35.683300",
        longitude="139.559700",
        phone="0422-00-0001",
        opening_hours="午前9時〜午後4時",
        closed_days="日曜・祝日、年末年始",
        nursing_room=True,
        diaper_changing=True,
    )
    jidokan = factories.facility(
        town_a,
        "東児童館",
        stages=["elementary", "teen"],
        kind="jidokan",
        address="東京都三鷹市井口1-2-3",
        parking=True,
    )
    factories.facility(
        town_b, "立川子育てひろば", stages=["age-0"], kind="hiroba", address="東京都立川市曙町1-1"
    )
    return hiroba, jidokan


def test_csv_is_excel_ready_with_japanese_header_and_only_this_towns_facilities(client, town_a, facilities):
    response = get(client, town_a, "facilities.csv")

    assert response.content.startswith(b"\xef\xbb\xbf")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="facilities.csv"'
    assert b"\r\n" in response.content
    header, *rows = csv_rows(response)
    assert header == CSV_HEADER
    assert [row[1] for row in rows] == ["中央子育てひろば", "東児童館"]
    assert "立川子育てひろば" not in response.content.decode("utf-8-sig")


def test_csv_row_carries_every_column(client, town_a, facilities):
    hiroba, jidokan = facilities

    first, second = csv_records(get(client, town_a, "facilities.csv"))

    assert first == {
        "ID": str(hiroba.id),
        "名称": "中央子育てひろば",
        "種類コード": "hiroba",
        "種類": "子育てひろば",
        "郵便番号": "181-0013",
        "住所": "東京都三鷹市下連雀三丁目1番1号",
        "緯度": "35.6833",
        "経度": "139.5597",
        "電話番号": "0422-00-0001",
        "開館時間": "午前9時〜午後4時",
        "休館日": "日曜・祝日、年末年始",
        "授乳室": "有",
        "おむつ替え": "有",
        "ベビーカー可": "無",
        "駐車場": "無",
        "対象のライフステージ": "age-0;age-1-2",
        "URL": hiroba.full_url,
    }
    assert second["ID"] == str(jidokan.id)
    assert second["種類"] == "児童館"
    assert second["緯度"] == ""
    assert second["駐車場"] == "有"
    assert second["対象のライフステージ"] == "elementary;teen"


def test_json_lists_the_same_facilities_with_machine_keys(client, town_a, facilities):
    hiroba, jidokan = facilities

    response = get(client, town_a, "facilities.json")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "三鷹市".encode() in response.content
    data = response.json()
    assert data["municipality"] == "三鷹市"
    assert data["count"] == 2
    generated_at = datetime.datetime.fromisoformat(data["generated_at"])
    assert generated_at.utcoffset() == datetime.timedelta(hours=9)
    first, second = data["facilities"]
    assert list(first) == JSON_KEYS
    assert first["id"] == hiroba.id
    assert first["kind"] == "hiroba"
    assert first["kind_label"] == "子育てひろば"
    assert first["latitude"] == pytest.approx(35.6833)
    assert first["longitude"] == pytest.approx(139.5597)
    assert first["nursing_room"] is True
    assert first["stroller_ok"] is False
    assert first["life_stages"] == ["age-0", "age-1-2"]
    assert first["url"] == hiroba.full_url
    assert second["id"] == jidokan.id
    assert second["latitude"] is None
    assert second["life_stages"] == ["elementary", "teen"]


def test_json_and_csv_agree(client, town_a, facilities):
    records = get(client, town_a, "facilities.json").json()["facilities"]
    rows = csv_rows(get(client, town_a, "facilities.csv"))[1:]

    assert [(str(r["id"]), r["name"], r["address"], r["url"]) for r in records] == [
        (row[0], row[1], row[5], row[16]) for row in rows
    ]


def test_other_town_gets_its_own_facilities(client, town_b, facilities):
    data = get(client, town_b, "facilities.json").json()

    assert data["municipality"] == "立川市"
    assert [facility["name"] for facility in data["facilities"]] == ["立川子育てひろば"]
    assert data["facilities"][0]["url"].startswith("http://tachikawa.example.jp/")


def test_drafts_and_private_facilities_are_left_out(client, town_a, facilities):
    draft = FacilityPage(title="準備中のひろば", slug="draft", kind="hiroba", address="三鷹市", live=False)
    town_a.index("regional", "FacilityIndexPage").add_child(instance=draft)
    draft.save_revision()
    private = factories.facility(town_a, "会員限定の施設")
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.LOGIN)

    names = [facility["name"] for facility in get(client, town_a, "facilities.json").json()["facilities"]]
    assert names == ["中央子育てひろば", "東児童館"]
    assert "準備中" not in get(client, town_a, "facilities.csv").content.decode("utf-8-sig")


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"kind": "jidokan"}, ["東児童館"]),
        ({"stage": "age-0"}, ["中央子育てひろば"]),
        ({"stage": "teen", "kind": "jidokan"}, ["東児童館"]),
        ({"stage": "teen", "kind": "hiroba"}, []),
    ],
)
def test_kind_and_stage_filter_both_formats(client, town_a, facilities, params, expected):
    data = get(client, town_a, "facilities.json", **params).json()
    rows = csv_rows(get(client, town_a, "facilities.csv", **params))

    assert [facility["name"] for facility in data["facilities"]] == expected
    assert data["count"] == len(expected)
    assert rows[0] == CSV_HEADER
    assert [row[1] for row in rows[1:]] == expected


@pytest.mark.parametrize("params", [{"kind": "zoo"}, {"stage": "age-99"}])
def test_unknown_filter_value_is_refused_with_a_japanese_message(client, town_a, facilities, params):
    as_json = get(client, town_a, "facilities.json", **params)
    as_csv = get(client, town_a, "facilities.csv", **params)

    assert as_json.status_code == 400
    [message] = as_json.json()["errors"]
    assert "候補にありません" in message
    assert as_csv.status_code == 400
    assert "候補にありません" in as_csv.content.decode()
    assert "中央子育てひろば" not in as_csv.content.decode()


def test_formula_like_text_is_neutralised_in_csv_but_kept_in_json(client, town_a):
    factories.facility(town_a, '=HYPERLINK("http://evil.example","ひろば")', opening_hours="-")

    [record] = csv_records(get(client, town_a, "facilities.csv"))
    [facility] = get(client, town_a, "facilities.json").json()["facilities"]

    assert record["名称"] == '\'=HYPERLINK("http://evil.example","ひろば")'
    assert record["開館時間"] == "'-"
    assert facility["name"] == '=HYPERLINK("http://evil.example","ひろば")'


def test_english_prefix_still_serves_the_japanese_data_set(client, town_a, facilities):
    rows = csv_rows(get(client, town_a, "facilities.csv", prefix="/en"))
    data = get(client, town_a, "facilities.json", prefix="/en").json()

    assert rows[0] == CSV_HEADER
    assert rows[1][3] == "子育てひろば"
    assert data["facilities"][0]["kind_label"] == "子育てひろば"


@pytest.mark.parametrize("name", ["facilities.csv", "facilities.json"])
def test_only_get_is_allowed(client, town_a, name):
    response = client.post(f"/opendata/{name}", {}, HTTP_HOST=town_a.site.hostname)

    assert response.status_code == 405


@pytest.mark.parametrize("name", ["facilities.csv", "facilities.json"])
def test_query_count_does_not_grow_with_the_number_of_facilities(client, town_a, name):
    for number in range(3):
        factories.facility(town_a, f"ひろば{number:02}", stages=["age-0", "age-1-2"])
    get(client, town_a, name, stage="age-0")

    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            response = get(client, town_a, name, stage="age-0")
        assert response.status_code == 200
        return len(queries), response

    few, response = count_queries()
    assert response.content.decode("utf-8-sig").count("ひろば") >= 3
    for number in range(3, 30):
        factories.facility(town_a, f"ひろば{number:02}", stages=["age-0", "age-1-2"])
    get(client, town_a, name, stage="age-0")  # the town's per-generation data, renewed by publishing
    many, response = count_queries()

    assert "ひろば29" in response.content.decode("utf-8-sig")
    assert many == few
