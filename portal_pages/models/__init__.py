from ..workflows.models import EditorialMeetingTask, Vote  # noqa: F401 (registers the workflow models)
from .article import ArticleIndexPage, ArticlePage, ArticleTag
from .base import ContentPage, IndexPage
from .comment import ArticleComment
from .event import EventIndexPage, EventPage
from .facility import FacilityIndexPage, FacilityPage
from .feedback import PageFeedback, Rating
from .notice import NoticeIndexPage, NoticePage
from .service import ServiceIndexPage, ServicePage

__all__ = [
    "ArticleComment",
    "ArticleIndexPage",
    "ArticlePage",
    "ArticleTag",
    "ContentPage",
    "EventIndexPage",
    "EventPage",
    "FacilityIndexPage",
    "FacilityPage",
    "IndexPage",
    "NoticeIndexPage",
    "NoticePage",
    "PageFeedback",
    "Rating",
    "ServiceIndexPage",
    "ServicePage",
]
