"""Fixed vocabularies of the portal: categories, facility kinds, amenities."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    ALLOWANCE = "allowance", _("手当・助成")
    HEALTH = "health", _("健診・予防接種")
    CHILDCARE = "childcare", _("保育・幼児教育")
    SCHOOL = "school", _("学校・放課後")
    CONSULTATION = "consultation", _("相談・支援")
    SAFETY = "safety", _("安全・防災")
    EVENT = "event", _("催し・講座")
    OTHER = "other", _("その他")


class FacilityKind(models.TextChoices):
    HIROBA = "hiroba", _("子育てひろば")
    JIDOKAN = "jidokan", _("児童館")
    NURSERY = "nursery", _("保育所")
    KINDERGARTEN = "kindergarten", _("幼稚園")
    KODOMOEN = "kodomoen", _("認定こども園")
    SICK_CHILD = "sick_child", _("病児保育室")
    HEALTH_CENTER = "health_center", _("保健センター")
    LIBRARY = "library", _("図書館")
    PARK = "park", _("公園")
    OTHER = "other", _("その他")


# Each amenity is a boolean field of FacilityPage, so a filter is a plain indexed WHERE.
AMENITIES = (
    ("nursing_room", _("授乳室")),
    ("diaper_changing", _("おむつ替え")),
    ("stroller_ok", _("ベビーカー可")),
    ("parking", _("駐車場")),
)
AMENITY_KEYS = tuple(key for key, _label in AMENITIES)


class EventState(models.TextChoices):
    OPEN = "open", _("受付中")
    CLOSED = "closed", _("締切")
    ENDED = "ended", _("終了")
