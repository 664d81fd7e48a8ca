"""掲示板のモデレーション in the Wagtail admin (/admin/moderation/, see ``community.wagtail_hooks``)."""
